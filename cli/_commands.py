"""One function per subcommand: call the public API, write files, print a short summary."""

from __future__ import annotations

import argparse
import time
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from whitespot._parallel import closing_cluster, connect
from whitespot.coverage import (
    GapCriteria,
    dead_zones,
    department_gap_list,
    gap_list,
    partitioned_gap_list,
    read_gap_list,
    signal_raster,
    write_gap_list,
    write_signal_raster,
)
from whitespot.coverage._unlisted import without_unlisted
from whitespot.data import (
    Problem,
    ValidationError,
    load_sample,
    make_province,
    read_buildings,
    read_layer,
    read_opencellid,
    read_population,
    read_terrain,
    validate_layer,
    write_layer,
    write_province,
)
from whitespot.data._labels import counted
from whitespot.data._schema import VIETNAM_BBOX
from whitespot.department import QualityConfig, read_village_list
from whitespot.evidence import calibrate as fit_calibration
from whitespot.evidence import measured_pairs
from whitespot.evidence._measured import EXCLUSIONS
from whitespot.maps import gap_map, plan_map, save_map, write_kmz
from whitespot.planning import (
    OptionCosts,
    plan_country,
    plan_sites,
    read_candidates,
    read_plan,
    write_country_plan,
    write_plan,
)
from whitespot.radio import (
    ItmParameters,
    LinkBudget,
    SetupError,
    SignalSetup,
    read_calibration,
    terrain_coverage,
)
from whitespot.report import department_submission, tender_package, write_submission, write_tender

DEPARTMENT_SUFFIXES = (".csv", ".txt", ".xlsx", ".xls", ".kml", ".kmz")
"""Village files that may be a department's own list rather than whitespot's form."""

MAX_PROBLEM_LINES = 50
"""Problems of a department's list printed by ``validate`` (the report's sheet lists all)."""

DEMO_BUDGET = 30_000.0
"""Budget of the demo's plan, million VND (about 20 sites)."""


def _optional_layers(*layers: tuple[str, str | None], region: object) -> list:
    """Validate each (layer, path) given on the command line; None where no path was given."""
    return [validate_layer(name, path, region=region) if path else None for name, path in layers]


def demo(args: argparse.Namespace) -> int:
    """``whitespot demo --out DIR``: the pipeline on the sample province."""
    started = time.perf_counter()
    out = Path(args.out)
    province = load_sample()
    layers = {
        name: validate_layer(name, getattr(province, name))
        for name in ("villages", "households", "towers", "grid")
    }
    written = set(write_province(province, out / "sample").values())
    setup = SignalSetup(model="terrain", terrain=province.terrain)
    gaps = gap_list(
        layers["villages"],
        layers["towers"],
        setup,
        households=layers["households"],
        grid=layers["grid"],
    )
    for suffix in (".xlsx", ".geojson", ".csv"):
        written.update(write_gap_list(gaps, out / f"gaps{suffix}"))
    plan_result = plan_sites(
        gaps,
        budget=DEMO_BUDGET,
        towers=layers["towers"],
        grid=layers["grid"],
        terrain=province.terrain,
    )
    for suffix in (".xlsx", ".geojson"):
        written.update(write_plan(plan_result, out / f"sites{suffix}"))
    raster = signal_raster(layers["towers"], layers["villages"], setup, resolution_m=500.0)
    written.add(write_signal_raster(raster, out / "signal.tif"))
    zones = dead_zones(raster, layers["households"])
    written.add(write_layer(zones, out / "dead_zones.geojson"))
    fmap = plan_map(
        plan_result, gaps, towers=layers["towers"], grid=layers["grid"], raster=raster, zones=zones
    )
    written.add(save_map(fmap, out / "map.html"))
    lines = [
        "whitespot demo on the sample province (synthetic data, see whitespot.data.sample)",
        f"  villages {len(layers['villages']):,}, households {len(layers['households']):,}, "
        f"towers {len(layers['towers']):,}, grid lines {len(layers['grid']):,}",
        f"  model: {gaps.settings['model_description']}",
        f"  {gaps.headline()}",
        f"  plan for {DEMO_BUDGET:,.0f} {plan_result.settings['currency']}: "
        f"{plan_result.headline()}",
        f"  {plan_result.selection.summary()}",
        f"wrote {len(written)} files to {out}: "
        + ", ".join(sorted(str(p.relative_to(out)) for p in written)),
    ]
    (out / "summary.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    print(f"done in {time.perf_counter() - started:.1f} s")
    return 0


def _signal_inputs(args: argparse.Namespace) -> tuple[object, SignalSetup, dict[str, object]]:
    """Towers, the signal setup and the other layers and rules from the shared arguments.

    The setup is checked here, before any computation (``ValueError`` names the part).
    """
    region = None if args.anywhere else VIETNAM_BBOX
    setup = _model_setup(args).replace(
        budget=LinkBudget(
            building_loss_db=args.building_loss_db, fading_margin_db=args.fading_margin_db
        ),
        technology=args.technology,
        calibration=read_calibration(args.calibration) if args.calibration else None,
        **_receiver_setup(args),
    )
    towers = _towers(args, region)
    partitioned = args.households and Path(args.households).is_dir()
    households, grid, measurements = _optional_layers(
        ("households", None if partitioned else args.households),
        ("grid", args.grid),
        ("measurements", args.measurements),
        region=region,
    )
    layers = {
        "households": Path(args.households) if partitioned else households,
        "grid": grid,
        "measurements": measurements,
        "criteria": GapCriteria(
            covered_share=args.covered_share,
            max_grid_distance_km=args.max_grid_km,
            evidence_radius_m=args.evidence_radius_m,
        ),
    }
    if setup.calibration is not None:
        print(
            f"calibration {args.calibration}: "
            + setup.calibration.coverage_note(towers["operator"], towers["technology"])
        )
    return towers, setup, layers


def _receiver_setup(args: argparse.Namespace) -> dict[str, object]:
    """Return the receiver options given (location probability, clutter, indoors)."""
    out: dict[str, object] = {
        "location_sigma_db": args.location_sigma_db,
        "clutter": args.clutter,
        "clutter_height_m": args.clutter_height_m,
        "clutter_percent": args.clutter_percent,
        "indoor": args.indoor,
        "indoor_percent": args.indoor_percent,
        "building": args.building,
    }
    if args.location_probability is not None:
        out["location_probability"] = args.location_probability / 100.0
    return out


def _model_setup(args: argparse.Namespace) -> SignalSetup:
    """Return the setup of the model options (``--model``, ``--dem``, ``--environment`` ...).

    Without ``--model`` a DEM makes it the terrain model, else RMa.
    """
    terrain = read_terrain(args.dem, fallback=args.dem_fallback) if args.dem else None
    return SignalSetup(
        model=args.model or ("terrain" if terrain is not None else "rma"),
        terrain=terrain,
        environment=args.environment,
        extrapolate=args.extrapolate,
        itm=ItmParameters(
            climate=args.itm_climate,
            time_pct=args.itm_reliability,
            location_pct=args.itm_reliability,
        ),
        crs=args.crs,
    )


def _towers(args: argparse.Namespace, region: object):
    """Return the validated towers of ``--towers`` (``--opencellid``: an OpenCelliD export)."""
    if args.opencellid:
        return read_opencellid(args.towers, mcc=args.mcc, region=region)
    return validate_layer("towers", args.towers, region=region)


def _communes(args: argparse.Namespace):
    return read_layer(args.communes, "communes") if args.communes else None


def gaps(args: argparse.Namespace) -> int:
    """``whitespot gaps``: the gap list of a province from its files.

    A village file that is not in whitespot's form (``village_id``, ``households``, lon/lat)
    is read as a department's own list (:func:`whitespot.department.read_village_list`).
    """
    region = None if args.anywhere else VIETNAM_BBOX
    towers, setup, layers = _signal_inputs(args)
    footprints = _footprints(args, per_file=isinstance(layers["households"], Path))
    try:
        villages = validate_layer(
            "villages", args.villages, region=region, columns=dict(args.columns or [])
        )
    except ValidationError as error:
        if not _is_department_list(args.villages, error):
            raise
        if isinstance(layers["households"], Path):
            raise SetupError(
                "a folder of household partitions needs villages in whitespot's form "
                "(village_id, households, lon/lat), not a department's own list"
            ) from error
        village_list = read_village_list(
            args.villages, columns=dict(args.columns or []), crs=args.crs
        )
        result, _ = department_gap_list(
            village_list, towers, setup, communes=_communes(args), **layers, **footprints
        )
        print(
            f"read {args.villages} as a department's village list "
            f"({counted(len(result.villages), 'row')}, "
            f"{counted(len(village_list.issues), 'problem')}; 'whitespot report' lists them)"
        )
    else:
        if footprints:
            layers = {**layers, **footprints, "communes": _communes(args)}
        with _dask_client(args) as client:
            result = _gaps_on(villages, towers, setup, layers, client, args.out)
    written = write_gap_list(result, args.out)
    print(result.headline())
    print("wrote " + ", ".join(str(p) for p in written))
    if "households_written_to" in result.settings:
        print(
            f"wrote {result.settings['household_partitions']:,} household partitions to "
            f"{result.settings['households_written_to']}"
        )
    return 0


def _footprints(args: argparse.Namespace, *, per_file: bool = False) -> dict[str, object]:
    """Read the footprints and population of ``--buildings``/``--population``, if given.

    `per_file` (households from a folder of partitions, the country): the footprints are
    left on disk, read and tallied one file at a time (on Dask with ``--workers``).
    """
    footprints: dict[str, object] = {}
    if args.buildings and per_file:
        footprints["buildings"] = Path(args.buildings)
        footprints["min_confidence"] = args.min_confidence
    elif args.buildings:
        footprints["buildings"] = read_buildings(args.buildings, min_confidence=args.min_confidence)
    if args.population:
        footprints["population"] = read_population(args.population)
    return footprints


def _dask_client(args: argparse.Namespace) -> AbstractContextManager:
    """Return the Dask client of ``--workers``/``--scheduler``, closed after the run, or none."""
    if not (args.workers or args.scheduler):
        return nullcontext()
    client = connect(workers=args.workers, scheduler=args.scheduler)
    print(f"dask: {len(client.scheduler_info()['workers'])} workers at {client.scheduler.address}")
    return closing_cluster(client)


def _gaps_on(villages, towers, setup, layers, client, out: str):
    """Make the gap list in memory, or from partitions on disk (households beside `out`)."""
    if isinstance(layers["households"], Path):
        folder = Path(out).with_name(Path(out).stem + "_households")
        return partitioned_gap_list(
            villages, towers, layers.pop("households"), folder, setup, client=client, **layers
        )
    return gap_list(villages, towers, setup, client=client, **layers)


def report(args: argparse.Namespace) -> int:
    """``whitespot report``: a department's submission package from its village list."""
    towers, setup, layers = _signal_inputs(args)
    if isinstance(layers["households"], Path):
        raise SetupError(
            "report reads households from one file; a folder of partitions is for "
            "'whitespot gaps' (the country's gap list)"
        )
    submission = department_submission(
        args.villages,
        towers,
        setup,
        columns=dict(args.columns or []),
        communes=_communes(args),
        towers_file=None if args.opencellid else args.towers,
        previous=args.previous,
        target=args.target,
        match_distance_m=args.match_distance_m,
        quality=QualityConfig(
            duplicate_distance_m=args.duplicate_distance_m, max_age_days=args.max_age_days
        ),
        **layers,
        **_footprints(args),
    )
    written = write_submission(
        submission, args.out, language=args.lang, towers=towers, grid=layers["grid"]
    )
    print("\n".join(submission.headlines(args.lang)))
    print(f"wrote {len(written)} files to {args.out}: " + ", ".join(p.name for p in written))
    return 0


def plan(args: argparse.Namespace) -> int:
    """``whitespot plan``: choose, cost, rank and lot new sites from a gap list."""
    region = None if args.anywhere else VIETNAM_BBOX
    gaps = read_gap_list(args.gaps)
    if not args.plan_unlisted:
        gaps, left_out = without_unlisted(gaps)
        if left_out:
            print(
                f"{counted(left_out, 'settlement')} no list names left out of the plan "
                "(--plan-unlisted plans for them)"
            )
    towers, grid = _optional_layers(("towers", args.towers), ("grid", args.grid), region=region)
    terrain = read_terrain(args.dem, fallback=args.dem_fallback) if args.dem else None
    # the gap list's own setup; --model overrides that part only
    setup = SignalSetup.from_settings(gaps.settings, terrain=terrain)
    if args.calibration:
        setup = setup.replace(calibration=read_calibration(args.calibration))
    if args.model:
        setup = setup.replace(model=args.model, terrain=terrain)
    options = {
        "sites": args.sites,
        "budget": args.budget,
        "cover_all": args.cover_all,
        "towers": towers,
        "grid": grid,
        "terrain": terrain,
        "technology": args.technology,
        "setup": setup,
        "method": args.method,
        "time_limit_s": args.time_limit,
        "lots_by": args.lots_by,
    }
    if args.options:
        if towers is None:
            raise SetupError("--options weighs existing towers for co-location: give --towers")
        options["options"] = OptionCosts(operator=args.operator)
    if args.by_province:
        if args.tender:
            raise SetupError("--tender packages one plan's lots: drop --by-province")
        if args.options:
            raise SetupError("--options weighs one plan's options: drop --by-province")
        if args.candidates:
            raise SetupError("--by-province generates candidates per province: drop --candidates")
        with _dask_client(args) as client:
            country = plan_country(gaps, client=client, **options)
        written = write_country_plan(country, args.out)
        print(country.summary.to_string(index=False))
        print(country.headline())
        print("wrote " + ", ".join(str(p) for p in written))
        return 0
    candidates = read_candidates(args.candidates) if args.candidates else None
    result = plan_sites(gaps, candidates=candidates, **options)
    written = write_plan(result, args.out)
    print(result.selection.summary())
    print(result.headline())
    if args.tender:
        tender = tender_package(result, gaps, contingency=args.contingency, terrain=terrain)
        written += write_tender(tender, args.tender, language=args.lang)
        print(tender.headline())
    print("wrote " + ", ".join(str(p) for p in written))
    return 0


def map_html(args: argparse.Namespace) -> int:
    """``whitespot map``: one self-contained HTML map of a gap list and a plan."""
    region = None if args.anywhere else VIETNAM_BBOX
    gaps = read_gap_list(args.gaps)
    towers, grid, measurements = _optional_layers(
        ("towers", args.towers), ("grid", args.grid), ("measurements", args.measurements),
        region=region,
    )  # fmt: skip
    measured = None
    if measurements is not None:
        if towers is None:
            raise SetupError("--measurements needs --towers: residuals are against a tower")
        setup = SignalSetup.from_settings(gaps.settings)
        if args.calibration:
            setup = setup.replace(calibration=read_calibration(args.calibration))
        measured = measured_pairs(measurements, towers, setup)
    plan = read_plan(args.sites) if args.sites else None
    if Path(args.out).suffix.lower() == ".kmz":
        print(f"wrote {write_kmz(gaps, args.out, plan=plan)}")
        return 0
    if plan is not None:
        fmap = plan_map(plan, gaps, towers=towers, grid=grid, measurements=measured)
    else:
        fmap = gap_map(gaps, towers=towers, grid=grid, measurements=measured)
    print(f"wrote {save_map(fmap, args.out)}")
    return 0


def calibrate(args: argparse.Namespace) -> int:
    """``whitespot calibrate``: fit the model to measured levels, write calibration.json."""
    region = None if args.anywhere else VIETNAM_BBOX
    setup = _model_setup(args)
    towers = _towers(args, region)
    measurements = validate_layer("measurements", args.measurements, region=region)
    result = fit_calibration(towers, measurements, setup, by=args.by, block_km=args.block_km)
    result.write(args.out)
    print(
        f"calibrated {setup.description()} to {len(measurements):,} measurements "
        f"({len(result.groups)} groups, {len(result.refused)} refused):"
    )
    for line in result.lines():
        print(f"  {line}")
    for reason in sorted(result.excluded):
        print(f"  ({reason}: {EXCLUSIONS[reason]})")
    print(f"wrote {args.out}")
    return 0


def validate(args: argparse.Namespace) -> int:
    """``whitespot validate LAYER PATH``: print what is wrong with a file."""
    region = None if args.anywhere else (args.region or VIETNAM_BBOX)
    if args.layer == "terrain":
        return _validate_terrain(args, region)
    if args.layer == "opencellid":
        layer = read_opencellid(args.path, mcc=args.mcc, region=region)
        print(f"opencellid ({Path(args.path).name}): OK, {counted(len(layer), 'tower')}")
        return 0
    name = Path(args.path).name
    try:
        columns = dict(args.columns or []) if args.layer == "villages" else None
        layer = validate_layer(args.layer, args.path, region=region, columns=columns)
    except ValidationError as error:
        if args.layer != "villages" or not _is_department_list(args.path, error):
            raise
        return _validate_department_list(args)
    print(f"{args.layer} ({name}): OK, {counted(len(layer), 'row')}, CRS {layer.crs.to_string()}")
    return 0


def _validate_terrain(args: argparse.Namespace, region: object) -> int:
    """Check a DEM and, for the layers given, how much of them it covers."""
    terrain = read_terrain(args.path)
    name = Path(args.path).name
    print(f"terrain ({name}): OK, {terrain.shape[0]} x {terrain.shape[1]} cells")
    layers = {
        layer: validate_layer(layer, path, region=region)
        for layer in ("villages", "households", "towers")
        if (path := getattr(args, f"{layer}_file"))
    }
    if not layers:
        return 0
    short = False
    for row in terrain_coverage(terrain, layers).itertuples():
        line = (
            f"  {row.layer}: {row.on_dem:,} of {row.rows:,} on the DEM "
            f"({100 * row.share_on_dem:.1f}%)"
        )
        if row.on_dem < row.rows:
            short = True
            line += f"; off it: {row.off_dem_ids}"
        print(line)
    if short:
        raise ValidationError(
            [
                Problem(
                    f"terrain ({name})",
                    "elevation_m",
                    "dem_coverage",
                    "the DEM does not cover every place listed above; the terrain model "
                    "refuses paths off it (or use --dem-fallback flat, flagged per village)",
                )
            ]
        )
    return 0


def _is_department_list(path: str, error: ValidationError) -> bool:
    """Whether a village file that failed whitespot's schema may be a department's own list."""
    department = {"missing_column", "missing_coordinates"} & set(error.checks)
    return bool(department) and Path(path).suffix.lower() in DEPARTMENT_SUFFIXES


def _read_as(source: dict) -> str:
    """How the file was read: its encoding (CSV) or its format (workbook, KML)."""
    if "encoding" in source:
        return f"encoding {source['encoding']}"
    return f"format {source.get('format', '.xlsx')}"


def _validate_department_list(args: argparse.Namespace) -> int:
    """Read a department's village list as ``gaps`` and ``report`` will, and list problems."""
    village_list = read_village_list(args.path, columns=dict(args.columns or []))
    issues = village_list.issues
    problems = issues[issues["severity"].isin(["error", "warning"])]
    name = Path(args.path).name
    print(
        f"villages ({name}): read as a department's village list: "
        f"{counted(len(village_list.villages), 'village')}, "
        f"{counted(len(problems), 'problem')} "
        f"({counted((problems['severity'] == 'error').sum(), 'error')}); "
        f"{_read_as(village_list.source)}"
    )
    for row in problems.head(MAX_PROBLEM_LINES).itertuples():
        print(f"  row {row.row}, {row.column or '-'} ({row.severity}): {row.message}")
    if len(problems) > MAX_PROBLEM_LINES:
        print(
            f"  ... and {len(problems) - MAX_PROBLEM_LINES:,} more ('whitespot report' lists all)"
        )
    # gaps and report accept the file and keep every row: so does validate (exit 0)
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
