"""Write the example notebooks (outputs stripped) from the cells below: python notebooks/_build.py."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).parent


def notebook(name: str, cells: list[tuple[str, str]]) -> None:
    book = new_notebook(cells=[new_markdown_cell(text) if kind == "md" else new_code_cell(text)
                               for kind, text in cells])
    for number, cell in enumerate(book.cells):  # fixed ids: the same cells, the same file
        cell.id = f"{Path(name).stem[:2]}-{number:03d}"
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(book, HERE / name)


PLANNER = [
    ("md", "# A telecom planner's day with whitespot\n\n"
           "We load a province, predict signal with two propagation models, look at the gaps, "
           "choose tower sites for a budget, compare the exact and greedy solvers, and export "
           "the ranked sites and bid lots. The province is the **synthetic sample** shipped with "
           "whitespot; the last section shows how to load your own files instead."),
    ("code", "import matplotlib.pyplot as plt\n"
             "import pandas as pd\n\n"
             "import whitespot.data as wd\n"
             "from whitespot.coverage import gap_list\n"
             "from whitespot.radio import SignalSetup, predict_signal\n"
             "from whitespot.maps import plan_map\n"
             "from whitespot.planning import Objective, plan_sites, write_plan\n\n"
             "province = wd.load_sample()\n"
             "villages = wd.validate_villages(province.villages)\n"
             "households = wd.validate_households(province.households)\n"
             "towers = wd.validate_towers(province.towers)\n"
             "grid = wd.validate_grid(province.grid)\n"
             "len(villages), len(households), len(towers)"),
    ("md", "## Two propagation models\n\n"
           "`rma` is 3GPP TR 38.901 rural macro, non-line-of-sight (no terrain). `terrain` adds the "
           "DEM: line-of-sight RMa plus knife-edge diffraction over each tower-household profile."),
    ("code", "flat = predict_signal(households, towers, SignalSetup(model='rma'), progress=False)\n"
             "hilly_setup = SignalSetup(model='terrain', terrain=province.terrain)\n"
             "hilly = predict_signal(households, towers, hilly_setup, progress=False)\n"
             "pd.DataFrame({\n"
             "    'households covered': [(flat.best_margin_db >= 0).sum(), (hilly.best_margin_db >= 0).sum()],\n"
             "    'median best signal (dBm)': [flat.best_signal_dbm.median(), hilly.best_signal_dbm.median()],\n"
             "}, index=['rma', 'terrain'])"),
    ("md", "## The gaps"),
    ("md", "One `SignalSetup` holds the model, the DEM, the link budget and the rest; the gap list "
           "stores it in its settings and the plan reuses it."),
    ("code", "gaps = gap_list(villages, towers, hilly_setup, households=households, grid=grid,\n"
             "                progress=False)\n"
             "print(gaps.headline())\n"
             "gaps.villages.gap_type.value_counts()"),
    ("md", "## Sites for a budget (million VND), exact against greedy"),
    ("code", "budget = Objective.budget(20_000)   # million VND, the candidates' capex unit\n"
             "common = dict(towers=towers, grid=grid, terrain=province.terrain)\n"
             "exact = plan_sites(gaps, budget, **common, method='exact', curve_steps=8)\n"
             "greedy = plan_sites(gaps, budget, **common, method='greedy', curve_steps=0)\n"
             "for plan in (exact, greedy):\n"
             "    print(plan.selection.summary())"),
    ("code", "fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.5))\n"
             "curve = exact.curve\n"
             "left.plot(curve.budget, curve.households_covered, marker='o', label='covered')\n"
             "left.plot(curve.budget, curve.bound, linestyle='--', label='proven bound')\n"
             "left.set_xlabel('budget (million VND)'); left.set_ylabel('households'); left.legend()\n"
             "right.bar(exact.sites['rank'], exact.sites['households_new'])\n"
             "right.set_xlabel('site rank'); right.set_ylabel('households newly covered')\n"
             "fig.tight_layout()"),
    ("md", "## The same households for less: co-location and satellite terminals\n\n"
           "A new tower is not the only way to serve a village. Say MobiFone, which has few towers "
           "here, must cover every household its own network leaves out. Besides new sites it may "
           "put its radios on the other operators' towers (co-location), upgrade its own 2G/3G "
           "towers, or give a hamlet a satellite community terminal. Every option is compared by "
           "its cost over 10 years at 2 % (capex, reinvestment and opex: `OptionCosts`, whose "
           "defaults are documented assumptions), in the same selection with its proven gap."),
    ("code", "from whitespot.planning import OptionCosts\n\n"
             "own = towers[towers.operator == 'MobiFone']\n"
             "mobifone_gaps = gap_list(villages, own, hilly_setup, households=households, grid=grid,\n"
             "                         progress=False)\n"
             "everyone = Objective.cover_all()\n"
             "towers_only = plan_sites(mobifone_gaps, everyone, **common, curve_steps=0)\n"
             "mixed = plan_sites(mobifone_gaps, everyone, **common, curve_steps=0,\n"
             "                   options=OptionCosts(operator='MobiFone'))\n"
             "pd.DataFrame({\n"
             "    name: {'households covered': p.selection.covered,\n"
             "           'cost over 10 years (million VND)': round(p.selection.cost),\n"
             "           'proven gap': f'{p.selection.gap:.2%}',\n"
             "           **{kind: p.settings[f'sites_{kind}']\n"
             "              for kind in ('new_tower', 'colocation', 'upgrade', 'satellite')}}\n"
             "    for name, p in (('new towers only', towers_only), ('with options', mixed))\n"
             "})"),
    ("code", "print(mixed.headline())\n"
             "mixed.villages.head(10)   # how each village is served, and its share of the cost"),
    ("md", "## Export for the tender, and the map"),
    ("code", "written = write_plan(exact, 'planner_sites.xlsx')\n"
             "exact.lots"),
    ("code", "plan_map(exact, gaps, towers=towers, grid=grid)"),
    ("md", "## Coverage as a tender states it\n\n"
           "A prediction is the median level at a place; a tender states coverage at a cell-edge "
           "(location) probability, outdoors or indoors. The same province at 50 % and 90 % of "
           "locations (sigma from 3GPP TR 38.901 unless a calibration gives it), outdoors and "
           "indoors (ITU-R P.2109 building entry loss, traditional buildings):"),
    ("code", "for probability in (0.5, 0.9):\n"
             "    for indoor in (None, 'p2109'):\n"
             "        setup = SignalSetup(model='rma', location_probability=probability, indoor=indoor)\n"
             "        judged = gap_list(villages, towers, setup, households=households, progress=False)\n"
             "        print(f'{probability:.0%} {indoor or \"outdoor\"}:', judged.headline())"),
    ("md", "The bid package groups the plan's sites and every village without signal into lots, "
           "each with a subsidy ceiling (capex, power and backhaul plus a contingency) and the "
           "prediction declared as supporting data; `write_tender` writes it as a workbook and a "
           "KMZ for Google Earth."),
    ("code", "from whitespot.report import tender_package\n\n"
             "tender = tender_package(exact, gaps, contingency=0.1, terrain=province.terrain)\n"
             "print(tender.headline())\n"
             "tender.lots[['lot', 'sites', 'villages', 'households_covered', 'max_subsidy']]"),
    ("md", "## Your own files\n\n"
           "Every layer can come from a file: `wd.validate_villages('villages.xlsx')`, "
           "`wd.validate_towers('towers.gpkg')` or OpenCelliD's export with "
           "`wd.read_opencellid('452.csv.gz', mcc=452)`, a DEM with `wd.read_terrain('dem.tif')`. "
           "Problems come back as one error that names the layer, column and ids."),
]

PROVINCE = [
    ("md", "# The provincial gap list\n\n"
           "A department has a list of villages and a list of towers. This notebook turns them into "
           "the list the ministry asks for: every village, whether it has signal and power, how many "
           "households lack them, and why. (The files here are written from whitespot's synthetic "
           "sample, standing in for the department's own.)"),
    ("code", "import whitespot.data as wd\n"
             "from whitespot.coverage import gap_list, write_gap_list\n\n"
             "sample = wd.load_sample()\n"
             "wd.write_layer(sample.villages, 'villages.xlsx')\n"
             "wd.write_layer(sample.towers, 'towers.csv')\n"
             "wd.write_layer(sample.grid, 'grid.geojson')"),
    ("md", "## Step 1: check the files\n\n"
           "whitespot reads the spreadsheets and says exactly what is wrong, row by row. Here is a "
           "list with two mistakes: a village typed twice, and latitude and longitude exchanged."),
    ("code", "bad = sample.villages.head(3).copy()\n"
             "bad.loc[2, 'village_id'] = bad.loc[1, 'village_id']\n"
             "wd.write_layer(bad, 'bad_villages.csv')\n"
             "text = open('bad_villages.csv', encoding='utf-8-sig').read()\n"
             "lines = text.splitlines()\n"
             "cells = lines[1].split(',')\n"
             "cells[-2], cells[-1] = cells[-1], cells[-2]\n"
             "lines[1] = ','.join(cells)\n"
             "open('bad_villages.csv', 'w', encoding='utf-8').write('\\n'.join(lines))\n"
             "try:\n"
             "    wd.validate_villages('bad_villages.csv')\n"
             "except wd.ValidationError as error:\n"
             "    print(error)"),
    ("md", "## Step 2: the gap list\n\n"
           "With the good files, whitespot predicts the signal each village receives from each tower "
           "and compares it with the level a phone needs (for 4G, -110 dBm RSRP). A village counts as "
           "covered when at least 80% of its households are."),
    ("code", "villages = wd.validate_villages('villages.xlsx')\n"
             "towers = wd.validate_towers('towers.csv')\n"
             "grid = wd.validate_grid('grid.geojson')\n"
             "gaps = gap_list(villages, towers, grid=grid, progress=False)\n"
             "print(gaps.headline())"),
    ("md", "## Step 3: by commune, and the reasons\n\n"
           "The summary is grouped by the post-2025 commune codes. The `criteria` column says in "
           "words why each village is on the list."),
    ("code", "gaps.communes.sort_values('households_without_signal', ascending=False).head(10)"),
    ("code", "listed = gaps.villages[gaps.villages.gap_type != 'ok']\n"
             "for row in listed.head(3).itertuples():\n"
             "    print(row.village_id, row.name, '->', row.gap_type)\n"
             "    print('   ', row.criteria)"),
    ("md", "## Step 4: the Excel file for the ministry\n\n"
           "One workbook: the villages, the communes, the province, and the settings used."),
    ("code", "write_gap_list(gaps, 'gap_list.xlsx')"),
    ("md", "## Step 5: the department's own spreadsheet, as it is\n\n"
           "Most departments keep their hamlets in a spreadsheet typed over the years: Vietnamese "
           "headers, district-era names, coordinates in degrees-minutes-seconds, `120 hộ` in the "
           "households column, a total row. `department_submission` reads it as it is, converts "
           "the old (province, district, commune) to the post-2025 codes, finds the gaps, lists "
           "every problem by row, and compares with the previous submission when given one."),
    ("code", "rows = [\n"
             "    'Tỉnh;Huyện;Xã;Thôn/Bản;Số hộ;Kinh độ;Vĩ độ;Có điện',\n"
             "    'Quảng Trị;Hướng Hóa;Hướng Lập;Bản Cu Vơ;45;106°33\\'00\"E;16°54\\'00\"N;Không',\n"
             "    'Quảng Trị;Hướng Hóa;Xy;Bản Xy;120 hộ;106,6;16,62;Có',\n"
             "    'Quảng Trị;Đakrông;A Ngo;Thôn A La;30;16.42;106.76;Có',\n"
             "    'Quảng Trị;Đakrông;A Bung;Thôn Y;18;;;Không',\n"
             "    'Tổng cộng;;;;213;;;',\n"
             "]\n"
             "open('danh_sach.csv', 'w', encoding='utf-8').write('\\n'.join(rows) + '\\n')"),
    ("code", "from whitespot.report import department_submission, write_submission\n\n"
             "submission = department_submission('danh_sach.csv', towers, grid=grid)\n"
             "print('\\n'.join(submission.headlines('vi')))\n"
             "submission.gaps.villages[['name', 'old_district', 'old_commune', 'commune_code',\n"
             "                          'commune_name', 'households', 'gap_type']]"),
    ("md", "Every row is there, including the one without coordinates (`location_unknown`). "
           "What to fix, row by row:"),
    ("code", "submission.quality.problems[['row', 'column', 'check', 'severity', 'message']]"),
    ("code", "written = write_submission(submission, 'nop_bo', language='vi', towers=towers)\n"
             "[p.name for p in written]"),
    ("md", "## Step 6: who the list misses\n\n"
           "Open building footprints (Google Open Buildings, Microsoft's footprints) and "
           "population rasters (WorldPop) show where people live whether a list names them or "
           "not. whitespot reads them as downloaded: here a stand-in for an Open Buildings file, "
           "one house per household around each sample village, some of them detections of "
           "low confidence that are left out and counted."),
    ("code", "import numpy as np\n"
             "import pandas as pd\n\n"
             "rng = np.random.default_rng(43)\n"
             "homes = sample.villages.loc[sample.villages.index.repeat(sample.villages.households)]\n"
             "pd.DataFrame({\n"
             "    'latitude': homes.geometry.y.to_numpy() + rng.normal(0, 0.0008, len(homes)),\n"
             "    'longitude': homes.geometry.x.to_numpy() + rng.normal(0, 0.0008, len(homes)),\n"
             "    'area_in_meters': rng.uniform(40, 150, len(homes)),\n"
             "    'confidence': rng.uniform(0.65, 1.0, len(homes)),\n"
             "}).to_csv('open_buildings.csv.gz', index=False)\n"
             "buildings = wd.read_buildings('open_buildings.csv.gz', min_confidence=0.7)\n"
             "len(buildings)"),
    ("md", "A list that forgot five hamlets, checked against the footprints: every village gets "
           "its estimate, and the hamlets whose houses lie outside every listed village's area "
           "come back as settlements no list names, judged for signal and power like the "
           "others and counted apart. (A forgotten hamlet within 1 km of a listed neighbour "
           "counts in that neighbour's estimate instead, which then disagrees with its list.)"),
    ("code", "short_list = villages.drop(index=villages.index[:5])\n"
             "checked = gap_list(short_list, towers, grid=grid, buildings=buildings, "
             "progress=False)\n"
             "print(checked.headline())\n"
             "rows = checked.villages\n"
             "rows.loc[rows.unlisted, ['village_id', 'commune_code', 'households', "
             "'signal_status', 'power_status']]"),
    ("md", "Villages whose own count is far from the footprints' (more than half the larger "
           "number, and 5 households or more) are the ones to recount; the data-quality sheet "
           "of `whitespot report --buildings` lists them. Here one count was typed with a "
           "zero too many."),
    ("code", "from whitespot.department import estimate_households, households_disagree\n\n"
             "typed = villages.copy()\n"
             "typed.loc[typed.index[7], 'households'] *= 10\n"
             "estimates = estimate_households(typed, buildings=buildings)\n"
             "households_disagree(typed, estimates)"),
]

MAPS = [
    ("md", "# Maps\n\n"
           "whitespot draws what it computed as one HTML file: villages by gap, towers, predicted "
           "signal, dead zones, the grid and proposed sites, with layers you switch on and off."),
    ("code", "import whitespot.data as wd\n"
             "from whitespot.coverage import dead_zones, gap_list, signal_raster\n"
             "from whitespot.maps import gap_map, save_map\n\n"
             "province = wd.load_sample()\n"
             "villages = wd.validate_villages(province.villages)\n"
             "towers = wd.validate_towers(province.towers)\n"
             "gaps = gap_list(villages, towers, grid=wd.validate_grid(province.grid), progress=False)"),
    ("md", "## Choose the layers\n\nPass only what you want on the map."),
    ("code", "raster = signal_raster(towers, villages, resolution_m=1000, progress=False)\n"
             "zones = dead_zones(raster, villages, weight_column='households')\n"
             "fmap = gap_map(gaps, towers=towers, raster=raster, zones=zones,\n"
             "               title='Sample province: signal gaps')\n"
             "fmap"),
    ("md", "## Colours\n\nThe colours live in `whitespot.maps.style`; change them before drawing."),
    ("code", "from whitespot.maps import GAP_COLOURS\n\n"
             "GAP_COLOURS['no_signal'] = '#d81b60'\n"
             "gap_map(gaps, towers=towers)"),
    ("md", "## Save and share\n\n"
           "`save_map` writes one self-contained file: e-mail it, open it in any browser, even "
           "offline (only the background map needs the internet)."),
    ("code", "path = save_map(fmap, 'gaps_map.html')\n"
             "path, path.stat().st_size // 1024, 'KB'"),
]

CALIBRATION = [
    ("md", "# Calibrating the model with a drive test\n\n"
           "An uncalibrated propagation model can be several dB off in a given province: the "
           "clutter, the antennas and the terrain differ from the cities where it was fitted. "
           "Here a planner tunes the model to measured levels (a drive test, or crowdsourced "
           "samples), checks the fit on held-out areas, and compares the gap list before and "
           "after. The drive test is **synthetic** (generated from a known truth, so we can see "
           "the fit find it); with your own file use "
           "`wd.validate_measurements('drive_test.csv')`: columns `lon`, `lat`, a level "
           "(`rsrp`, `rscp`, `rxlev`, `signal_dbm` ...), `technology`, `operator` and, when the "
           "tool logs it, the serving cell (`cell_id`)."),
    ("code", "import dataclasses\n\n"
             "import matplotlib.pyplot as plt\n"
             "import pandas as pd\n\n"
             "import whitespot.data as wd\n"
             "from whitespot.coverage import gap_list\n"
             "from whitespot.evidence import calibrate, measured_pairs, synthetic_measurements\n"
             "from whitespot.radio import SignalSetup, read_calibration\n"
             "from whitespot.maps import gap_map\n\n"
             "province = wd.load_sample()\n"
             "villages = wd.validate_villages(province.villages)\n"
             "towers = wd.validate_towers(province.towers)\n"
             "setup = SignalSetup(model='hata', extrapolate=True)   # the model to tune\n"
             "drive = synthetic_measurements(towers[towers.technology == '2G'], setup,\n"
             "                               samples=8_000, offset_db=8.0, slope_db_per_decade=5.0)\n"
             "drive = wd.validate_measurements(drive)\n"
             "drive[['measurement_id', 'signal_dbm', 'technology', 'operator', 'tower_id']].head()"),
    ("md", "## How wrong is the model here?\n\n"
           "`measured_pairs` puts each measurement beside the level the model predicts from its "
           "serving tower (the logged cell, else the predicted best server)."),
    ("code", "pairs = measured_pairs(drive, towers, setup)\n"
             "fig, ax = plt.subplots(figsize=(6, 3))\n"
             "pairs.residual_db.plot.hist(bins=60, ax=ax)\n"
             "ax.set_xlabel('measured - predicted (dB)')\n"
             "pairs.groupby('operator').residual_db.agg(['mean', 'std', 'size']).round(1)"),
    ("md", "## Fit an offset and a slope per operator and technology\n\n"
           "The fit is robust (Huber), its intervals allow for spatially correlated shadowing "
           "and for each tower's own error (the M-estimator's sandwich, clustered two ways: by "
           "2 km block and by serving tower, jackknifed) and its RMSE is cross-validated on "
           "held-out blocks, not random points. A group with too few samples, towers, places or "
           "distances is refused with the reason, and so is a group cut at a floor (a handset "
           "that logs nothing below -120 dBm, a phone in automatic mode). The correction is "
           "held constant outside the distances it was fitted over."),
    ("code", "calibration = calibrate(towers, drive, setup)\n"
             "table = pd.DataFrame([dataclasses.asdict(g) for g in calibration.groups])\n"
             "table[['operator', 'technology', 'offset_db', 'offset_ci_db', 'slope_db_per_decade',\n"
             "       'slope_ci_db', 'samples', 'rmse_before_db', 'rmse_after_db', 'rmse_cv_db']].round(2)"),
    ("code", "path = calibration.write('calibration.json')   # for whitespot gaps --calibration\n"
             "tuned = setup.replace(calibration=read_calibration(path))\n"
             "print('\\n'.join(calibration.lines()))"),
    ("md", "## Do the 95 % intervals hold, for every size of group?\n\n"
           "Drive tests from a known truth (8 dB offset, 5 dB/decade), eight times over, around "
           "the sample's 2G towers dealt into groups of 3, 4, 6 and 11 towers: how often does "
           "each group's interval hold the true offset and slope, and how wide is it beside the "
           "real spread of the estimates (1.96 standard deviations)? About 95 % and a ratio "
           "near 1 is honest; far less would mean the fit is surer than the data allow, far "
           "more that the interval hides what the data show.\n\n"
           "How the intervals are computed: the samples' influence is summed per 2 km block "
           "(shadowing correlates neighbours) into a jackknife (CR3) sandwich whose t quantile "
           "takes Bell and McCaffrey's degrees of freedom; each tower's own error (EIRP, tilt), "
           "shared by all its samples, is a random effect estimated from the towers' sums; the "
           "two variances add and the t quantile takes the Welch-Satterthwaite degrees of "
           "freedom of the sum. A group of a few towers is wide only when its towers differ. "
           "A group of fewer than 3 towers is refused: with two, each tower's own error leaves "
           "nothing to estimate the uncertainty from, and a group is never applied without an "
           "interval."),
    ("code", "two_g = towers[towers.technology == '2G'].iloc[:33]\n"
             "rows = []\n"
             "for seed in range(8):\n"
             "    trial = wd.validate_measurements(synthetic_measurements(\n"
             "        two_g, setup, samples=8_000, offset_db=8.0, slope_db_per_decade=5.0,\n"
             "        seed=100 + seed))\n"
             "    for size in (3, 4, 6, 11):\n"
             "        group = {t: f'group {k // size}' for k, t in enumerate(two_g.tower_id)}\n"
             "        fitted = calibrate(two_g.assign(operator=two_g.tower_id.map(group)),\n"
             "                           trial.assign(operator=trial.tower_id.map(group)),\n"
             "                           setup, pooled=False, progress=False)\n"
             "        rows += [{'towers': g.towers,\n"
             "                  'offset_error_db': g.offset_db - 8.0, 'offset_ci_db': g.offset_ci_db,\n"
             "                  'slope_error_db': g.slope_db_per_decade - 5.0,\n"
             "                  'slope_ci_db': g.slope_ci_db} for g in fitted.groups]\n"
             "checks = pd.DataFrame(rows)\n"
             "checks['offset_held'] = checks.offset_error_db.abs() <= checks.offset_ci_db\n"
             "checks['slope_held'] = checks.slope_error_db.abs() <= checks.slope_ci_db\n"
             "by_size = checks.groupby('towers')\n"
             "pd.DataFrame({\n"
             "    'groups': by_size.size(),\n"
             "    'coverage %': 100 * (by_size.offset_held.mean() + by_size.slope_held.mean()) / 2,\n"
             "    'offset ± / spread': by_size.offset_ci_db.mean() / (1.96 * by_size.offset_error_db.std()),\n"
             "    'slope ± / spread': by_size.slope_ci_db.mean() / (1.96 * by_size.slope_error_db.std()),\n"
             "}).round(2)"),
    ("md", "## The gap list before and after"),
    ("code", "before = gap_list(villages, towers, setup, progress=False)\n"
             "after = gap_list(villages, towers, tuned, progress=False)\n"
             "print('before:', before.headline())\n"
             "print('after: ', after.headline())\n"
             "pd.crosstab(before.villages.signal_status, after.villages.signal_status,\n"
             "            rownames=['before'], colnames=['after'])"),
    ("md", "## Evidence per village, judged per operator\n\n"
           "Given the measurements (and a survey column `survey_signal`, 'Có sóng?', in the "
           "village list), each network (operator x technology) measured within 500 m gets its "
           "median level. A phone speaks for its own network only: a village the model calls "
           "covered is found without signal only when **every** network the model says covers "
           "it was measured there and none reaches its threshold; one network measured above "
           "its threshold confirms signal; some networks measured weak and another not at all "
           "is `measurements_partly_contradict` (flagged, not demoted); samples only of other "
           "networks are `measured_other_network`. A survey answer is never overruled by "
           "samples. A village the field finds without signal stays on the list even when the "
           "model calls it covered, flagged `check_in_field`."),
    ("code", "checked = gap_list(villages, towers, tuned, measurements=drive, progress=False)\n"
             "print(checked.headline())\n"
             "checked.villages[['name', 'signal_status', 'measured_signal_dbm', 'measured_operator',\n"
             "                  'measured_technology', 'measurements', 'evidence',\n"
             "                  'check_in_field']].query('measurements > 0').head(8)"),
    ("code", "# the evidence per operator: which network's samples decided each village\n"
             "pd.crosstab(checked.villages.measured_operator.fillna('(none)'),\n"
             "            checked.villages.evidence)"),
    ("md", "## On the map\n\n"
           "Measurements coloured by level, and the model's error per 500 m cell: red where the "
           "field is weaker than predicted, blue where it is stronger."),
    ("code", "gap_map(checked, towers=towers, measurements=measured_pairs(drive, towers, tuned))"),
]

if __name__ == "__main__":
    notebook("01_planner_workflow.ipynb", PLANNER)
    notebook("02_provincial_gap_list.ipynb", PROVINCE)
    notebook("03_maps.ipynb", MAPS)
    notebook("04_calibration.ipynb", CALIBRATION)
