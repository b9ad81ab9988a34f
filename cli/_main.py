"""Argument parsing and error handling of the ``whitespot`` command."""

from __future__ import annotations

import argparse
import errno
import gc
import math
import os
import signal
import sys
import traceback
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

from pyproj import CRS
from pyproj.exceptions import CRSError

from whitespot import __version__
from whitespot._errors import WhitespotError
from whitespot.cli import EXIT_INTERRUPTED, forget_interrupt
from whitespot.cli import _commands as commands
from whitespot.cli._outputs import name_max, name_too_long, output_problem
from whitespot.coverage._export import GAP_LIST_FORMATS
from whitespot.data import TECHNOLOGIES
from whitespot.data._buildings import MIN_CONFIDENCE
from whitespot.data._crs import checked_metric_crs
from whitespot.data._dem import FALLBACKS
from whitespot.data._labels import LANGUAGES
from whitespot.data._opencellid import VIETNAM_MCC
from whitespot.data._schema import LAYERS
from whitespot.data._swap import recording_writes
from whitespot.department._headers import FIELDS
from whitespot.planning import METHODS
from whitespot.radio import (
    BUILDING_TYPES,
    CLIMATES,
    CLUTTER_TYPES,
    COST231_ENVIRONMENTS,
    HATA_ENVIRONMENTS,
    MODEL_NAMES,
    SetupError,
)
from whitespot.radio._calibration import GROUP_KEYS

EXIT_OK = 0
EXIT_INVALID_INPUT = 1
EXIT_USAGE = 2
EXIT_FILE = 3
EXIT_INTERNAL = 4

PLAN_SUFFIXES = (".csv", ".xlsx", ".geojson", ".gpkg")
MAP_SUFFIXES = (".html", ".kmz")
ENVIRONMENTS = (*HATA_ENVIRONMENTS, *COST231_ENVIRONMENTS)


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of the ``whitespot`` command and its subcommands."""
    parser = argparse.ArgumentParser(
        prog="whitespot",
        description="Find places without mobile signal or power, list them, plan towers.",
        epilog="Exit codes: 0 ok, 1 invalid input data, 2 bad command line, "
        "3 file not found or not writable, 4 internal error (rerun with --debug), "
        "130 interrupted (Ctrl-C), 143 terminated.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    parser.add_argument("--version", action="version", version=f"whitespot {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = sub.add_parser("demo", help="run the pipeline on the embedded sample province")
    demo.add_argument(
        "--out", required=True, type=_package_folder, help="folder to write the results into"
    )
    demo.set_defaults(run=commands.demo)
    _add_gaps(sub)
    _add_report(sub)
    _add_plan(sub)
    _add_map(sub)
    _add_calibrate(sub)
    _add_validate(sub)
    _add_sample(sub)
    return parser


def _add_opencellid_options(parser: argparse.ArgumentParser, *, flag: bool = True) -> None:
    if flag:
        parser.add_argument("--opencellid", action="store_true", help="towers file is OpenCelliD")
    parser.add_argument(
        "--mcc",
        type=_mcc,
        default=VIETNAM_MCC,
        help=f"OpenCelliD: keep the cells of this mobile country code (default {VIETNAM_MCC}, "
        "Viet Nam; 'any' keeps all)",
    )


def _mcc(text: str) -> int | None:
    if text.strip().lower() == "any":
        return None
    if not text.strip().isdigit() or not 200 <= int(text) <= 799:
        raise argparse.ArgumentTypeError(f"{text!r} is not a mobile country code (200-799)")
    return int(text)


def _add_gaps(sub: argparse._SubParsersAction) -> None:
    gaps = sub.add_parser("gaps", help="list the villages without signal or power")
    gaps.add_argument("--villages", required=True, help="villages file")
    gaps.add_argument("--towers", required=True, help="towers file (or OpenCelliD CSV)")
    _add_opencellid_options(gaps)
    _add_signal_options(gaps)
    _add_department_options(gaps)
    _add_cluster_options(gaps, "predict the households")
    _add_footprint_options(gaps)
    gaps.add_argument(
        "--out",
        required=True,
        type=_output(GAP_LIST_FORMATS),
        help="gaps.xlsx, gaps.csv, gaps.geojson, gaps.gpkg or gaps.parquet",
    )
    gaps.set_defaults(run=commands.gaps)


def _add_footprint_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--buildings",
        help="building footprints (Open Buildings CSV, Microsoft GeoJSON lines, GeoParquet, "
        "GeoPackage), a file or a folder of files: households estimated per village, and the "
        "settlements no list names; with a --households folder read one file at a time "
        "(on Dask with --workers/--scheduler)",
    )
    parser.add_argument("--population", help="population counts per cell (GeoTIFF, e.g. WorldPop)")
    parser.add_argument(
        "--min-confidence",
        type=_share,
        default=MIN_CONFIDENCE,
        help=f"footprints below this model confidence are left out (default {MIN_CONFIDENCE:g})",
    )


def _add_cluster_options(parser: argparse.ArgumentParser, what: str) -> None:
    cluster = parser.add_mutually_exclusive_group()
    cluster.add_argument(
        "--workers",
        type=_positive(int),
        help=f"{what} on a Dask LocalCluster of N worker processes (pip install 'whitespot[dask]')",
    )
    cluster.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        type=_scheduler_address,
        help="join an existing Dask cluster (tcp://host:8786)",
    )


SCHEDULER_PROTOCOLS = ("tcp", "tls", "ws", "wss", "ucx")
"""Protocols of a Dask scheduler address (``tcp://host:port``; ``host:port`` means tcp)."""


def _scheduler_address(text: str) -> str:
    """Check a Dask scheduler address, ``tcp://host:port``, before anything is read."""
    address = text.strip()
    protocol, sep, rest = address.rpartition("://")
    host, colon, port = rest.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")  # [::1]:8786, an IPv6 host
    if (
        (sep and protocol not in SCHEDULER_PROTOCOLS)
        or not colon
        or not host
        or not port.isdigit()
        or not 0 < int(port) < 65536
    ):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a scheduler address: write tcp://host:port, such as "
            "tcp://10.0.0.5:8786 (the address the Dask scheduler prints when it starts)"
        )
    return address


def _add_signal_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--households",
        help="households file (signal per household), or a folder of GeoParquet partitions "
        "(one per province or tile: the country, one partition in memory at a time)",
    )
    parser.add_argument("--grid", help="power lines file")
    _add_model_options(parser)
    parser.add_argument("--technology", choices=TECHNOLOGIES, help="only this technology")
    parser.add_argument(
        "--covered-share",
        type=_share,
        default=0.8,
        help="share of households that makes a village covered (default 0.8)",
    )
    parser.add_argument(
        "--max-grid-km",
        type=_non_negative(float),
        default=5.0,
        help="grid distance beyond which a village counts as without power",
    )
    parser.add_argument(
        "--building-loss-db",
        type=_non_negative(float),
        default=0.0,
        help="building entry loss, dB (0 = outdoor coverage)",
    )
    parser.add_argument(
        "--fading-margin-db", type=_non_negative(float), default=0.0, help="fading margin dB"
    )
    _add_receiver_options(parser)
    _add_calibration_option(parser)
    parser.add_argument(
        "--measurements",
        help="measured levels (drive test, crowdsourced; CSV/XLSX/GPKG/GeoJSON/Parquet): each "
        "village's evidence beside the survey column of the villages",
    )
    parser.add_argument(
        "--evidence-radius-m",
        type=_positive(float),
        default=500.0,
        help="measurements within this distance of a village are its evidence, m (default 500)",
    )
    parser.add_argument(
        "--crs",
        type=_metric_crs,
        help="metric CRS of the distances, e.g. EPSG:3405 (default: the UTM zone of the "
        "villages; give one for data wider than a UTM zone, such as the whole country)",
    )
    parser.add_argument("--anywhere", action="store_true", help="no Viet Nam region check")


def _add_receiver_options(parser: argparse.ArgumentParser) -> None:
    """Add the tender's receiver options (read by commands._receiver_setup)."""
    parser.add_argument(
        "--location-probability",
        type=_percentage,
        help="judge places at this %% of locations (cell edge), e.g. 90: the median margin "
        "must reach z(p) x sigma (default: the median prediction, 50)",
    )
    parser.add_argument(
        "--location-sigma-db",
        type=_non_negative(float),
        help="location variability sigma, dB (default: the calibration's residual spread "
        "per operator x technology, else 8 dB for RMa NLOS, 3GPP TR 38.901)",
    )
    parser.add_argument(
        "--clutter",
        choices=CLUTTER_TYPES,
        help="ITU-R P.2108-1 section 3.1 clutter around the receiver (Table 3 heights)",
    )
    parser.add_argument(
        "--clutter-height-m", type=_positive(float), help="clutter height R, m (with --clutter)"
    )
    parser.add_argument(
        "--clutter-percent",
        type=_percentage,
        help="add the ITU-R P.2108-1 section 3.2 statistical clutter loss at this %% of locations",
    )
    parser.add_argument(
        "--indoor",
        choices=("p2109", "fixed"),
        help="judge households indoors: ITU-R P.2109-2 building entry loss, or the fixed "
        "--building-loss-db (the outdoor status is kept beside it)",
    )
    parser.add_argument(
        "--indoor-percent",
        type=_percentage,
        default=50.0,
        help="%% at which the P.2109 loss is not exceeded (default 50)",
    )
    parser.add_argument(
        "--building",
        choices=BUILDING_TYPES,
        default="traditional",
        help="P.2109 building type (default traditional)",
    )


def _add_model_options(parser: argparse.ArgumentParser) -> None:
    """Add the options of the path-loss model and its DEM (read by commands._model_setup)."""
    parser.add_argument("--dem", help="GeoTIFF DEM (default model becomes 'terrain')")
    _add_dem_fallback(parser)
    parser.add_argument(
        "--model", choices=MODEL_NAMES, help="path-loss model (default rma, or terrain with --dem)"
    )
    parser.add_argument(
        "--environment",
        choices=ENVIRONMENTS,
        help="Hata: open, suburban, urban, urban_large; COST-231: medium, metropolitan",
    )
    parser.add_argument(
        "--extrapolate", action="store_true", help="use the model outside its validity range"
    )
    parser.add_argument(
        "--itm-climate",
        choices=CLIMATES,
        default="equatorial",
        help="ITM radio climate (--model itm; default equatorial, Viet Nam's)",
    )
    parser.add_argument(
        "--itm-reliability",
        type=_percentage,
        default=50.0,
        help="ITM: %% of time and of locations the predicted level is reached (default 50)",
    )


def _percentage(text: str) -> float:
    value = _number(float, text)
    if not 0.0 < value < 100.0:
        raise argparse.ArgumentTypeError(f"{text} must be a percentage between 0 and 100")
    return value


def _add_calibration_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--calibration",
        help="calibration.json written by 'whitespot calibrate': the model's corrections "
        "per operator and technology",
    )


def _add_department_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--columns",
        action="append",
        type=_column_option,
        metavar="KEY=HEADER",
        help="a header of a department's village list the built-in map does not know, e.g. "
        "households='Tổng số hộ' (repeatable; keys: " + ", ".join(FIELDS) + ")",
    )
    parser.add_argument(
        "--communes", help="post-2025 commune boundaries with commune_code (split communes)"
    )


def _add_report(sub: argparse._SubParsersAction) -> None:
    report = sub.add_parser(
        "report",
        help="a department's submission package from its own village list",
        description="Read a department's village list (XLSX/CSV, Vietnamese or English "
        "headers, district-era names), convert it to the post-2025 units, find the villages "
        "without signal or power, check the data, compare with the previous submission and "
        "write the package: gap_list.xlsx/.csv/.geojson/.kmz, data_quality.csv, map.html, "
        "summary.html.",
    )
    report.add_argument("--villages", required=True, help="the department's village list")
    _add_footprint_options(report)
    report.add_argument("--towers", required=True, help="towers file (or OpenCelliD CSV)")
    _add_opencellid_options(report)
    _add_signal_options(report)
    _add_department_options(report)
    report.add_argument("--previous", help="the previous submission's gap list (.xlsx ...)")
    report.add_argument("--target", type=_positive(int), help="locations the programme covers")
    report.add_argument(
        "--match-distance-m",
        type=_positive(float),
        default=300.0,
        help="match villages of the two submissions within this distance, m (default 300)",
    )
    report.add_argument(
        "--duplicate-distance-m",
        type=_positive(float),
        default=100.0,
        help="villages closer than this are likely duplicates, m (default 100)",
    )
    report.add_argument(
        "--max-age-days", type=_positive(int), default=365, help="data older than this is stale"
    )
    report.add_argument("--lang", choices=LANGUAGES, default="vi", help="default vi")
    report.add_argument("--out", required=True, type=_package_folder, help="folder for the package")
    report.set_defaults(run=commands.report)


def _add_plan(sub: argparse._SubParsersAction) -> None:
    plan = sub.add_parser("plan", help="choose, cost and rank new tower sites for bidding")
    plan.add_argument("--gaps", required=True, help="gap list written by 'whitespot gaps'")
    objective = plan.add_mutually_exclusive_group(required=True)
    objective.add_argument("--sites", type=_non_negative(int), help="number of sites to build")
    objective.add_argument(
        "--budget", type=_non_negative(float), help="money to spend (unit costs' currency)"
    )
    objective.add_argument("--cover-all", action="store_true", help="least cost covering all")
    plan.add_argument("--candidates", help="candidate sites file (default: around the gaps)")
    plan.add_argument(
        "--plan-unlisted",
        action="store_true",
        help="plan for the settlements no list names too (off by default: estimates)",
    )
    plan.add_argument("--method", choices=METHODS, default="auto", help="default auto")
    plan.add_argument(
        "--time-limit", type=_positive(float), default=60.0, help="solver time limit, s"
    )
    plan.add_argument("--towers", help="existing towers (backhaul anchors)")
    plan.add_argument("--grid", help="power lines file")
    plan.add_argument("--dem", help="GeoTIFF DEM (high-point candidates, terrain model)")
    _add_dem_fallback(plan)
    plan.add_argument("--technology", choices=TECHNOLOGIES, default="4G", help="of new sites")
    plan.add_argument("--model", choices=MODEL_NAMES, help="default: the gap list's model")
    plan.add_argument(
        "--calibration", help="calibration.json (default: the gap list's own calibration)"
    )
    plan.add_argument("--lots-by", choices=["commune", "backhaul"], default="commune")
    plan.add_argument("--anywhere", action="store_true", help="no Viet Nam region check")
    plan.add_argument(
        "--by-province",
        action="store_true",
        help="plan each province (or group of provinces sharing demand) on its own, with "
        "--sites/--budget per group, and write the national ranked list and summary",
    )
    _add_cluster_options(plan, "plan the province groups")
    plan.add_argument(
        "--options",
        action="store_true",
        help="also weigh co-location on other operators' towers, upgrades of 2G/3G towers "
        "and satellite community terminals, by cost over 10 years (default costs: "
        "whitespot.planning.OptionCosts; needs --towers)",
    )
    plan.add_argument(
        "--operator",
        help="with --options: the operator the plan is for (co-location on the others' "
        "towers, upgrades of its own)",
    )
    plan.add_argument(
        "--tender",
        type=_out_folder,
        metavar="FOLDER",
        help="also write the bid package there: lots with their villages, sites, subsidy "
        "ceilings and the prediction's supporting data (tender.xlsx, CSV, tender.kmz)",
    )
    plan.add_argument(
        "--contingency",
        type=_share,
        default=0.1,
        help="share added to each lot's costs for its subsidy ceiling (default 0.1)",
    )
    plan.add_argument("--lang", choices=LANGUAGES, default="vi", help="of the bid package")
    plan.add_argument(
        "--out",
        required=True,
        type=_output(PLAN_SUFFIXES),
        help="sites.xlsx, sites.csv, sites.geojson or .gpkg",
    )
    plan.set_defaults(run=commands.plan)


def _add_map(sub: argparse._SubParsersAction) -> None:
    drawing = sub.add_parser(
        "map", help="draw gaps (and a plan) as one HTML map, or a KMZ for Google Earth"
    )
    drawing.add_argument("--gaps", required=True, help="gap list written by 'whitespot gaps'")
    drawing.add_argument("--sites", help="ranked sites written by 'whitespot plan' (.geojson)")
    drawing.add_argument("--towers", help="existing towers")
    drawing.add_argument("--grid", help="power lines")
    drawing.add_argument(
        "--measurements",
        help="measured levels: drawn by level, and their residual against the gap list's "
        "model (needs --towers)",
    )
    drawing.add_argument(
        "--calibration", help="calibration.json for the residuals (default: the gap list's)"
    )
    drawing.add_argument("--anywhere", action="store_true", help="no Viet Nam region check")
    drawing.add_argument(
        "--out",
        required=True,
        type=_output(MAP_SUFFIXES),
        help="map.html, or map.kmz for Google Earth (villages by commune, sites by lot)",
    )
    drawing.set_defaults(run=commands.map_html)


def _add_calibrate(sub: argparse._SubParsersAction) -> None:
    calibrate = sub.add_parser(
        "calibrate",
        help="tune a path-loss model to measured levels (offset and slope per group)",
        description="Fit an offset and a slope per decade of distance (K1/K2) to the "
        "model's path loss for each operator and technology, by robust least squares on "
        "(measurement, serving tower) pairs; report RMSE before, after and on held-out "
        "spatial blocks; write calibration.json for --calibration.",
    )
    calibrate.add_argument("--towers", required=True, help="towers file (or OpenCelliD CSV)")
    _add_opencellid_options(calibrate)
    calibrate.add_argument("--measurements", required=True, help="measured levels file")
    _add_model_options(calibrate)
    calibrate.add_argument(
        "--by",
        type=_group_keys,
        default=GROUP_KEYS,
        help="group by these columns, comma-separated (default operator,technology; "
        "'none' fits one group)",
    )
    calibrate.add_argument(
        "--block-km",
        type=_positive(float),
        default=2.0,
        help="side of the spatial blocks of the cross-validation, km (default 2)",
    )
    calibrate.add_argument("--crs", type=_metric_crs, help="metric CRS of the distances")
    calibrate.add_argument("--anywhere", action="store_true", help="no Viet Nam region check")
    calibrate.add_argument(
        "--out", required=True, type=_output((".json",)), help="calibration.json"
    )
    calibrate.set_defaults(run=commands.calibrate)


def _group_keys(text: str) -> tuple[str, ...]:
    keys = tuple(k.strip() for k in text.split(",") if k.strip() and k.strip() != "none")
    unknown = [k for k in keys if k not in GROUP_KEYS]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"{', '.join(unknown)}: group by {', '.join(GROUP_KEYS)} (or none)"
        )
    return keys


def _add_validate(sub: argparse._SubParsersAction) -> None:
    validate = sub.add_parser("validate", help="check an input file and list what is wrong")
    validate.add_argument("layer", choices=[*LAYERS, "terrain", "opencellid"])
    _add_opencellid_options(validate, flag=False)
    validate.add_argument(
        "path",
        help="GeoPackage, GeoJSON, Shapefile, GeoParquet, CSV, XLSX "
        "(GeoTIFF for terrain, CSV for opencellid)",
    )
    region = validate.add_mutually_exclusive_group()
    region.add_argument(
        "--region",
        type=_bbox,
        metavar="MINLON,MINLAT,MAXLON,MAXLAT",
        help="plausible region in degrees (default: Viet Nam)",
    )
    region.add_argument(
        "--anywhere", action="store_true", help="accept any valid coordinates (no region check)"
    )
    validate.add_argument(
        "--columns",
        action="append",
        type=_column_option,
        metavar="KEY=HEADER",
        help="villages: a header of a department's list the built-in map does not know",
    )
    for layer in ("villages", "households", "towers"):
        validate.add_argument(
            f"--{layer}",
            dest=f"{layer}_file",
            help=f"terrain: how much of {layer} it covers",
        )
    validate.set_defaults(run=commands.validate)


def _add_sample(sub: argparse._SubParsersAction) -> None:
    sample = sub.add_parser("sample", help="generate a synthetic province of any size")
    sample.add_argument(
        "--out", required=True, type=_package_folder, help="folder for province.gpkg and dem.tif"
    )
    sample.add_argument("--villages", type=_positive(int), default=300, help="number of villages")
    sample.add_argument("--towers", type=_positive(int), default=None, help="number of towers")
    sample.add_argument("--seed", type=int, default=2025, help="random seed")
    sample.set_defaults(run=commands.sample)


def _bbox(text: str) -> tuple[float, float, float, float]:
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        values = ()
    if len(values) != 4 or values[0] >= values[2] or values[1] >= values[3]:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not MINLON,MINLAT,MAXLON,MAXLAT with min < max"
        )
    return values


def _column_option(text: str) -> tuple[str, str]:
    key, sep, header = text.partition("=")
    if not sep or key.strip() not in FIELDS or not header.strip():
        raise argparse.ArgumentTypeError(
            f"{text!r}: write KEY=HEADER with KEY one of {', '.join(FIELDS)}"
        )
    return key.strip(), header.strip()


def _add_dem_fallback(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dem-fallback",
        choices=FALLBACKS,
        help="where the DEM has no ground, use the model without diffraction and flag the "
        "village (default: refuse, naming the places the DEM does not cover)",
    )


def _number(kind: type, text: str) -> float | int:
    """Parse a finite int or float, or raise the parser's error."""
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a {'whole number' if kind is int else 'number'}"
        ) from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


def _positive(kind: type) -> Callable[[str], float | int]:
    def parse(text: str) -> float | int:
        value = _number(kind, text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"{text!r} must be greater than 0")
        return value

    parse.__name__ = f"positive {kind.__name__}"
    return parse


def _non_negative(kind: type) -> Callable[[str], float | int]:
    def parse(text: str) -> float | int:
        value = _number(kind, text)
        if value < 0:
            raise argparse.ArgumentTypeError(f"{text!r} must be 0 or more")
        return value

    parse.__name__ = f"non-negative {kind.__name__}"
    return parse


def _output(suffixes: Sequence[str]) -> Callable[[str], str]:
    """Check an ``--out`` file's suffix before any computation."""

    def parse(text: str) -> str:
        if name_too_long(text):  # said in one line once parsed (output_problem)
            return text
        if Path(text).suffix.lower() not in suffixes:
            raise argparse.ArgumentTypeError(
                f"{text!r}: the output must end in {', '.join(suffixes)}"
            )
        if Path(text).is_dir():
            raise argparse.ArgumentTypeError(f"{text!r} is a folder; give a file name")
        return _out_folder(str(Path(text).parent)) and text

    parse.__name__ = "output file"
    return parse


def _package_folder(text: str) -> str:
    """Check an ``--out`` folder; one that is a file is said once parsed (output_problem)."""
    return text if os.path.isfile(text) else _out_folder(text)


def _out_folder(text: str) -> str:
    """Check that a folder can be made at `text`: no part of the path is a regular file."""
    if name_too_long(text):  # said in one line once parsed (output_problem)
        return text
    for part in (Path(text), *Path(text).parents):
        if part.exists():
            if not part.is_dir():
                raise argparse.ArgumentTypeError(f"{text!r}: {str(part)!r} is a file, not a folder")
            break
    return text


def _metric_crs(text: str) -> CRS:
    """Parse a projected CRS in metres, or raise the parser's error."""
    try:
        return checked_metric_crs(text)
    except (CRSError, ValueError) as error:
        raise argparse.ArgumentTypeError(f"{text!r}: {error}") from None


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a share between 0 and 1")
    return value


def _print_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"warning: {message}", file=sys.stderr)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program stands so that temporary files are removed."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``whitespot`` command; return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    problem = output_problem(args)  # before anything is read
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    previous = signal.signal(signal.SIGTERM, _terminate)
    unraisable = sys.unraisablehook
    if not args.debug:  # a library's generator closed after a write error: said once, above
        sys.unraisablehook = lambda unraisable: None
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _print_warning
            code = _run(args)
    finally:
        signal.signal(signal.SIGTERM, previous)
        gc.collect()  # closes such generators while their complaint is still held
        sys.unraisablehook = unraisable
    return code


def _run(args: argparse.Namespace) -> int:
    written: list[Path] = []
    try:
        with recording_writes() as written:
            return args.run(args)
    except KeyboardInterrupt as stop:
        forget_interrupt()
        return _stopped(args, written, terminated=isinstance(stop, Terminated))
    except Exception as error:
        if isinstance(error, SetupError):
            code, text = EXIT_USAGE, f"the options do not fit together: {error}"
        elif isinstance(error, WhitespotError):  # every input problem whitespot names
            code, text = EXIT_INVALID_INPUT, str(error)
        elif isinstance(error, OSError) and not isinstance(error, UnicodeError):
            code, text = EXIT_FILE, _file_error(error)
        else:
            code = EXIT_INTERNAL
            text = (
                f"internal error: {type(error).__name__}: {error} "
                "(rerun with --debug and report it)"
            )
        print(f"error: {text}", file=sys.stderr)
        if args.debug:
            traceback.print_exc()
        return code


def _stopped(args: argparse.Namespace, written: list[Path], *, terminated: bool) -> int:
    """Say what is on disk after Ctrl-C or SIGTERM; return 0 if ``--out`` was written whole.

    Outputs are recorded as they are put in place, signals held (``recording_writes``):
    an interrupt that came during the swap is delivered after it, and this says so.
    """
    stop = "terminated" if terminated else "interrupted"
    out = getattr(args, "out", None)
    done = {os.path.realpath(path) for path in written}
    if out is not None and os.path.realpath(out) in done:
        print(f"{stop} after {out} was written whole: it is complete", file=sys.stderr)
        return EXIT_OK
    if written:
        files = ", ".join(str(path) for path in written)
        print(f"{stop}: only {files} written (each whole); {out} is incomplete", file=sys.stderr)
    else:
        kept = f"; {out} is as it was" if out is not None else ""
        print(
            f"{stop}: nothing was written{kept} (outputs are written whole or not at all)",
            file=sys.stderr,
        )
    return 128 + signal.SIGTERM if terminated else EXIT_INTERRUPTED


def _file_error(error: OSError) -> str:
    """Return one line for a file that cannot be read or written."""
    if isinstance(error, FileNotFoundError) and error.filename is None:
        return str(error)
    reasons = {
        NotADirectoryError: "a part of the path is a file, not a folder",
        IsADirectoryError: "this is a folder, not a file",
        FileExistsError: "a file is in the way of a folder",
        PermissionError: "permission denied",
    }
    reason = next((text for kind, text in reasons.items() if isinstance(error, kind)), None)
    if error.errno is not None and error.strerror != os.strerror(error.errno):
        reason = error.strerror  # whitespot's own words: what is in the way, what is on disk
    if error.filename is None:
        return str(error)
    if error.errno == errno.ENAMETOOLONG:
        reason = (
            f"a name in this path is longer than the file system allows "
            f"({name_max(error.filename)} bytes)"
        )
    return f"{error.filename}: {reason or error.strerror or error}"
