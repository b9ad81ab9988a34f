"""Country scale: the exact best-server kernel beside its peers, and a synthetic country.

Usage::

    python benchmarks/bench_country.py            # kernel at 1e6 x 1e4; country 1e6, 1e7, 2.7e7
    python benchmarks/bench_country.py --quick    # kernel at 1e5 x 1e4; country 1e6

Part 1, one process, one province of 10^6 households and 10^4 towers (Hata, as
bench_signal.py builds it): whitespot's ``predict_signal`` beside a plain KD-tree pair
enumeration in numpy (every pair within each tower's reach, ``np.maximum.at``: exact) and
geopandas ``sjoin_nearest`` + Hata (nearest tower, not best server: fast but wrong where
the nearest is not the best). Each row: seconds, peak memory above the start (RSS sampled
every 5 ms, so the allocations of Numba and GEOS count), and the share of households whose
class (covered / weak / none) differs from the exact answer.

Part 2, a synthetic country (``whitespot.data.make_country``: 34 provinces, 10^5 towers)
written as one GeoParquet partition of households per province, then
``partitioned_gap_list`` in one process and on a ``LocalCluster`` of 2 workers: seconds,
households per second, peak memory of the run (driver plus workers). Generation is not
timed; its files are kept in ``--data`` between runs.

Part 3 (``--floor``), issue 45: ``partitioned_gap_list`` in one process beside the plain
floor of its I/O, ``geopandas.read_parquet`` + ``to_parquet`` of every household partition,
in the same process, alternating (``--repeat`` rounds, the fastest of each kept), at
10^5, 10^6 and 3 x 10^6 households (``--floor-sizes``) in ``--partitions`` provinces. The
ratio is the figure to read on a shared machine; "towers" is the part of whitespot's time
spent preparing the towers (once per run, whatever the households).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import psutil
import pyarrow.parquet as pq
from scipy.spatial import cKDTree

from whitespot._parallel import closing_cluster, connect
from whitespot.coverage.gaps import prepare_gap_list
from whitespot.coverage.partitioned import partitioned_gap_list
from whitespot.data import (
    make_country,
    make_province,
    metric_crs,
    read_layer,
    validate_households,
    validate_towers,
    validate_villages,
    write_layer,
)
from whitespot.data._crs import projected_xy
from whitespot.radio import SignalEngine, SignalSetup, predict_signal, signal_status

HOUSEHOLDS_PER_VILLAGE = 92.7
COUNTRY_TOWERS = 100_000
SKETCH_CHUNK = 10_000
"""Points per pass of the KD-tree sketch: a 20 km reach holds thousands of towers each."""


class PeakMemory:
    """Peak RSS above the start of a block, of this process and its children, in MB."""

    def __enter__(self) -> PeakMemory:
        self.process = psutil.Process()
        self.start = self._rss()
        self.peak = self.start
        self.running = True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _rss(self) -> int:
        processes = [self.process, *self.process.children(recursive=True)]
        total = 0
        for process in processes:
            with contextlib.suppress(psutil.Error):
                total += process.memory_info().rss
        return total

    def _sample(self) -> None:
        while self.running:
            self.peak = max(self.peak, self._rss())
            time.sleep(0.005)

    def __exit__(self, *exc: object) -> None:
        self.running = False
        self.thread.join()
        self.peak = max(self.peak, self._rss())
        self.mb = (self.peak - self.start) / 2**20
        self.total_mb = self.peak / 2**20


def timed(function, *args):
    with PeakMemory() as memory:
        started = time.perf_counter()
        result = function(*args)
        seconds = time.perf_counter() - started
    return result, seconds, memory.mb


def kdtree_sketch(points: gpd.GeoDataFrame, engine: SignalEngine, setup: SignalSetup):
    """Every (point, tower) pair within the tower's reach, one numpy pass per reach class.

    The towers' reach and loss coefficients come from the engine prepared before timing.
    """
    data = engine.towers
    xy = projected_xy(points, setup.crs)
    best = np.full(len(xy), -np.inf)
    constant = data.eirp_dbm - setup.budget.margin_db - data.threshold_dbm - data.loss_at_1km_db
    for reach in np.unique(data.reach_m[data.reach_m > 0]):
        members = np.flatnonzero(data.reach_m == reach)
        tree = cKDTree(data.xy[members])
        for start in range(0, len(xy), SKETCH_CHUNK):
            chunk = xy[start : start + SKETCH_CHUNK]
            pairs = tree.sparse_distance_matrix(cKDTree(chunk), reach, output_type="ndarray")
            tower = members[pairs["i"]]
            distance_km = np.maximum(pairs["v"] / 1000.0, 1.0)
            margin = constant[tower] - data.loss_per_decade_db[tower] * np.log10(distance_km)
            np.maximum.at(best, start + pairs["j"], margin)
    return best


def sjoin_nearest_hata(points: gpd.GeoDataFrame, engine: SignalEngine, setup: SignalSetup):
    """Hata from each point's nearest tower only (geopandas sjoin_nearest)."""
    data = engine.towers
    frame = gpd.GeoDataFrame(
        {"tower": np.arange(len(data.ids))},
        geometry=gpd.points_from_xy(data.xy[:, 0], data.xy[:, 1]),
        crs=setup.crs,
    )
    metric = points[["geometry"]].to_crs(setup.crs)
    joined = gpd.sjoin_nearest(metric, frame, distance_col="distance_m")
    joined = joined[~joined.index.duplicated()]
    tower = joined["tower"].to_numpy()
    distance_km = np.maximum(joined["distance_m"].to_numpy() / 1000.0, 1.0)
    loss = data.loss_at_1km_db[tower] + data.loss_per_decade_db[tower] * np.log10(distance_km)
    margin = data.eirp_dbm[tower] - loss - setup.budget.margin_db - data.threshold_dbm[tower]
    return np.where(distance_km * 1000.0 <= data.reach_m[tower], margin, -np.inf)


def kernel_rows(households: int) -> list[dict]:
    province = make_province(
        villages=max(1, round(households / HOUSEHOLDS_PER_VILLAGE)), towers=round(10_000 / 0.85),
        seed=7,
    )  # fmt: skip
    points = validate_households(province.households)
    masts = validate_towers(province.towers)
    masts = masts[masts["technology"].isin(["2G", "4G"])]
    setup = SignalSetup(model="hata").in_crs(metric_crs(points))
    predict_signal(points.iloc[:1000], masts, setup, progress=False)  # compile once
    exact, seconds, mb = timed(lambda: predict_signal(points, masts, setup, progress=False))
    weak = setup.budget.weak_band_db
    truth = signal_status(exact["best_margin_db"].to_numpy(), weak)
    rows = [("whitespot predict_signal", seconds, mb, 0.0)]
    prepared = SignalEngine.prepare(masts, setup)  # the peers' tower data, not timed
    for name, function in (
        ("KD-tree pair sketch (numpy)", kdtree_sketch),
        ("sjoin_nearest + Hata", sjoin_nearest_hata),
    ):
        margin, seconds, mb = timed(function, points, prepared, setup)
        margin = np.where(margin < -weak, np.nan, margin)
        rows.append((name, seconds, mb, float(np.mean(signal_status(margin, weak) != truth))))
    return [
        {"method": n, "households": len(points), "towers": len(masts), "seconds": s, "mb": m,
         "wrong_class": w}
        for n, s, m, w in rows
    ]  # fmt: skip


def write_country(households: int, folder: Path, provinces: int = 34) -> None:
    """Generate the country once: households per province, villages and towers whole."""
    if (folder / "done").exists():
        return
    villages, towers = [], []
    for province in make_country(provinces=provinces, households=households, towers=COUNTRY_TOWERS):
        code = province.villages["province_code"].iloc[0]
        write_layer(province.households, folder / "households" / f"province={code}" / "h.parquet")
        villages.append(province.villages)
        towers.append(province.towers)
    write_layer(pd.concat(villages, ignore_index=True), folder / "villages.parquet")
    write_layer(pd.concat(towers, ignore_index=True), folder / "towers.parquet")
    (folder / "done").write_text("ok")


def country_row(folder: Path, workers: int) -> dict:
    villages = validate_villages(read_layer(folder / "villages.parquet"))
    towers = validate_towers(read_layer(folder / "towers.parquet"))
    towers = towers[towers["technology"].isin(["2G", "4G"])]
    setup = SignalSetup(model="hata")
    households = sum(
        pq.ParquetFile(p).metadata.num_rows for p in (folder / "households").rglob("*.parquet")
    )
    with tempfile.TemporaryDirectory() as out, PeakMemory() as memory:
        started = time.perf_counter()
        if workers:
            with closing_cluster(connect(workers=workers)) as client:
                gaps = partitioned_gap_list(
                    villages, towers, folder / "households", out, setup, client=client,
                    progress=False,
                )  # fmt: skip
        else:
            gaps = partitioned_gap_list(
                villages, towers, folder / "households", out, setup, progress=False
            )
        seconds = time.perf_counter() - started
    return {
        "run": f"LocalCluster {workers} workers" if workers else "one process",
        "households": households,
        "villages": len(villages),
        "towers": len(towers),
        "seconds": seconds,
        "per_second": households / seconds,
        "peak_mb": memory.total_mb,
        "without_signal": gaps.totals()["households_without_signal"],
    }


def read_write_floor(folder: Path, out: Path) -> None:
    """The plain floor: read every household partition with geopandas, write it back."""
    for part in sorted((folder / "households").rglob("*.parquet")):
        target = out / part.relative_to(folder / "households")
        target.parent.mkdir(parents=True, exist_ok=True)
        gpd.read_parquet(part).to_parquet(target, index=False)


def floor_row(folder: Path, repeat: int) -> dict:
    """Seconds of the read + write floor and of whitespot, the fastest of `repeat` rounds."""
    villages = validate_villages(read_layer(folder / "villages.parquet"))
    towers = validate_towers(read_layer(folder / "towers.parquet"))
    towers = towers[towers["technology"].isin(["2G", "4G"])]
    setup = SignalSetup(model="hata")
    parts = sorted((folder / "households").rglob("*.parquet"))
    households = sum(pq.ParquetFile(p).metadata.num_rows for p in parts)

    def whitespot(out: Path) -> None:
        partitioned_gap_list(villages, towers, folder / "households", out, setup, progress=False)

    def seconds(function) -> float:
        with tempfile.TemporaryDirectory() as out:
            started = time.perf_counter()
            function(Path(out) / "out")
            return time.perf_counter() - started

    seconds(whitespot)  # compile the kernel, warm the files
    floor, ours = [], []
    for _ in range(repeat):
        floor.append(seconds(lambda out: read_write_floor(folder, out)))
        ours.append(seconds(whitespot))
    started = time.perf_counter()
    prepare_gap_list(villages, towers, setup)
    return {
        "households": households,
        "partitions": len(parts),
        "floor": min(floor),
        "whitespot": min(ours),
        "towers": time.perf_counter() - started,
    }


def floor_table(args: argparse.Namespace) -> None:
    print(
        f"{'households':>10} {'partitions':>10} {'read+write':>10} {'whitespot':>9} "
        f"{'ratio':>6} {'towers':>7}"
    )
    for size in args.floor_sizes:
        folder = Path(args.data) / f"country-{size}-{args.partitions}"
        write_country(size, folder, args.partitions)
        row = run_child("floor", str(folder), str(args.repeat))
        print(
            f"{row['households']:>10,} {row['partitions']:>10} {row['floor']:>9.2f}s "
            f"{row['whitespot']:>8.2f}s {row['whitespot'] / row['floor']:>6.2f} "
            f"{row['towers']:>6.2f}s"
        )


def child(kind: str, argument: str, extra: str) -> None:
    if kind == "floor":
        print(json.dumps(floor_row(Path(argument), int(extra))))
    elif kind == "kernel":
        print(json.dumps(kernel_rows(int(argument))))
    else:
        print(json.dumps(country_row(Path(argument), int(extra))))


def run_child(*args: str) -> object:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    parser.add_argument("--data", default="benchmarks/.country", help="generated countries")
    parser.add_argument("--floor", action="store_true", help="part 3 only: the I/O floor")
    parser.add_argument(
        "--floor-sizes", type=int, nargs="+", default=[100_000, 1_000_000, 3_000_000]
    )
    parser.add_argument("--partitions", type=int, default=34, help="provinces, part 3")
    parser.add_argument("--repeat", type=int, default=2, help="rounds of part 3")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    if args.floor:
        floor_table(args)
        return
    kernel_size = 100_000 if args.quick else 1_000_000
    print(f"{'method':<30} {'households':>10} {'towers':>7} {'seconds':>8} {'MB':>6} {'wrong':>7}")
    for row in run_child("kernel", str(kernel_size), "0"):
        print(
            f"{row['method']:<30} {row['households']:>10,} {row['towers']:>7,} "
            f"{row['seconds']:>8.2f} {row['mb']:>6.0f} {row['wrong_class']:>7.2%}"
        )
    print()
    sizes = [1_000_000] if args.quick else [1_000_000, 10_000_000, 27_000_000]
    print(
        f"{'country run':<24} {'households':>11} {'villages':>8} {'towers':>7} {'seconds':>8} "
        f"{'hh/s':>10} {'peak MB':>8} {'hh w/o signal':>13}"
    )
    for size in sizes:
        folder = Path(args.data) / f"country-{size}"
        write_country(size, folder)
        for workers in (0, 2):
            row = run_child("country", str(folder), str(workers))
            print(
                f"{row['run']:<24} {row['households']:>11,} {row['villages']:>8,} "
                f"{row['towers']:>7,} {row['seconds']:>8.1f} {row['per_second']:>10,.0f} "
                f"{row['peak_mb']:>8.0f} {row['without_signal']:>13,}"
            )


if __name__ == "__main__":
    main()
