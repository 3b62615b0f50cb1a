"""Coordinates as people type them, and the Chinese coordinate systems they come in.

Parses decimal and DMS angles (``106°33′12.5″``, ``东经106度33分12.5秒``), WKT / GeoJSON text and projected
Gauss-Krüger x/y, and converts between CGCS2000 / WGS84, GCJ-02 (Amap, Tencent) and BD-09 (Baidu).
Array functions take scalars, numpy arrays or pandas Series and return numpy arrays (floats for scalars).
CGCS2000 and WGS84 are treated as one datum: they differ by centimetres.
"""

from __future__ import annotations

import json
import math
import re
from functools import cache, lru_cache

import numpy as np
import pandas as pd
import pyproj
import shapely
import shapely.errors
from shapely.geometry import shape

from zoning.errors import CoordinateError

SYSTEMS = ("CGCS2000", "WGS84", "GCJ02", "BD09")
STORAGE_EPSG = 4490  # CGCS2000 geographic, what xy_to_lonlat returns

__all__ = [
    "SYSTEMS",
    "bd09_to_gcj02",
    "from_cgcs2000",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "gk_zone_crs",
    "normalize_system",
    "parse_angle",
    "parse_geometry",
    "parse_lonlat_columns",
    "to_cgcs2000",
    "wgs84_to_gcj02",
    "xy_to_lonlat",
]

# ---------------------------------------------------------------------------------------------------
# Coordinate system names
# ---------------------------------------------------------------------------------------------------

_SYSTEM_ALIASES = {
    "CGCS2000": (
        "cgcs2000", "cgcs", "2000", "cgcs2000坐标系", "国家2000", "2000国家大地坐标系", "国家2000坐标系",
        "中国2000", "epsg4490", "4490",
    ),
    "WGS84": ("wgs84", "wgs", "wgs1984", "gps", "epsg4326", "4326"),
    "GCJ02": (
        "gcj02", "gcj", "高德", "高德地图", "火星", "火星坐标", "火星坐标系", "腾讯", "腾讯地图", "国测局",
        "国测局坐标", "amap", "gaode", "autonavi", "tencent", "qq", "mars",
    ),
    "BD09": ("bd09", "bd09ll", "bd", "百度", "百度坐标", "百度坐标系", "百度地图", "baidu"),
}
_SYSTEM_BY_KEY = {alias: system for system, aliases in _SYSTEM_ALIASES.items() for alias in aliases}


def _system_key(name: str) -> str:
    """Lower-case a system name and drop spaces and punctuation, so 'GCJ-02' and 'gcj_02' meet."""
    return re.sub(r"[\s\-_:/.()（）]+", "", name.strip().lower())


def normalize_system(name: str | None) -> str:
    """Canonical name (one of SYSTEMS) for what people call a coordinate system; blank means CGCS2000.

    >>> normalize_system("高德"), normalize_system("bd-09"), normalize_system(None)
    ('GCJ02', 'BD09', 'CGCS2000')
    """
    if name is None or (isinstance(name, float) and math.isnan(name)):
        return "CGCS2000"
    text = str(name)
    if not text.strip():
        return "CGCS2000"
    system = _SYSTEM_BY_KEY.get(_system_key(text))
    if system is None:
        raise CoordinateError(
            f"unknown coordinate system {text!r}: expected CGCS2000 (2000, 国家2000), WGS84 (GPS), "
            "GCJ02 (高德, 腾讯, 火星坐标) or BD09 (百度)"
        )
    return system


# ---------------------------------------------------------------------------------------------------
# Array helpers
# ---------------------------------------------------------------------------------------------------


def _float_array(values) -> np.ndarray:
    """Float numpy array of scalars, lists, arrays or Series (pandas <NA> becomes NaN)."""
    if isinstance(values, (pd.Series, pd.Index)):
        return values.to_numpy(dtype="float64", na_value=np.nan, copy=True)
    return np.asarray(values, dtype="float64")


def _lonlat_arrays(lon, lat) -> tuple[np.ndarray, np.ndarray, bool]:
    """Broadcast lon and lat to float arrays; also say whether both were scalars."""
    scalar = np.ndim(lon) == 0 and np.ndim(lat) == 0
    lon_a, lat_a = np.broadcast_arrays(_float_array(lon), _float_array(lat))
    return lon_a.astype("float64", copy=True), lat_a.astype("float64", copy=True), scalar


def _result(lon: np.ndarray, lat: np.ndarray, scalar: bool):
    """Return floats for scalar input, arrays otherwise."""
    if scalar:
        return float(lon), float(lat)
    return lon, lat


def _max_abs(*arrays: np.ndarray) -> float:
    """Largest finite absolute value over arrays (0 when there is none), for convergence tests."""
    finite = [np.abs(a[np.isfinite(a)]) for a in arrays]
    return max((float(f.max()) for f in finite if f.size), default=0.0)


_MAX_ITERATIONS = 30
_TOLERANCE_DEG = 1e-9  # about 0.1 mm


# ---------------------------------------------------------------------------------------------------
# GCJ-02 and BD-09
# ---------------------------------------------------------------------------------------------------

_KRASOVSKY_A = 6378245.0
_KRASOVSKY_E2 = 0.00669342162296594323
_CHINA_BOX = (72.004, 0.8293, 137.8347, 55.8271)  # lon/lat box inside which GCJ-02 shifts points
_BD_X_PI = math.pi * 3000.0 / 180.0
_BD_DLON, _BD_DLAT = 0.0065, 0.006


def _in_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """True where GCJ-02 applies its offset (the published rough box around China)."""
    west, south, east, north = _CHINA_BOX
    return (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)


def _gcj_offset_metres(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The GCJ-02 offset polynomial in 'metres' on the Krasovsky ellipsoid: (east, north)."""
    x = lon - 105.0
    y = lat - 35.0
    pi = math.pi
    root = np.sqrt(np.abs(x))
    ripple = (20.0 * np.sin(6.0 * pi * x) + 20.0 * np.sin(2.0 * pi * x)) * 2.0 / 3.0
    east = (
        300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * root + ripple
        + (20.0 * np.sin(pi * x) + 40.0 * np.sin(pi * x / 3.0)) * 2.0 / 3.0
        + (150.0 * np.sin(pi * x / 12.0) + 300.0 * np.sin(pi * x / 30.0)) * 2.0 / 3.0
    )
    north = (
        -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * root + ripple
        + (20.0 * np.sin(pi * y) + 40.0 * np.sin(pi * y / 3.0)) * 2.0 / 3.0
        + (160.0 * np.sin(pi * y / 12.0) + 320.0 * np.sin(pi * y / 30.0)) * 2.0 / 3.0
    )
    return east, north


def _gcj_forward(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 -> GCJ-02 on arrays: metre offsets turned into degrees with the Krasovsky radii."""
    east, north = _gcj_offset_metres(lon, lat)
    phi = np.radians(lat)
    w = 1.0 - _KRASOVSKY_E2 * np.sin(phi) ** 2
    meridian_radius = _KRASOVSKY_A * (1.0 - _KRASOVSKY_E2) / (w * np.sqrt(w))
    normal_radius = _KRASOVSKY_A / np.sqrt(w)
    dlat = np.degrees(north / meridian_radius)
    dlon = np.degrees(east / (normal_radius * np.cos(phi)))
    inside = _in_china(lon, lat)
    return lon + np.where(inside, dlon, 0.0), lat + np.where(inside, dlat, 0.0)


def _invert(forward, target_lon: np.ndarray, target_lat: np.ndarray, start_lon, start_lat):
    """Solve forward(p) = target by fixed-point iteration from a start point (the offsets are tiny)."""
    lon, lat = start_lon.copy(), start_lat.copy()
    for _ in range(_MAX_ITERATIONS):
        got_lon, got_lat = forward(lon, lat)
        step_lon, step_lat = got_lon - target_lon, got_lat - target_lat
        lon -= step_lon
        lat -= step_lat
        if _max_abs(step_lon, step_lat) < _TOLERANCE_DEG:
            break
    return lon, lat


def wgs84_to_gcj02(lon, lat):
    """WGS84 / CGCS2000 -> GCJ-02 (Amap, Tencent), closed form; points outside China are unchanged.

    Near Chongqing the shift is about 360 m east and 320 m south (480 m in all); NaN stays NaN.
    """
    lon_a, lat_a, scalar = _lonlat_arrays(lon, lat)
    return _result(*_gcj_forward(lon_a, lat_a), scalar)


def gcj02_to_wgs84(lon, lat):
    """GCJ-02 -> WGS84 / CGCS2000 by iterating the forward transform (error well under 0.01 m)."""
    lon_a, lat_a, scalar = _lonlat_arrays(lon, lat)
    return _result(*_invert(_gcj_forward, lon_a, lat_a, lon_a, lat_a), scalar)


def _bd_forward(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 -> BD-09 on arrays: a small polar warp plus the constant 0.0065 / 0.006 shift."""
    radius = np.hypot(lon, lat) + 0.00002 * np.sin(lat * _BD_X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _BD_X_PI)
    return radius * np.cos(theta) + _BD_DLON, radius * np.sin(theta) + _BD_DLAT


def _bd_first_guess(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One-step BD-09 -> GCJ-02 approximation (metre-level), the start of the iteration."""
    x, y = lon - _BD_DLON, lat - _BD_DLAT
    radius = np.hypot(x, y) - 0.00002 * np.sin(y * _BD_X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _BD_X_PI)
    return radius * np.cos(theta), radius * np.sin(theta)


def gcj02_to_bd09(lon, lat):
    """GCJ-02 -> BD-09 (Baidu), closed form."""
    lon_a, lat_a, scalar = _lonlat_arrays(lon, lat)
    return _result(*_bd_forward(lon_a, lat_a), scalar)


def bd09_to_gcj02(lon, lat):
    """BD-09 (Baidu) -> GCJ-02 by iterating the forward transform (error well under 0.01 m)."""
    lon_a, lat_a, scalar = _lonlat_arrays(lon, lat)
    start_lon, start_lat = _bd_first_guess(lon_a, lat_a)
    return _result(*_invert(_bd_forward, lon_a, lat_a, start_lon, start_lat), scalar)


def to_cgcs2000(lon, lat, system):
    """Lon/lat in any of SYSTEMS (or an alias such as '百度') -> CGCS2000, e.g. an Amap pick to storage.

    >>> [round(v, 4) for v in to_cgcs2000(106.5537, 29.5572, "高德")]
    [106.55, 29.56]
    """
    kind = normalize_system(system)
    lon_a, lat_a, scalar = _lonlat_arrays(lon, lat)
    if kind == "BD09":
        lon_a, lat_a = _invert(_bd_forward, lon_a, lat_a, *_bd_first_guess(lon_a, lat_a))
    if kind in ("BD09", "GCJ02"):
        lon_a, lat_a = _invert(_gcj_forward, lon_a, lat_a, lon_a, lat_a)
    return _result(lon_a, lat_a, scalar)


def from_cgcs2000(lon, lat, system):
    """CGCS2000 lon/lat -> any of SYSTEMS (e.g. to put sites on an Amap or Baidu base map)."""
    kind = normalize_system(system)
    lon_a, lat_a, scalar = _lonlat_arrays(lon, lat)
    if kind in ("GCJ02", "BD09"):
        lon_a, lat_a = _gcj_forward(lon_a, lat_a)
    if kind == "BD09":
        lon_a, lat_a = _bd_forward(lon_a, lat_a)
    return _result(lon_a, lat_a, scalar)


# ---------------------------------------------------------------------------------------------------
# Angles typed by people
# ---------------------------------------------------------------------------------------------------


def _angle_table() -> dict[int, str | None]:
    """str.translate table: full-width forms, degree/minute/second marks and 东西南北 to plain ASCII."""
    table: dict[int, str | None] = {0xFF10 + i: str(i) for i in range(10)}
    table.update({0xFF21 + i: chr(ord("A") + i) for i in range(26)})
    table.update({0xFF41 + i: chr(ord("a") + i) for i in range(26)})
    table.update({ord(c): "°" for c in "º˚度"})
    table.update({ord(c): "'" for c in "′＇’‘´分"})
    table.update({ord(c): '"' for c in "″＂”“秒"})
    table.update({ord(c): "." for c in "．。"})
    table.update({ord(c): "," for c in "，"})
    table.update({ord(c): " " for c in "\u3000\xa0\t:：;；、"})
    table.update({ord(c): "-" for c in "－−"})
    table.update({ord("＋"): "+", ord("东"): "E", ord("西"): "W", ord("北"): "N", ord("南"): "S"})
    table.update({ord("经"): None, ord("纬"): None})
    return table


_ANGLE_TABLE = _angle_table()
_NUM = r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
_ANGLE_PATTERN = (
    r"^(?P<h1>[NSEW])?\s*(?P<sign>[-+])?\s*(?P<deg>" + _NUM + r")"
    r"(?:(?:\s*°\s*|\s+)(?P<min>" + _NUM + r")"
    r"(?:(?:\s*'\s*|\s+)(?P<sec>" + _NUM + r")(?:\s*\")?|\s*')?"
    r"|\s*°)?"
    r"\s*(?P<h2>[NSEW])?$"
)
_EXAMPLES = {
    "longitude": "decimal degrees like 106.5533 or DMS like 106°33′12.5″",
    "latitude": "decimal degrees like 29.5617 or DMS like 29°33′42″",
    "angle": "decimal degrees like 106.5533 or DMS like 106°33′12.5″",
}


def _normalise_angle_text(text: pd.Series) -> pd.Series:
    """Rewrite typed angles to ASCII with ° ' \" marks and E/W/N/S letters, upper case, trimmed."""
    text = text.str.replace(r"经度|纬度", "", regex=True).str.translate(_ANGLE_TABLE)
    text = text.str.replace("''", '"', regex=False)
    decimal_comma = (text.str.count(",") == 1) & ~text.str.contains(".", regex=False)
    text = text.where(~decimal_comma.fillna(False), text.str.replace(",", ".", regex=False))
    return text.str.replace(",", " ", regex=False).str.upper().str.strip()


def _to_float(parts: pd.Series) -> np.ndarray:
    """Extracted number strings -> floats (NaN where the group did not match)."""
    return pd.to_numeric(parts, errors="coerce").to_numpy(dtype="float64", na_value=np.nan, copy=True)


def _put(err: np.ndarray, mask: np.ndarray, message) -> None:
    """Write message(s) into err where mask holds and no earlier error was recorded."""
    mask = mask & (err == "")
    if not mask.any():
        return
    if isinstance(message, pd.Series):
        err[mask] = message.to_numpy(dtype=object, copy=True)[mask]
    else:
        err[mask] = message


def _parse_angle_text(raw: pd.Series, what: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse non-numeric angle strings with one vectorised regex: (degrees, axis, error)."""
    raw = raw.astype("string")
    parts = raw.pipe(_normalise_angle_text).str.extract(_ANGLE_PATTERN)
    deg, mins, secs = _to_float(parts["deg"]), _to_float(parts["min"]), _to_float(parts["sec"])
    hemi = parts["h1"].fillna(parts["h2"]).fillna("").to_numpy(dtype=object, copy=True)
    quoted = "'" + raw + "'"
    err = np.full(len(raw), "", dtype=object)
    _put(err, np.isnan(deg), "cannot read " + what + " " + quoted + ": expected " + _EXAMPLES[what])
    has_min, has_sec = ~np.isnan(mins), ~np.isnan(secs)
    deg_fraction = parts["deg"].str.contains(".", regex=False).fillna(False).to_numpy(dtype=bool, copy=True)
    min_fraction = parts["min"].str.contains(".", regex=False).fillna(False).to_numpy(dtype=bool, copy=True)
    _put(err, deg_fraction & has_min, "degrees with a decimal fraction cannot be followed by minutes in "
         + what + " " + quoted + ": expected " + _EXAMPLES[what])
    _put(err, min_fraction & has_sec, "minutes with a decimal fraction cannot be followed by seconds in "
         + what + " " + quoted + ": expected " + _EXAMPLES[what])
    _put(err, has_min & (mins >= 60), "minutes " + parts["min"] + " in " + what + " " + quoted
         + " must be below 60: expected " + _EXAMPLES[what])
    _put(err, has_sec & (secs >= 60), "seconds " + parts["sec"] + " in " + what + " " + quoted
         + " must be below 60: expected " + _EXAMPLES[what])
    _put(err, (parts["h1"].notna() & parts["h2"].notna()).to_numpy(dtype=bool, copy=True),
         what + " " + quoted + " has two hemisphere letters: expected one, before or after the number")
    _put(err, (parts["sign"].notna() & (hemi != "")).to_numpy(dtype=bool, copy=True),
         what + " " + quoted + " has both a sign and a hemisphere letter: expected one of them, e.g. "
         "-106.55 or 106.55W")
    magnitude = deg + np.nan_to_num(mins) / 60.0 + np.nan_to_num(secs) / 3600.0
    is_ew, is_ns = np.isin(hemi, ["E", "W"]), np.isin(hemi, ["N", "S"])
    _put(err, is_ew & (magnitude > 180), what + " " + quoted + " is east/west beyond 180°: expected 0–180")
    _put(err, is_ns & (magnitude > 90), what + " " + quoted + " is north/south beyond 90°: expected 0–90")
    negative = (parts["sign"] == "-").fillna(False).to_numpy(dtype=bool, copy=True) | np.isin(hemi, ["W", "S"])
    values = np.where(negative, -magnitude, magnitude)
    values[err != ""] = np.nan
    axis = np.where(is_ew, "lon", np.where(is_ns, "lat", "")).astype(object)
    return values, axis, err


def _missing(raw: pd.Series) -> np.ndarray:
    """True for NA / None / NaN and for blank strings."""
    missing = raw.isna().to_numpy(dtype=bool, copy=True)
    if not pd.api.types.is_numeric_dtype(raw.dtype):
        blank = raw.astype("string").str.strip().eq("").fillna(False).to_numpy(dtype=bool, copy=True)
        missing |= blank
    return missing


def _plain_numbers(raw: pd.Series) -> np.ndarray:
    """Fast path: entries that are already numbers or plain numeric text; NaN elsewhere."""
    if pd.api.types.is_bool_dtype(raw.dtype):
        return np.full(len(raw), np.nan)
    if pd.api.types.is_numeric_dtype(raw.dtype):
        return raw.to_numpy(dtype="float64", na_value=np.nan, copy=True)
    return pd.to_numeric(raw, errors="coerce").to_numpy(dtype="float64", na_value=np.nan, copy=True)


def _parse_angle_series(raw: pd.Series, what: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse a column of angles: (degrees, axis 'lon'/'lat'/'' from a hemisphere letter, error text)."""
    raw = raw.reset_index(drop=True)
    values = _plain_numbers(raw)
    axis = np.full(len(raw), "", dtype=object)
    err = np.full(len(raw), "", dtype=object)
    missing = _missing(raw)
    text = np.isnan(values) & ~missing
    if text.any():
        values[text], axis[text], err[text] = _parse_angle_text(raw[text], what)
    err[missing] = f"missing {what}: expected {_EXAMPLES[what]}"
    infinite = np.isinf(values)
    if infinite.any():
        shown = raw[infinite].astype("string").to_numpy(dtype=object, copy=True)
        err[infinite] = [f"{what} '{s}' is not a finite number: expected {_EXAMPLES[what]}" for s in shown]
    values[err != ""] = np.nan
    return values, axis, err


def parse_angle(text: str | float) -> float:
    """Degrees from a typed angle: decimal, DMS, with E/W/N/S or 东经/北纬 (W and S negative).

    >>> parse_angle("东经106°33′12.5″"), parse_angle("29°33′S"), parse_angle("106 33 12.5")
    (106.55347222222223, -29.55, 106.55347222222223)
    """
    if isinstance(text, (bool, np.bool_)):
        raise CoordinateError(f"cannot read angle {text!r}: expected {_EXAMPLES['angle']}")
    if isinstance(text, (int, float, np.integer, np.floating)):
        if not math.isfinite(float(text)):
            raise CoordinateError(f"cannot read angle {text!r}: expected a finite number of degrees")
        return float(text)
    if text is None:
        raise CoordinateError(f"missing angle: expected {_EXAMPLES['angle']}")
    if not isinstance(text, str):
        raise CoordinateError(
            f"cannot read angle from {type(text).__name__} {text!r}: expected text or a number of degrees"
        )
    values, _, err = _parse_angle_series(pd.Series([text], dtype="string"), "angle")
    if err[0]:
        raise CoordinateError(err[0])
    return float(values[0])


def _as_series(values) -> pd.Series:
    """Series from a Series, list, array or scalar, with a positional index."""
    if isinstance(values, pd.Series):
        return values.reset_index(drop=True)
    return pd.Series(np.atleast_1d(np.asarray(values, dtype=object)))


def _paired(a, b, names: tuple[str, str]) -> tuple[pd.Series, pd.Series, pd.Index]:
    """Two equally long columns as positional Series, plus the index to give the result."""
    first, second = _as_series(a), _as_series(b)
    if len(first) != len(second):
        raise CoordinateError(
            f"{names[0]} has {len(first)} values but {names[1]} has {len(second)}: expected one of each per row"
        )
    for original in (a, b):
        if isinstance(original, pd.Series):
            return first, second, original.index
    return first, second, pd.RangeIndex(len(first))


def _join_rows(*errors: np.ndarray) -> np.ndarray:
    """Row-wise "; "-join of message arrays (errors or notes), skipping empty entries."""
    joined = np.full(len(errors[0]), "", dtype=object)
    for err in errors:
        has = err != ""
        both = has & (joined != "")
        joined[both] = joined[both] + "; " + err[both]
        only = has & ~both
        joined[only] = err[only]
    return joined


def parse_lonlat_columns(lon: pd.Series, lat: pd.Series) -> pd.DataFrame:
    """Parse lon/lat columns into floats, fixing swapped columns when unambiguous; never raises on data.

    Returns columns lon, lat (NaN on error), swapped (bool) and error ("" when fine), on lon's index.
    Plain numbers take a vectorised fast path; only other text goes through the DMS parser.
    """
    lon_s, lat_s, index = _paired(lon, lat, ("lon", "lat"))
    lon_v, lon_axis, lon_err = _parse_angle_series(lon_s, "longitude")
    lat_v, lat_axis, lat_err = _parse_angle_series(lat_s, "latitude")
    ok = (lon_err == "") & (lat_err == "")
    marked = ok & ((lon_axis == "lat") | (lat_axis == "lon")) & (lon_axis != "lon") & (lat_axis != "lat")
    unmarked = (lon_axis == "") & (lat_axis == "")
    by_range = ok & unmarked & (np.abs(lat_v) > 90) & (np.abs(lat_v) <= 180) & (np.abs(lon_v) <= 90)
    swapped = marked | by_range
    out_lon = np.where(swapped, lat_v, lon_v)
    out_lat = np.where(swapped, lon_v, lat_v)

    extra = np.full(len(lon_s), "", dtype=object)
    _put(extra, ok & (lon_axis == "lat") & (lat_axis == "lat"),
         "both values are marked N/S: expected an E/W longitude and an N/S latitude")
    _put(extra, ok & (lon_axis == "lon") & (lat_axis == "lon"),
         "both values are marked E/W: expected an E/W longitude and an N/S latitude")
    bad_lon = ok & (extra == "") & (np.abs(out_lon) > 180)
    bad_lat = ok & (extra == "") & ~bad_lon & (np.abs(out_lat) > 90)
    extra[bad_lon] = [f"longitude {v:g} is outside -180..180" for v in out_lon[bad_lon]]
    extra[bad_lat] = [
        f"latitude {la:g} is outside -90..90 and longitude {lo:g} is not a valid latitude either, "
        "so the columns cannot simply be swapped"
        for lo, la in zip(out_lon[bad_lat], out_lat[bad_lat])
    ]
    error = _join_rows(lon_err, lat_err, extra)
    failed = error != ""
    out_lon[failed] = np.nan
    out_lat[failed] = np.nan
    return pd.DataFrame(
        {
            "lon": out_lon,
            "lat": out_lat,
            "swapped": swapped & ~failed,
            "error": pd.array(error, dtype="str"),
        },
        index=index,
    )


# ---------------------------------------------------------------------------------------------------
# Geometry text
# ---------------------------------------------------------------------------------------------------

_SRID_PREFIX = re.compile(r"^\s*SRID\s*=\s*(?P<srid>[^;]*?)\s*;\s*", re.IGNORECASE)
_LONLAT_SRIDS = {"4490", "4326"}
_GEOJSON_GEOMETRIES = {
    "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection",
}
_GEOMETRY_EXAMPLE = (
    "WKT like 'POINT (106.55 29.56)' or GeoJSON like '{\"type\": \"Point\", \"coordinates\": [106.55, 29.56]}'"
)


def _preview(text: str, limit: int = 60) -> str:
    """The start of a long text, quoted, for error messages."""
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _geometry_from_wkt(text: str) -> shapely.Geometry:
    """WKT (any case) with an optional 'SRID=4490;' prefix, which must name a lon/lat CRS."""
    prefix = _SRID_PREFIX.match(text)
    if prefix:
        srid = prefix.group("srid")
        if srid not in _LONLAT_SRIDS:
            raise CoordinateError(
                f"geometry {_preview(text)} has SRID={srid}: expected lon/lat in SRID=4490 (CGCS2000) or "
                "SRID=4326 (WGS84); convert projected coordinates first"
            )
        text = text[prefix.end():]
    try:
        return shapely.from_wkt(text)
    except (shapely.errors.ShapelyError, ValueError, TypeError) as exc:
        raise CoordinateError(f"cannot read WKT {_preview(text)} ({exc}): expected {_GEOMETRY_EXAMPLE}") from exc


def _geojson_geometry_dict(obj, text: str) -> dict:
    """The geometry member of a GeoJSON geometry or Feature, with a clear error otherwise."""
    kind = obj.get("type") if isinstance(obj, dict) else None
    if kind == "Feature":
        geometry = obj.get("geometry")
        if not isinstance(geometry, dict):
            raise CoordinateError(f"GeoJSON Feature {_preview(text)} has no geometry: expected a geometry object")
        obj, kind = geometry, geometry.get("type")
    if kind == "FeatureCollection":
        count = len(obj.get("features") or [])
        raise CoordinateError(
            f"GeoJSON is a FeatureCollection with {count} features: expected one geometry or one Feature"
        )
    if kind not in _GEOJSON_GEOMETRIES:
        raise CoordinateError(
            f"GeoJSON {_preview(text)} has type {kind!r}: expected a geometry "
            f"({', '.join(sorted(_GEOJSON_GEOMETRIES))}) or a Feature"
        )
    member = "geometries" if kind == "GeometryCollection" else "coordinates"
    if member not in obj:
        raise CoordinateError(f"GeoJSON {kind} {_preview(text)} has no '{member}': expected {_GEOMETRY_EXAMPLE}")
    return obj


def _geometry_from_geojson(text: str) -> shapely.Geometry:
    """A shapely geometry from GeoJSON text holding a geometry or a Feature."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CoordinateError(
            f"cannot read GeoJSON {_preview(text)}: {exc.msg} at line {exc.lineno} column {exc.colno}; "
            f"expected {_GEOMETRY_EXAMPLE}"
        ) from exc
    geometry = _geojson_geometry_dict(obj, text)
    try:
        return shape(geometry)
    except (shapely.errors.ShapelyError, ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise CoordinateError(
            f"cannot build a {geometry['type']} from GeoJSON {_preview(text)} ({exc}): expected {_GEOMETRY_EXAMPLE}"
        ) from exc


def parse_geometry(text: str) -> shapely.Geometry:
    """A shapely geometry from WKT ('SRID=4490;' prefix allowed) or GeoJSON (geometry or Feature) text.

    >>> parse_geometry("SRID=4490;point (106.55 29.56)").wkt
    'POINT (106.55 29.56)'
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CoordinateError(f"geometry bytes are not UTF-8 ({exc}): expected {_GEOMETRY_EXAMPLE}") from exc
    if text is None or (isinstance(text, float) and math.isnan(text)):
        raise CoordinateError(f"geometry is missing: expected {_GEOMETRY_EXAMPLE}")
    if not isinstance(text, str):
        raise CoordinateError(f"cannot read geometry from {type(text).__name__}: expected {_GEOMETRY_EXAMPLE}")
    body = text.strip().lstrip("\ufeff").strip()
    if not body:
        raise CoordinateError(f"geometry text is empty: expected {_GEOMETRY_EXAMPLE}")
    geometry = _geometry_from_geojson(body) if body.startswith("{") else _geometry_from_wkt(body)
    if geometry is None or geometry.is_empty:
        raise CoordinateError(f"geometry {_preview(body)} is empty: expected at least one coordinate")
    return geometry


# ---------------------------------------------------------------------------------------------------
# Gauss-Krüger x/y
# ---------------------------------------------------------------------------------------------------

_GK_FIRST_ZONE, _GK_LAST_ZONE = 25, 45  # CGCS2000 3-degree zones over China: CM 75E .. 135E
_GK_PREFIXED_EPSG_BASE = 4488  # prefixed zone n is EPSG:(4488 + n): 4513 = zone 25 .. 4533 = zone 45
_GK_UNPREFIXED_EPSG_CM75 = 4534  # unprefixed CM 75E; one code per 3 degrees up to 4554 = CM 135E
_EASTING_MIN, _EASTING_MAX = 100_000.0, 900_000.0  # eastings within a zone, without prefix
_NORTHING_MIN, _NORTHING_MAX = 1_000_000.0, 6_000_000.0  # 7-digit northings over China


@cache
def _gk_crs_cached(zone: int, prefixed: bool) -> pyproj.CRS:
    """EPSG CRS of a CGCS2000 3-degree GK zone (cached: building a CRS reads the PROJ database)."""
    if prefixed:
        return pyproj.CRS.from_epsg(_GK_PREFIXED_EPSG_BASE + zone)
    return pyproj.CRS.from_epsg(_GK_UNPREFIXED_EPSG_CM75 + zone - _GK_FIRST_ZONE)


def gk_zone_crs(zone: int, prefixed: bool) -> pyproj.CRS:
    """CGCS2000 3-degree Gauss-Krüger CRS of zone 25–45 (central meridian 3·zone °E).

    prefixed=True: eastings carry the zone number (EPSG:4513–4533); False: plain 6-digit (EPSG:4534–4554).
    >>> gk_zone_crs(36, prefixed=False).to_epsg(), gk_zone_crs(36, prefixed=True).to_epsg()
    (4545, 4524)
    """
    if isinstance(zone, (bool, np.bool_)) or not isinstance(zone, (int, np.integer)):
        raise CoordinateError(f"GK zone {zone!r} is not an integer: expected a zone number 25–45")
    zone = int(zone)
    if not _GK_FIRST_ZONE <= zone <= _GK_LAST_ZONE:
        hint = f" (central meridian {zone}°E is zone {zone // 3})" if zone % 3 == 0 and 75 <= zone <= 135 else ""
        raise CoordinateError(
            f"GK zone {zone} is outside 25–45: expected a CGCS2000 3-degree zone number, "
            f"e.g. 36 for central meridian 108°E{hint}"
        )
    return _gk_crs_cached(zone, bool(prefixed))


def gk_zone_of(crs: pyproj.CRS) -> tuple[int, bool] | None:
    """(zone, prefixed) when crs is a CGCS2000-ellipsoid 3-degree GK zone (any spelling), else None."""
    operation = crs.coordinate_operation if crs.is_projected else None
    if operation is None or "transverse mercator" not in operation.method_name.lower():
        return None
    params = {p.name.lower(): p.value for p in operation.params}
    ellipsoid = crs.ellipsoid
    grs80 = (
        ellipsoid is not None
        and math.isclose(ellipsoid.semi_major_metre, 6378137.0, abs_tol=1e-3)
        and math.isclose(ellipsoid.inverse_flattening, 298.257222101, abs_tol=1e-6)
    )
    cm = params.get("longitude of natural origin")
    if not grs80 or cm is None or params.get("scale factor at natural origin") != 1.0:
        return None
    if params.get("latitude of natural origin", 0.0) != 0.0 or params.get("false northing", 0.0) != 0.0:
        return None
    zone = round(cm / 3.0)
    if not math.isclose(cm, 3.0 * zone) or not _GK_FIRST_ZONE <= zone <= _GK_LAST_ZONE:
        return None
    false_easting = params.get("false easting")
    if false_easting == 500_000.0:
        return zone, False
    if false_easting == zone * 1_000_000.0 + 500_000.0:
        return zone, True
    return None


def _label(crs: pyproj.CRS) -> str:
    """'EPSG:4545 (CGCS2000 / 3-degree Gauss-Kruger CM 108E)' or just the name when there is no code."""
    authority = crs.to_authority(min_confidence=100)
    if authority:
        return f"{authority[0]}:{authority[1]} ({crs.name})"
    return crs.name if crs.name and crs.name != "unknown" else repr(crs.srs)


@lru_cache(maxsize=64)
def _to_storage(crs: pyproj.CRS) -> pyproj.Transformer:
    """Transformer from crs to EPSG:4490, easting/northing order (cached per CRS)."""
    return pyproj.Transformer.from_crs(crs, STORAGE_EPSG, always_xy=True)


def _resolve_crs(crs) -> pyproj.CRS | None:
    """pyproj CRS from anything pyproj accepts; None / '' / NaN mean 'not given'."""
    if crs is None or (isinstance(crs, float) and math.isnan(crs)) or (isinstance(crs, str) and not crs.strip()):
        return None
    if isinstance(crs, pyproj.CRS):
        return crs
    try:
        return pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError as exc:
        raise CoordinateError(
            f"cannot read CRS {crs!r}: expected something pyproj understands, e.g. 'EPSG:4545', 4545 or "
            f"'CGCS2000 / 3-degree Gauss-Kruger CM 108E' ({exc})"
        ) from exc


def _metres(raw: pd.Series, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Numbers from a column of x or y (full-width digits, spaces and thousands commas tolerated)."""
    values = _plain_numbers(raw)
    missing = _missing(raw)
    text = np.isnan(values) & ~missing
    if text.any():
        cleaned = raw[text].astype("string").str.translate(_ANGLE_TABLE).str.replace(r"[\s,]", "", regex=True)
        values[text] = _to_float(cleaned)
    err = np.full(len(raw), "", dtype=object)
    err[missing] = f"missing {what}: expected a number of metres"
    bad = ~np.isfinite(values) & ~missing
    if bad.any():
        shown = raw[bad].astype("string").to_numpy(dtype=object, copy=True)
        err[bad] = [f"cannot read {what} '{s}': expected a number of metres like 359474.1 or 3272217.3" for s in shown]
    values[err != ""] = np.nan
    return values, err


def _zone_prefix(easting: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(zone, has_prefix): the leading zone number of 8-digit eastings whose zone is 25–45."""
    with np.errstate(invalid="ignore"):
        zone = np.floor(easting / 1_000_000.0)
        rest = easting - zone * 1_000_000.0
        prefixed = (zone >= _GK_FIRST_ZONE) & (zone <= _GK_LAST_ZONE) & (rest >= _EASTING_MIN) & (rest < _EASTING_MAX)
    return np.where(prefixed, zone, 0).astype(int), prefixed


def _plain_easting(values: np.ndarray) -> np.ndarray:
    """True for 6-digit eastings (100000–900000) without a zone prefix."""
    return (values >= _EASTING_MIN) & (values < _EASTING_MAX)


def _surveyor_swap(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """True where x looks like a 7-digit northing and y like an easting: surveyors' X/Y order."""
    northing_x = (x >= _NORTHING_MIN) & (x <= _NORTHING_MAX)
    return northing_x & (_plain_easting(y) | _zone_prefix(y)[1])


class _Plan:
    """Per-row choice of source CRS (index into crs_list, -1 = error), with notes and errors."""

    def __init__(self, n: int):
        self.target = np.full(n, -1)
        self.crs_list: list[pyproj.CRS] = []
        self.note = np.full(n, "", dtype=object)
        self.error = np.full(n, "", dtype=object)

    def use(self, mask: np.ndarray, crs: pyproj.CRS, note: str = "") -> None:
        """Rows in mask (and not already failed) are read in crs; note why when it is not the given one."""
        mask = mask & (self.error == "")
        if not mask.any():
            return
        if crs not in self.crs_list:
            self.crs_list.append(crs)
        self.target[mask] = self.crs_list.index(crs)
        if note:
            self.note[mask] = _join_rows(self.note[mask], np.full(mask.sum(), note, dtype=object))

    def fail(self, mask: np.ndarray, message) -> None:
        """Rows in mask get an error (the first one recorded wins)."""
        _put(self.error, mask, message)


def _plan_gk(plan: _Plan, easting: np.ndarray, valid: np.ndarray, given: pyproj.CRS, zone: int, prefixed: bool):
    """Rows in a given GK zone: follow the zone prefix the eastings actually carry."""
    row_zone, has_prefix = _zone_prefix(easting)
    plain = _plain_easting(easting)
    cm = 3 * zone
    same_zone = valid & has_prefix & (row_zone == zone)
    if prefixed:
        plan.use(same_zone, given)
        plan.use(valid & plain, gk_zone_crs(zone, False),
                 f"easting has no zone prefix: read in {_label(gk_zone_crs(zone, False))} instead of {_label(given)}")
    else:
        plan.use(same_zone, gk_zone_crs(zone, True),
                 f"easting carries zone prefix {zone}: read in {_label(gk_zone_crs(zone, True))} "
                 f"instead of {_label(given)}")
        plan.use(valid & plain, given)
    for other in np.unique(row_zone[valid & has_prefix & (row_zone != zone)]):
        plan.fail(valid & has_prefix & (row_zone == other),
                  f"easting carries zone prefix {other} (central meridian {3 * other}°E) but the CRS "
                  f"{_label(given)} has central meridian {cm}°E: expected the prefix {zone} or a matching CRS")
    shown = pd.Series(easting).round(1).astype("string")
    plan.fail(valid & ~has_prefix & ~plain,
              "easting " + shown + f" is not a CGCS2000 3-degree GK easting for {_label(given)}: expected 6 digits "
              f"(100000–900000) or 8 digits starting with the zone number {zone}")


def _plan_inferred(plan: _Plan, easting: np.ndarray, valid: np.ndarray) -> None:
    """No CRS given: only an 8-digit easting's zone prefix can say which GK zone the row is in."""
    row_zone, has_prefix = _zone_prefix(easting)
    for zone in np.unique(row_zone[valid & has_prefix]):
        crs = gk_zone_crs(int(zone), True)
        plan.use(valid & has_prefix & (row_zone == zone), crs,
                 f"no CRS given: zone {zone} inferred from the easting's prefix, read in {_label(crs)}")
    shown = pd.Series(easting).round(1).astype("string")
    plan.fail(valid & ~has_prefix,
              "no CRS given and easting " + shown + " has no CGCS2000 3-degree zone prefix (25–45): expected crs=, "
              "e.g. 'EPSG:4545' for central meridian 108°E")


_SWAP_NOTE = (
    "x and y swapped: x looked like a northing (7 digits) and y like an easting; "
    "Chinese surveyors write X = northing, Y = easting"
)


def xy_to_lonlat(x, y, crs=None) -> pd.DataFrame:
    """Projected x/y (metres) -> CGCS2000 lon/lat (EPSG:4490), one row per input, never raising on data.

    Handles CGCS2000 3-degree GK zones with or without the zone prefix (inferring the zone from an
    8-digit easting when crs is None) and surveyors' X = northing order. Columns: lon, lat, swapped,
    note, error. A crs pyproj cannot read raises CoordinateError.
    >>> xy_to_lonlat([3272217.3], [359474.1], "EPSG:4545")[["lon", "lat", "swapped"]].round(4).values.tolist()
    [[106.55, 29.56, True]]
    """
    x_s, y_s, index = _paired(x, y, ("x", "y"))
    xs, x_err = _metres(x_s, "x")
    ys, y_err = _metres(y_s, "y")
    given = _resolve_crs(crs)
    gk = gk_zone_of(given) if given is not None else None
    plan = _Plan(len(x_s))
    plan.error[:] = _join_rows(x_err, y_err)
    valid = plan.error == ""

    tm_like = given is None or gk is not None or "transverse mercator" in _method_name(given)
    swapped = valid & _surveyor_swap(xs, ys) if tm_like else np.zeros(len(x_s), dtype=bool)
    easting = np.where(swapped, ys, xs)
    northing = np.where(swapped, xs, ys)
    plan.note[swapped] = _SWAP_NOTE

    if given is None:
        _plan_inferred(plan, easting, valid)
    elif gk is not None:
        _plan_gk(plan, easting, valid, given, *gk)
    else:
        plan.use(valid, given)
    lon, lat = _transform_planned(plan, easting, northing)
    return pd.DataFrame(
        {
            "lon": lon,
            "lat": lat,
            "swapped": swapped,
            "note": pd.array(plan.note, dtype="str"),
            "error": pd.array(plan.error, dtype="str"),
        },
        index=index,
    )


def _method_name(crs: pyproj.CRS) -> str:
    """Lower-case projection method name ('' for geographic CRSs)."""
    operation = crs.coordinate_operation if crs.is_projected else None
    return operation.method_name.lower() if operation is not None else ""


def _transform_planned(plan: _Plan, easting: np.ndarray, northing: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Transform each CRS group in one pyproj call; rows that do not project get an error."""
    lon = np.full(len(easting), np.nan)
    lat = np.full(len(easting), np.nan)
    for k, crs in enumerate(plan.crs_list):
        rows = (plan.target == k) & (plan.error == "")
        if rows.any():
            lon[rows], lat[rows] = _to_storage(crs).transform(easting[rows], northing[rows])
    unprojected = (plan.error == "") & ~(np.isfinite(lon) & np.isfinite(lat))
    plan.fail(unprojected, "x/y could not be converted to lon/lat: expected coordinates inside the CRS's area")
    failed = plan.error != ""
    lon[failed] = np.nan
    lat[failed] = np.nan
    return lon, lat
