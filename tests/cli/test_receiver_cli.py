"""whitespot gaps at a location probability, with clutter, indoors (issue 42)."""

from __future__ import annotations

import pandas as pd
import pytest

from whitespot.cli import main


@pytest.fixture(scope="module")
def sample_files(tmp_path_factory, province):
    folder = tmp_path_factory.mktemp("sample")
    paths = {}
    for name in ("villages", "towers"):
        paths[name] = folder / f"{name}.gpkg"
        getattr(province, name).to_file(paths[name])
    return paths


def _gaps(sample_files, out, *options: str) -> int:
    return main(
        [
            "gaps",
            "--villages",
            str(sample_files["villages"]),
            "--towers",
            str(sample_files["towers"]),
            "--out",
            str(out),
            *options,
        ]
    )


def test_gaps_indoors_at_a_location_probability_say_so(sample_files, tmp_path, capsys):
    out = tmp_path / "gaps.csv"
    options = ("--indoor", "p2109", "--location-probability", "90", "--clutter", "trees_forest")
    assert _gaps(sample_files, out, *options) == 0
    assert "without signal indoors at 90 % of locations" in capsys.readouterr().out
    villages = pd.read_csv(out, encoding="utf-8-sig")
    for column in ("signal_status", "indoor_signal_status", "area_coverage_probability"):
        assert column in villages
    settings = pd.read_csv(tmp_path / "gaps_settings.csv", encoding="utf-8-sig")
    said = dict(zip(settings["setting"], settings["value"], strict=True))
    assert said["receiver"] == "indoor"
    assert said["indoor_model"].startswith("ITU-R P.2109-2 building entry loss")
    assert said["clutter_model"].startswith("ITU-R P.2108-1 section 3.1")
    assert "3GPP TR 38.901" in said["location_sigma"]


def test_gaps_outdoors_by_default_say_so_and_nothing_more(sample_files, tmp_path, capsys):
    out = tmp_path / "gaps.csv"
    assert _gaps(sample_files, out) == 0
    assert "without signal outdoors;" in capsys.readouterr().out
    settings = pd.read_csv(tmp_path / "gaps_settings.csv", encoding="utf-8-sig")
    assert not {"receiver", "indoor_model", "clutter_model"} & set(settings["setting"])


def test_a_tower_outside_p2108_is_a_clear_error(sample_files, tmp_path, capsys, province):
    towers = province.towers.copy()
    towers.loc[towers.index[0], "frequency_mhz"] = 3500.0
    path = tmp_path / "towers.gpkg"
    towers.to_file(path)
    files = {**sample_files, "towers": path}
    assert _gaps(files, tmp_path / "gaps.csv", "--clutter", "urban") == 1
    assert "P.2108-1 section 3.1 is valid for 0.03-3 GHz" in capsys.readouterr().err
