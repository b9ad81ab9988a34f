"""Peak memory of reading footprint files: ``read_buildings`` beside ``geopandas.read_file``.

Usage::

    python benchmarks/bench_read_buildings.py                 # 1e4, 1e5 and 1e6 footprints
    python benchmarks/bench_read_buildings.py --sizes 10000   # one small size

For each size, the same synthetic footprints (squares of about 11 x 11 m over 1 x 1 degree
of Quang Tri, confidence uniform in 0.6..1) are written, untimed, as:

- ``Open Buildings .csv.gz``: one gzipped CSV with the columns Google ships (``latitude``,
  ``longitude``, ``area_in_meters``, ``confidence``, WKT ``geometry``, ``full_plus_code``);
- ``Microsoft .geojsonl``: GeoJSON features one per line, ``confidence`` and ``height``;
- ``10 .csv.gz tiles``: the Open Buildings file cut into 10 tiles in one folder, as a
  country is downloaded.

Each read runs in a fresh Python process, which reports its peak resident memory
(``ru_maxrss``) above its memory before the read (after the imports) and the seconds:

- ``whitespot``: ``read_buildings(path)`` (in chunks of 200,000 rows; one point per
  footprint kept, with area, confidence and height, low-confidence ones left out);
- ``read_file``: ``geopandas.read_file`` of the same file (``/vsigzip/`` and the CSV
  driver's ``GEOM_POSSIBLE_NAMES=geometry`` for Open Buildings; for the tiles, each tile
  read and the frames concatenated), the plain baseline: every polygon and column held;
- ``memory ratio`` and ``time ratio``: whitespot's over the baseline's.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

CHILD = """
import json, resource, sys, time, warnings
import geopandas as gpd, pandas as pd
from whitespot.data import read_buildings
warnings.simplefilter("ignore")
reader, path = sys.argv[1], sys.argv[2]
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
if reader == "whitespot":
    rows = len(read_buildings(path))
else:
    from pathlib import Path
    files = sorted(Path(path).glob("*.csv.gz")) if Path(path).is_dir() else [Path(path)]
    frames = [
        gpd.read_file(f"/vsigzip/{f}", GEOM_POSSIBLE_NAMES="geometry", KEEP_GEOM_COLUMNS="NO")
        if f.name.endswith(".csv.gz") else gpd.read_file(f)
        for f in files
    ]
    rows = len(pd.concat(frames, ignore_index=True))
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"rows": rows, "seconds": seconds, "mb": (peak - before) / 1024}))
"""


def footprints(n: int, seed: int = 43) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    lon = 106.5 + rng.uniform(0, 1, n)
    lat = 16.5 + rng.uniform(0, 1, n)
    side = 1e-4
    boxes = shapely.box(lon - side / 2, lat - side / 2, lon + side / 2, lat + side / 2)
    return pd.DataFrame(
        {
            "latitude": lat,
            "longitude": lon,
            "area_in_meters": np.round(rng.lognormal(4.3, 0.6, n), 4),
            "confidence": np.round(rng.uniform(0.6, 1.0, n), 4),
            "geometry": shapely.to_wkt(boxes, rounding_precision=7),
            "full_plus_code": "7P6X5PXX+XX",
        }
    )


def write_files(table: pd.DataFrame, folder: Path) -> dict[str, Path]:
    paths = {
        "Open Buildings .csv.gz": folder / "open_buildings.csv.gz",
        "Microsoft .geojsonl": folder / "microsoft.geojsonl",
        "10 .csv.gz tiles": folder / "tiles",
    }
    table.to_csv(paths["Open Buildings .csv.gz"], index=False)
    geometry = shapely.from_wkt(table["geometry"].to_numpy())
    with paths["Microsoft .geojsonl"].open("w") as lines:
        for polygon, confidence in zip(geometry, table["confidence"], strict=True):
            feature = {
                "type": "Feature",
                "properties": {"height": -1.0, "confidence": confidence},
                "geometry": json.loads(shapely.to_geojson(polygon)),
            }
            lines.write(json.dumps(feature) + "\n")
    paths["10 .csv.gz tiles"].mkdir()
    tile = np.minimum((table["longitude"].to_numpy() - 106.5) * 10, 9).astype(int)
    for t in range(10):
        part = paths["10 .csv.gz tiles"] / f"tile_{t}_buildings.csv.gz"
        table[tile == t].to_csv(part, index=False)
    return paths


def measure(reader: str, path: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, reader, str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    rows = []
    for size in parser.parse_args().sizes:
        with tempfile.TemporaryDirectory() as folder:
            paths = write_files(footprints(size), Path(folder))
            for name, path in paths.items():
                mine = measure("whitespot", path)
                theirs = measure("read_file", path)
                rows.append(
                    {
                        "footprints": f"{size:,}",
                        "file": name,
                        "whitespot MB": round(mine["mb"]),
                        "whitespot s": round(mine["seconds"], 2),
                        "kept": f"{mine['rows']:,}",
                        "read_file MB": round(theirs["mb"]),
                        "read_file s": round(theirs["seconds"], 2),
                        "memory ratio": round(mine["mb"] / max(theirs["mb"], 1e-9), 2),
                        "time ratio": round(mine["seconds"] / theirs["seconds"], 2),
                    }
                )
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
