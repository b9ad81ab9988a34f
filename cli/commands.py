"""One function per subcommand: call the public API, write files, print a short summary."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from whitespot.data import (
    VIETNAM_BBOX,
    load_sample,
    make_province,
    read_opencellid,
    read_terrain,
    validate_layer,
    write_layer,
    write_province,
)
from whitespot.data.sample import village_table


def demo(args: argparse.Namespace) -> int:
    """``whitespot demo --out DIR``: the pipeline on the sample province."""
    started = time.perf_counter()
    out = Path(args.out)
    province = load_sample()
    villages = validate_layer("villages", province.villages)
    written = write_province(province, out / "sample")
    write_layer(village_table(villages), out / "villages.csv")
    unelectrified = villages["electrified"] == 0
    lines = [
        "whitespot demo on the sample province (synthetic data, see whitespot.data.sample)",
        f"  villages:   {len(villages):>7,}  ({int(villages['households'].sum()):,} households)",
        f"  households: {len(province.households):>7,}",
        f"  towers:     {len(province.towers):>7,}  "
        f"({', '.join(sorted(province.towers['operator'].unique()))})",
        f"  grid lines: {len(province.grid):>7,}",
        f"  villages without power: {int(unelectrified.sum()):,} "
        f"({int(villages.loc[unelectrified, 'households'].sum()):,} households)",
        f"  DEM: {province.terrain.shape[0]} x {province.terrain.shape[1]} cells",
        f"wrote {out / 'sample'} ({', '.join(sorted({p.name for p in written.values()}))}), "
        f"{out / 'villages.csv'}, {out / 'summary.txt'}",
        f"done in {time.perf_counter() - started:.1f} s",
    ]
    text = "\n".join(lines)
    (out / "summary.txt").write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    print(text)
    return 0


def validate(args: argparse.Namespace) -> int:
    """``whitespot validate LAYER PATH``: print what is wrong with a file."""
    region = None if args.anywhere else (args.region or VIETNAM_BBOX)
    if args.layer == "terrain":
        terrain = read_terrain(args.path)
        print(
            f"terrain ({Path(args.path).name}): OK, {terrain.shape[0]} x {terrain.shape[1]} cells"
        )
        return 0
    if args.layer == "opencellid":
        layer = read_opencellid(args.path, region=region)
        print(f"opencellid ({Path(args.path).name}): OK, {len(layer):,} towers")
        return 0
    layer = validate_layer(args.layer, args.path, region=region)
    name = Path(args.path).name
    print(f"{args.layer} ({name}): OK, {len(layer):,} rows, CRS {layer.crs.to_string()}")
    return 0


def sample(args: argparse.Namespace) -> int:
    """``whitespot sample --out DIR``: generate a synthetic province."""
    province = make_province(villages=args.villages, towers=args.towers, seed=args.seed)
    written = write_province(province, args.out)
    files = ", ".join(sorted({str(path) for path in written.values()}))
    print(
        f"wrote {len(province.villages):,} villages, {len(province.households):,} households, "
        f"{len(province.towers):,} towers to {files}"
    )
    return 0
