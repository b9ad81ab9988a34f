"""The embedded sample province: a seeded generator of realistic, synthetic layers.

**The sample is synthetic.** Its communes carry real post-July-2025 names and codes of
Quảng Trị province (code 44, from the ``vietnam-provinces`` package, data of 2025-10-18)
placed near their real locations, but its terrain, villages, households, towers and power
lines are generated: they describe no real place, operator or network.

The generator draws mountains in the west (up to about 1,500 m) cut by river valleys that
run east to a coastal plain and the sea; villages along the valleys and on the plain, with
lognormal household counts, smaller and fewer in the mountains; households scattered around
each village; towers of three operators where people are dense; a 110 kV line along the
plain and 22 kV lines up some valleys, so that mountain villages far from them have no
power. The same seed gives the same layers, at any size (:func:`make_province` takes the
number of villages and towers, so benchmarks can build a province of 10^6 households).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from os import PathLike
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from affine import Affine
from scipy.ndimage import gaussian_filter
from scipy.spatial import cKDTree

from whitespot._errors import InputError
from whitespot.data._crs import WGS84, to_metric
from whitespot.data._dem import Terrain, read_terrain, write_terrain
from whitespot.data._io import read_layer, write_layers
from whitespot.data._schema import TECHNOLOGY_DEFAULTS

PROVINCE_CODE = "44"
"""Post-2025 code of Quảng Trị, whose communes the sample borrows."""

EXTENT = (106.50, 16.40, 107.40, 17.10)
"""(min lon, min lat, max lon, max lat) of the sample, degrees."""

DEM_RESOLUTION_DEG = 0.0025
"""DEM cell size in degrees (about 270 m), like a resampled SRTM tile."""

SAMPLE_SEED = 2025
SAMPLE_VILLAGES = 300

OPERATORS = {"Viettel": 0.5, "VinaPhone": 0.3, "MobiFone": 0.2}
"""Operators of the sample and their share of towers."""
OPERATOR_CODES = {"Viettel": "VTL", "VinaPhone": "VNP", "MobiFone": "MBF"}
TECHNOLOGY_SHARES = {"2G": 0.3, "3G": 0.1, "4G": 0.55, "5G": 0.05}
TOWER_SPACING_M = 1000.0
"""Least distance between two masts of one operator in the sample, m."""
MEAN_HOUSEHOLDS_PER_VILLAGE = 92.7
"""Mean households per generated village (the generator's lognormal mix)."""
COUNTRY_PROVINCES = 34
COUNTRY_COLUMNS = 2
"""Columns of provinces in :func:`make_country`."""
HOUSEHOLD_SIZE = 4.2
"""Inhabitants per household (rural Viet Nam, ethnic-minority hamlets larger)."""

_HAMLET_NAMES = (
    "Tân Lập",
    "Khe Ngài",
    "Pa Tầng",
    "A Vao",
    "Ra Ly",
    "Xa Bai",
    "Cù Bai",
    "Ba Nang",
    "Tà Rẹc",
    "Húc Nghì",
    "Trung Phước",
    "An Thái",
    "Làng Cát",
    "Vĩnh Đại",
    "Hà Thanh",
    "Phú Hưng",
    "Đồng Bào",
    "Tà Lang",
    "Pa Công",
    "A Ngo",
    "Kỳ Nơi",
    "Xy",
    "Ka Tiêng",
    "Cồn Cỏ",
    "Lương Điền",
    "Mai Xá",
    "Bích La",
    "Nhan Biều",
    "Đại Hào",
    "Thượng Phước",
)


@dataclass(frozen=True)
class Province:
    """The layers of a province, each validated-shaped and in EPSG:4326.

    Attributes
    ----------
    villages, households, towers, grid, communes : geopandas.GeoDataFrame
        Layers with the columns of :mod:`whitespot.data._schema` (``communes`` holds
        ``commune_code``, ``name``, ``province_code`` and polygon geometry).
    terrain : Terrain
        The DEM.
    """

    villages: gpd.GeoDataFrame
    households: gpd.GeoDataFrame
    towers: gpd.GeoDataFrame
    grid: gpd.GeoDataFrame
    communes: gpd.GeoDataFrame
    terrain: Terrain

    VECTOR_LAYERS = ("villages", "households", "towers", "grid", "communes")


def make_province(
    *, villages: int = SAMPLE_VILLAGES, towers: int | None = None, seed: int = SAMPLE_SEED
) -> Province:
    """Generate a synthetic province.

    Parameters
    ----------
    villages : int, default 300
        Number of villages; households follow (about 70 per village on average).
    towers : int, optional
        Number of existing towers (one per operator, site and technology); default
        ``villages // 3`` (100 for 300 villages), about one per 260 households as in Viet Nam.
    seed : int, default 2025
        Seed of the random generator; the same seed gives the same layers.

    Returns
    -------
    Province

    Examples
    --------
    >>> province = make_province(villages=50, seed=1)
    >>> len(province.villages)
    50
    """
    if villages < 1:
        raise InputError(f"villages={villages} must be >= 1")
    rng = np.random.default_rng(seed)
    terrain = _terrain(rng)
    communes = _communes()
    grid = _grid()
    village_layer = _villages(rng, villages, terrain, communes, grid)
    households = _households(rng, village_layer)
    n_towers = villages // 3 if towers is None else towers
    tower_layer = _towers(rng, n_towers, village_layer, terrain)
    return Province(village_layer, households, tower_layer, grid, communes, terrain)


def make_country(
    *,
    provinces: int = COUNTRY_PROVINCES,
    households: int = 27_000_000,
    towers: int = 100_000,
    seed: int = SAMPLE_SEED,
) -> Iterator[Province]:
    """Yield the provinces of a synthetic country, one at a time (for out-of-core runs).

    Each province is :func:`make_province` with its own seed, moved to its own place on a
    grid of :data:`COUNTRY_COLUMNS` columns running north from 8.6 N (like Viet Nam, about
    1.8 degrees wide and 12 long), with province code ``01``, ``02`` ... and ids prefixed by
    it (``P01-V0001``). 34 provinces of the sample's size cover about 265,000 km2, about the
    country's area.

    Parameters
    ----------
    provinces : int, default 34
        Number of provinces (Viet Nam has 34 since July 2025).
    households, towers : int
        Totals over the country, shared evenly (households about 92.7 per village).
    seed : int
        Seed of the first province; province ``i`` uses ``seed + i``.

    Returns
    -------
    Province
        One province at a time, numbered from 1, each with its own seed and place.
    """
    width_deg, height_deg = EXTENT[2] - EXTENT[0], EXTENT[3] - EXTENT[1]
    per_villages = max(1, round(households / provinces / MEAN_HOUSEHOLDS_PER_VILLAGE))
    for index in range(provinces):
        province = make_province(
            villages=per_villages, towers=max(1, round(towers / provinces)), seed=seed + index
        )
        row, column = divmod(index, COUNTRY_COLUMNS)
        shift = (column * width_deg + (106.0 - EXTENT[0]), row * height_deg + (8.6 - EXTENT[1]))
        code = f"{index + 1:02d}"
        yield Province(
            villages=_moved(province.villages, shift, code, ("village_id",)),
            households=_moved(province.households, shift, code, ("household_id", "village_id")),
            towers=_moved(province.towers, shift, code, ("tower_id",)),
            grid=_moved(province.grid, shift, code, ()),
            communes=province.communes,
            terrain=province.terrain,
        )


def _moved(
    layer: gpd.GeoDataFrame, shift: tuple[float, float], code: str, ids: tuple[str, ...]
) -> gpd.GeoDataFrame:
    """Return a layer moved by (dlon, dlat) degrees, ids prefixed, its province code set."""
    moved = layer.copy()
    moved.geometry = shapely.transform(layer.geometry.array, lambda xy: xy + np.array(shift))
    for column in ids:
        moved[column] = f"P{code}-" + moved[column].astype(str)
    if "province_code" in moved:
        moved["province_code"] = code
    return moved


def _coast_lon(lat: np.ndarray) -> np.ndarray:
    """Longitude of the shoreline at a latitude: it runs north-west to south-east."""
    return 107.15 + (EXTENT[3] - lat) * 0.45


def _river_lat(lon: np.ndarray) -> np.ndarray:
    """Latitudes of the three rivers (rows) at each longitude, degrees."""
    base = np.array([[16.98], [16.80], [16.58]])
    meander = 0.03 * np.sin(
        np.array([[9.0], [7.0], [11.0]]) * (lon - 106.5) + np.array([[0.3], [1.2], [2.0]])
    )
    return base + meander + 0.05 * (lon - 106.5)


def _valley_depth(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """0..1: how deep in a river valley each point lies (1 on the river)."""
    distance = np.abs(_river_lat(np.ravel(lon)) - np.ravel(lat)).min(axis=0)
    return np.exp(-((distance / 0.025) ** 2)).reshape(np.shape(lon))


def _terrain(rng: np.random.Generator) -> Terrain:
    min_lon, min_lat, max_lon, max_lat = EXTENT
    cols = round((max_lon - min_lon) / DEM_RESOLUTION_DEG)
    rows = round((max_lat - min_lat) / DEM_RESOLUTION_DEG)
    lon = min_lon + (np.arange(cols) + 0.5) * DEM_RESOLUTION_DEG
    lat = max_lat - (np.arange(rows) + 0.5) * DEM_RESOLUTION_DEG
    lon, lat = np.meshgrid(lon, lat)
    west = np.clip((107.08 - lon) / 0.5, 0.0, 1.0) ** 1.3  # 1 in the far west, 0 on the plain
    ridges = gaussian_filter(rng.standard_normal((rows, cols)), 10.0)
    ridges /= ridges.std()
    hills = gaussian_filter(rng.standard_normal((rows, cols)), 3.0)
    hills /= hills.std()
    elevation = 1100.0 * west * (1.0 + 0.35 * ridges) + 60.0 * west * hills
    elevation *= 1.0 - 0.75 * _valley_depth(lon, lat)
    elevation = np.maximum(elevation, 0.0) + 3.0 + 4.0 * np.abs(hills)
    elevation[lon > _coast_lon(lat)] = 0.0
    transform = Affine(DEM_RESOLUTION_DEG, 0.0, min_lon, 0.0, -DEM_RESOLUTION_DEG, max_lat)
    # float32 values, as the GeoTIFF stores them, so the shipped file equals the generator
    return Terrain(np.round(elevation, 1).astype(np.float32).astype(float), transform, WGS84)


def _communes() -> gpd.GeoDataFrame:
    seeds = pd.read_csv(
        resources.files("whitespot.data") / "sample_communes.csv", dtype={"commune_code": str}
    )
    points = shapely.points(seeds["lon"].to_numpy(), seeds["lat"].to_numpy())
    extent = shapely.box(*EXTENT)
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(points), extend_to=extent)
    )
    # voronoi_polygons returns cells in no promised order: match each seed to its cell
    owner = shapely.STRtree(cells).query(points, predicate="within")
    polygons = np.empty(len(points), dtype=object)
    polygons[owner[0]] = shapely.intersection(cells[owner[1]], extent)
    return gpd.GeoDataFrame(
        {
            "commune_code": seeds["commune_code"],
            "name": seeds["name"],
            "province_code": PROVINCE_CODE,
        },
        geometry=polygons,
        crs=WGS84,
    )


def _grid() -> gpd.GeoDataFrame:
    lat = np.linspace(EXTENT[1] + 0.02, EXTENT[3] - 0.02, 30)
    trunk = shapely.linestrings(_coast_lon(lat) - 0.11, lat)
    branches = []
    for river, end_lon in enumerate((106.74, 106.66, 106.86)):
        lon = np.linspace(end_lon, 107.12, 40)
        branches.append(shapely.linestrings(lon, _river_lat(lon)[river] + 0.01))
    return gpd.GeoDataFrame(
        {"line_id": ["L110-1", "L22-1", "L22-2", "L22-3"], "voltage_kv": [110.0, 22.0, 22.0, 22.0]},
        geometry=[trunk, *branches],
        crs=WGS84,
    )


def _elevation_at(terrain: Terrain, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    col, row = ~terrain.transform @ (lon, lat)
    rows, cols = terrain.shape
    row = np.clip(np.floor(row).astype(int), 0, rows - 1)
    col = np.clip(np.floor(col).astype(int), 0, cols - 1)
    return terrain.elevation_m[row, col]


def _villages(
    rng: np.random.Generator,
    count: int,
    terrain: Terrain,
    communes: gpd.GeoDataFrame,
    grid: gpd.GeoDataFrame,
) -> gpd.GeoDataFrame:
    min_lon, min_lat, max_lon, max_lat = EXTENT
    pool = 40 * count
    lon = rng.uniform(min_lon + 0.01, max_lon - 0.01, pool)
    lat = rng.uniform(min_lat + 0.01, max_lat - 0.01, pool)
    elevation = _elevation_at(terrain, lon, lat)
    land = lon < _coast_lon(lat) - 0.01
    weight = land * (np.exp(-elevation / 150.0) + 2.0 * _valley_depth(lon, lat))
    chosen = rng.choice(pool, size=count, replace=False, p=weight / weight.sum())
    lon, lat, elevation = lon[chosen], lat[chosen], elevation[chosen]

    mountain = elevation > 250.0
    households = np.maximum(
        3, np.round(rng.lognormal(np.where(mountain, np.log(35.0), np.log(80.0)), 0.7))
    ).astype(np.int64)
    seeds = communes.geometry.representative_point()
    nearest = cKDTree(np.column_stack([seeds.x, seeds.y])).query(np.column_stack([lon, lat]))[1]
    names = (
        np.where(mountain, "Bản ", "Thôn ").astype(object)
        + np.asarray(_HAMLET_NAMES, dtype=object)[rng.integers(0, len(_HAMLET_NAMES), count)]
    )
    commune_code = communes["commune_code"].to_numpy()[nearest]
    repeat = pd.DataFrame({"c": commune_code, "n": names}).groupby(["c", "n"]).cumcount()
    names = np.where(repeat > 0, names + " " + (repeat + 1).astype(str), names)

    width = len(str(count))
    villages = gpd.GeoDataFrame(
        {
            "village_id": [f"V{i + 1:0{width}d}" for i in range(count)],
            "name": names,
            "province_code": PROVINCE_CODE,
            "commune_code": commune_code,
            "households": households,
            "population": np.round(households * HOUSEHOLD_SIZE).astype(np.int64),
            "elevation_m": np.round(elevation, 1),
        },
        geometry=gpd.points_from_xy(np.round(lon, 6), np.round(lat, 6)),
        crs=WGS84,
    )
    metric, crs = to_metric(villages)
    distance_km = metric.distance(grid.to_crs(crs).union_all()).to_numpy() / 1000.0
    partial = rng.uniform(0.3, 0.9, count)
    # lowland villages hang on the dense low-voltage network that the grid layer omits
    served = (distance_km < 5.0) | (elevation < 100.0)
    villages["electrified"] = np.round(
        np.where(served, 1.0, np.where(distance_km < 9.0, partial, 0.0)), 2
    )
    return villages


def _scatter(
    rng: np.random.Generator, lon: np.ndarray, lat: np.ndarray, sigma_m: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Points normally scattered around (lon, lat) with a spread of sigma_m metres."""
    dy = rng.standard_normal(len(lon)) * sigma_m / 111_320.0
    dx = rng.standard_normal(len(lon)) * sigma_m / (111_320.0 * np.cos(np.radians(lat)))
    return np.round(lon + dx, 6), np.round(lat + dy, 6)


def _households(rng: np.random.Generator, villages: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    counts = villages["households"].to_numpy()
    owner = np.repeat(np.arange(len(villages)), counts)
    spread_m = 120.0 + 30.0 * np.sqrt(counts)
    lon, lat = _scatter(
        rng,
        villages.geometry.x.to_numpy()[owner],
        villages.geometry.y.to_numpy()[owner],
        spread_m[owner],
    )
    village_id = villages["village_id"].to_numpy()[owner].astype(str)
    number = np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts) + 1
    share = villages["electrified"].to_numpy()[owner]
    return gpd.GeoDataFrame(
        {
            "household_id": np.char.add(
                np.char.add(village_id, "-"), np.char.zfill(number.astype(str), 3)
            ),
            "village_id": village_id,
            "electrified": rng.random(len(owner)) < share,
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs=WGS84,
    )


def _towers(
    rng: np.random.Generator, count: int, villages: gpd.GeoDataFrame, terrain: Terrain
) -> gpd.GeoDataFrame:
    elevation = villages["elevation_m"].to_numpy()
    weight = villages["households"].to_numpy() ** 1.5 * np.exp(-elevation / 120.0)
    pool = 6 * count
    host = rng.choice(len(villages), size=pool, replace=True, p=weight / weight.sum())
    lon, lat = _scatter(rng, villages.geometry.x.to_numpy()[host],
                        villages.geometry.y.to_numpy()[host], np.full(pool, 500.0))  # fmt: skip
    operator = rng.choice(list(OPERATORS), size=pool, p=list(OPERATORS.values()))
    # a dense benchmark province packs masts closer than the sample's 1 km
    area_m2 = (EXTENT[2] - EXTENT[0]) * (EXTENT[3] - EXTENT[1]) * 111_320.0**2
    spacing_m = min(TOWER_SPACING_M, 0.1 * np.sqrt(area_m2 / max(count, 1)))
    keep = _spaced(lon, lat, operator, spacing_m)[:count]
    lon, lat, operator = lon[keep], lat[keep], operator[keep]
    count = len(keep)
    technology = rng.choice(list(TECHNOLOGY_SHARES), size=count, p=list(TECHNOLOGY_SHARES.values()))
    code = pd.Series(operator).map(OPERATOR_CODES)
    number = pd.Series(operator).groupby(operator).cumcount() + 1
    return gpd.GeoDataFrame(
        {
            "tower_id": (code + "-" + number.astype(str).str.zfill(4)).to_numpy(),
            "operator": operator,
            "technology": technology,
            "frequency_mhz": [TECHNOLOGY_DEFAULTS[t].frequency_mhz for t in technology],
            "eirp_dbm": [TECHNOLOGY_DEFAULTS[t].eirp_dbm for t in technology],
            "height_m": rng.choice([30.0, 36.0, 42.0, 45.0], size=count),
            "power_source": "grid",
            "ground_m": np.round(_elevation_at(terrain, lon, lat), 1),
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs=WGS84,
    )


def _spaced(lon: np.ndarray, lat: np.ndarray, operator: np.ndarray, spacing_m: float) -> np.ndarray:
    """Pick candidates, in order, so that no operator has two masts within spacing_m."""
    metres = np.column_stack([lon * 111_320.0 * np.cos(np.radians(lat)), lat * 111_320.0])
    pairs = cKDTree(metres).query_pairs(spacing_m, output_type="ndarray")
    pairs = pairs[operator[pairs[:, 0]] == operator[pairs[:, 1]]]
    dropped = np.zeros(len(lon), dtype=bool)
    dropped[pairs.max(axis=1)] = True  # the later of each close pair
    return np.flatnonzero(~dropped)


def write_province(province: Province, folder: str | PathLike) -> dict[str, Path]:
    """Write a province as ``province.gpkg`` (one layer each) and ``dem.tif``.

    Parameters
    ----------
    province : Province
        From :func:`make_province` or :func:`load_sample`.
    folder : path-like
        Created if missing; its ``province.gpkg`` and ``dem.tif`` are replaced.

    Returns
    -------
    dict
        File written per layer (``"terrain"`` for the DEM).
    """
    folder = Path(folder)
    layers = {name: getattr(province, name) for name in Province.VECTOR_LAYERS}
    gpkg = write_layers(layers, folder / "province.gpkg")
    dem = write_terrain(province.terrain, folder / "dem.tif")
    return {**dict.fromkeys(layers, gpkg), "terrain": dem}


def read_province(folder: str | PathLike) -> Province:
    """Read a province written by :func:`write_province`.

    Parameters
    ----------
    folder : path-like
        A folder written by :func:`write_province`.

    Returns
    -------
    Province
        The layers and the DEM as written.
    """
    folder = Path(folder)
    layers = {name: read_layer(folder / "province.gpkg", name) for name in Province.VECTOR_LAYERS}
    return Province(**layers, terrain=read_terrain(folder / "dem.tif"))


def load_sample() -> Province:
    """Read the sample province shipped with whitespot (no download, no generation).

    It equals ``make_province()`` (the tests check this). See the module notes: it is
    synthetic.

    Returns
    -------
    Province
        Villages, households, towers, grid, candidates, measurements and the DEM.
    """
    with resources.as_file(resources.files("whitespot.data") / "sample_data") as folder:
        return read_province(folder)
