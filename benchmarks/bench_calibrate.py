"""Calibration at scale: ``whitespot calibrate`` from CSV and GeoParquet beside a plain fit.

Usage::

    python benchmarks/bench_calibrate.py            # 1e4, 1e5, 1e6 measurements
    python benchmarks/bench_calibrate.py --quick    # 1e4, 1e5

One synthetic province with 10^4 2G/4G towers (Hata, ``make_province``); measurements from
``synthetic_measurements`` (Hata + 6 dB + 4 dB/decade, sigma 6 dB shadowing), written as
CSV (lon/lat columns) and as GeoParquet, the towers as CSV. Generation is not timed. Each
row, in one process:

- ``whitespot calibrate``: the command itself (``whitespot.cli.main``, as typed): towers
  and measurements read and validated, cell ids paired, Huber fit, two-way clustered
  intervals, censoring and missing-tower checks, 5-fold spatial block cross-validation,
  per operator x technology and pooled, ``calibration.json`` written;
- ``baseline``: the plain approach from the same files: ``pandas.read_csv`` (or
  ``geopandas.read_parquet``), the nearest tower of each group by KD-tree and an ordinary
  least-squares line per group (``numpy.polyfit``): no validation, no intervals;
- ``ratio``: the command's time over the baseline's (the issue's target: <= 3 from either
  format at 10^6).

Seconds and peak memory above the start (RSS sampled every 5 ms); the interpreter's start
and imports are not in either time.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import tempfile
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from bench_country import timed
from scipy.spatial import cKDTree

from whitespot.cli._main import main as main_command
from whitespot.data import make_province, metric_crs, validate_towers
from whitespot.data._crs import projected_xy
from whitespot.evidence import calibrate, synthetic_measurements
from whitespot.radio import SignalSetup

HATA = SignalSetup(model="hata", extrapolate=True)


def province_towers(count: int):
    province = make_province(villages=2_000, towers=round(count / 0.85), seed=7)
    towers = validate_towers(province.towers)
    return towers[towers["technology"].isin(["2G", "4G"])].reset_index(drop=True)


def baseline(towers_csv: Path, measurements_path: Path) -> int:
    """Read both files plainly; nearest tower of the group and an OLS line per group."""
    towers = pd.read_csv(towers_csv)
    towers = gpd.GeoDataFrame(
        towers, geometry=gpd.points_from_xy(towers["lon"], towers["lat"]), crs="EPSG:4326"
    )
    if measurements_path.suffix == ".csv":
        table = pd.read_csv(measurements_path)
        measurements = gpd.GeoDataFrame(
            table, geometry=gpd.points_from_xy(table["lon"], table["lat"]), crs="EPSG:4326"
        )
    else:
        measurements = gpd.read_parquet(measurements_path)
    crs = metric_crs(measurements)
    tower_xy, point_xy = projected_xy(towers, crs), projected_xy(measurements, crs)
    setup = HATA.in_crs(crs)
    fitted = 0
    keys = ["operator", "technology"]
    for key, rows in measurements.groupby(keys).indices.items():
        members = np.flatnonzero(
            (towers["operator"] == key[0]).to_numpy() & (towers["technology"] == key[1]).to_numpy()
        )
        distance_m, nearest = cKDTree(tower_xy[members]).query(point_xy[rows], workers=-1)
        tower = towers.iloc[members[nearest]]
        distance_km = np.maximum(distance_m, 1.0) / 1000.0
        loss = setup.path_model.loss_db(
            tower["frequency_mhz"].to_numpy(), np.maximum(distance_km, 1.0),
            tower["height_m"].to_numpy(), 1.5, None,
        )  # fmt: skip
        extra = tower["eirp_dbm"].to_numpy() - loss - measurements["signal_dbm"].to_numpy()[rows]
        np.polyfit(np.log10(distance_km), extra, 1)
        fitted += 1
    return fitted


def command(towers_csv: Path, measurements_path: Path, out: Path) -> int:
    """``whitespot calibrate`` as a user types it, in this process."""
    argv = ["calibrate", "--towers", str(towers_csv), "--measurements", str(measurements_path)]
    argv += ["--model", "hata", "--extrapolate", "--out", str(out)]
    with contextlib.redirect_stdout(io.StringIO()):
        return main_command(argv)


def run(size: int, towers, folder: Path) -> list[tuple]:
    drive = synthetic_measurements(
        towers, HATA, samples=size, offset_db=6.0, slope_db_per_decade=4.0, seed=11
    )
    parquet, csv = folder / f"m_{size}.parquet", folder / f"m_{size}.csv"
    drive.to_parquet(parquet)
    flat = drive.drop(columns="geometry").assign(lon=drive.geometry.x, lat=drive.geometry.y)
    flat.to_csv(csv, index=False)
    towers_csv = folder / "towers.csv"
    rows = []
    for kind, path in (("CSV", csv), ("GeoParquet", parquet)):
        code, command_s, command_mb = timed(command, towers_csv, path, folder / "c.json")
        assert code == 0, f"whitespot calibrate exited {code}"
        _, base_s, base_mb = timed(baseline, towers_csv, path)
        rows += [
            (size, kind, "whitespot calibrate", command_s, command_mb),
            (size, kind, "baseline: read + nearest tower + OLS", base_s, base_mb),
            (size, kind, "ratio", command_s / base_s, np.nan),
        ]
    result = json.loads((folder / "c.json").read_text())
    pooled = next(g for g in result["groups"] if g["operator"] == "*" and g["technology"] == "2G")
    print(
        f"  {size:,} measurements: 2G pooled offset {pooled['offset_db']:.2f} dB (true 6), "
        f"slope {pooled['slope_db_per_decade']:.2f} dB/decade (true 4)",
        flush=True,
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1e4 and 1e5 only")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    sizes = [10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000]
    towers = province_towers(10_000)
    print(f"{len(towers):,} towers (2G and 4G, Hata)", flush=True)
    calibrate(towers, synthetic_measurements(towers, HATA, samples=2_000, seed=1), HATA)  # JIT
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        flat = towers.drop(columns="geometry").assign(lon=towers.geometry.x, lat=towers.geometry.y)
        flat.to_csv(Path(folder) / "towers.csv", index=False)
        for size in sizes:
            rows += run(size, towers, Path(folder))
    columns = ["measurements", "format", "step", "seconds", "peak MB"]
    table = pd.DataFrame(rows, columns=columns)
    print(table.to_string(index=False, float_format=lambda v: f"{v:,.2f}"))


if __name__ == "__main__":
    main()
