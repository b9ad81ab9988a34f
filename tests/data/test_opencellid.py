"""OpenCelliD exports read as towers: cells merged into sites, radio mapped to technology."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest

from whitespot.data import OpenCellidWarning, ValidationError, read_opencellid
from whitespot.data._opencellid import OPENCELLID_COLUMNS

RADIOS = {"2G": "GSM", "3G": "UMTS", "4G": "LTE", "5G": "NR"}
MNC = {"Viettel": 4, "VinaPhone": 2, "MobiFone": 1}


def cells_of(towers, seed=0):
    """Three sectors per site and technology, positions scattered by 20 m like crowd data."""
    rng = np.random.default_rng(seed)
    rows = []
    for number, tower in enumerate(towers.itertuples()):
        for sector in range(3):
            cell = (
                (10_000 + number) * 256 + sector
                if tower.technology == "4G"
                else 50_000 + 10 * number + sector
            )
            rows.append(
                {
                    "radio": RADIOS[tower.technology],
                    "mcc": 452,
                    "net": MNC[tower.operator],
                    "area": 1000 + number % 7,
                    "cell": cell,
                    "unit": 0,
                    "lon": tower.geometry.x + rng.normal(0, 20) / 106_000,
                    "lat": tower.geometry.y + rng.normal(0, 20) / 111_000,
                    "range": 1000 + sector,
                    "samples": 5 + sector,
                    "changeable": 1,
                    "created": 1_600_000_000,
                    "updated": 1_700_000_000 + number,
                    "averageSignal": 0,
                }
            )
    return pd.DataFrame(rows, columns=list(OPENCELLID_COLUMNS))


@pytest.fixture(scope="module")
def sites(province):
    """Thousands of cells: the sample's towers repeated over a wider area."""
    towers = province.towers
    shifted = [
        towers.set_geometry(towers.translate(0.02 * i, 0.015 * j))
        for i in range(6)
        for j in range(6)
    ]
    return pd.concat(shifted, ignore_index=True)


def test_thousands_of_cells_merge_into_their_sites(sites, tmp_path):
    cells = cells_of(sites)
    assert len(cells) > 3000
    path = tmp_path / "cell_towers.csv"
    cells.to_csv(path, index=False)
    towers = read_opencellid(path, mcc=452)
    assert len(towers) == len(sites)
    assert towers["tower_id"].is_unique and towers["tower_id"].is_monotonic_increasing
    assert (towers["cells"] == 3).all()
    assert sorted(towers["technology"].value_counts().items()) == sorted(
        sites["technology"].value_counts().items()
    )
    assert set(towers["operator"]) == set(MNC)
    assert (towers["range_m"] == 1002).all() and (towers["samples"] == 18).all()
    assert towers["updated"].dt.year.eq(2023).all()


def test_headerless_gzip_country_file(sites, tmp_path):
    cells = cells_of(sites.head(50))
    path = tmp_path / "452.csv.gz"
    with gzip.open(path, "wt") as stream:
        cells.to_csv(stream, index=False, header=False)
    assert len(read_opencellid(path)) == 50


def test_lte_cells_of_one_enodeb_merge_even_when_far_apart(sites, tmp_path):
    cells = cells_of(sites.head(30))
    lte = cells.index[cells["radio"] == "LTE"][:3]
    cells.loc[lte[2], "lon"] += 0.01  # 1 km off: a badly located cell of the same eNodeB
    path = tmp_path / "cells.csv"
    cells.to_csv(path, index=False)
    assert len(read_opencellid(path)) == 30


def test_other_operators_at_the_same_mast_stay_apart(sites, tmp_path):
    cells = cells_of(sites.head(1))
    other = cells.assign(net=5)
    path = tmp_path / "cells.csv"
    pd.concat([cells, other]).to_csv(path, index=False)
    towers = read_opencellid(path)
    assert sorted(towers["operator"]) == sorted(["Vietnamobile", sites["operator"].iloc[0]])


def test_unknown_radio_is_named_with_cell_ids(sites, tmp_path):
    cells = cells_of(sites.head(3))
    cells.loc[1, "radio"] = "CDMA"
    path = tmp_path / "cells.csv"
    cells.to_csv(path, index=False)
    with pytest.raises(
        ValidationError, match=r"towers \(cells.csv\): column 'radio'.*CDMA"
    ) as error:
        read_opencellid(path)
    assert error.value.problems[0].ids == (f"452-{cells.net[1]}-{cells.area[1]}-{cells.cell[1]}",)


def test_cells_of_other_countries_are_left_out_and_counted(sites, tmp_path):
    """A Cambodian cell (MCC 456) across the border serves no Vietnamese village (item 9)."""
    cells = cells_of(sites.head(20))
    foreign = cells.head(6).assign(mcc=456, net=1)  # two sites' cells, same places
    lao = cells.head(3).assign(mcc=457, net=3)
    path = tmp_path / "cells.csv"
    pd.concat([cells, foreign, lao]).to_csv(path, index=False)
    with pytest.warns(OpenCellidWarning, match=r"9 of 69 cells .*\(MCC 456: 6, MCC 457: 3\)"):
        towers = read_opencellid(path)
    assert len(towers) == 20 and (towers["mcc"] == 452).all()
    assert len(read_opencellid(path, mcc=None)) == 23  # every cell, on request
    foreign.to_csv(tmp_path / "cambodia.csv", index=False)
    with pytest.raises(ValidationError, match=r"no cells of MCC 452.*MCC 456: 6.*--mcc"):
        read_opencellid(tmp_path / "cambodia.csv")


def test_lte_cells_with_only_a_local_id_are_not_one_enodeb(sites, tmp_path):
    """Local cell ids 0-2 at 20 LTE sites are 20 sites, not one merged in the middle."""
    lte = sites[sites["technology"] == "4G"].head(20)
    cells = cells_of(lte)
    cells["cell"] = cells["cell"] % 256  # the ECI lost its eNodeB part
    cells["area"] = 1000  # one tracking area: every site's first cell reads 452-n-1000-0
    path = tmp_path / "cells.csv"
    cells.to_csv(path, index=False)
    with pytest.warns(OpenCellidWarning) as said:
        towers = read_opencellid(path)
    messages = " ".join(str(w.message) for w in said)
    assert "60 LTE cells give only their local cell id" in messages
    assert "sites share their first cell's id" in messages
    assert len(towers) == 20 and towers["tower_id"].is_unique
    assert (towers["cells"] == 3).all()
    sites = lte[["geometry"]].reset_index(drop=True).to_crs("EPSG:32648")
    placed = towers.to_crs("EPSG:32648").sjoin_nearest(sites, distance_col="d")
    assert (placed["d"] < 100.0).all()  # each tower at its own site, m
