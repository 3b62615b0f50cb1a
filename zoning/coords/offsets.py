"""China's map offsets: GCJ-02 (Amap, Tencent) and BD-09 (Baidu) to and from WGS84 / CGCS2000, and the names
people give the four coordinate systems (高德, 百度, 火星坐标, GPS, 国家2000 ...).

Forward transforms are closed form; the inverses iterate the forward one (error well under 0.01 m).
CGCS2000 and WGS84 are treated as one datum: they differ by centimetres.
"""

from __future__ import annotations

import math
import re

import numpy as np

from zoning.errors import CoordinateError

from ._arrays import _lonlat_arrays, _max_abs, _result

__all__ = ["SYSTEMS", "normalize_system", "wgs84_to_gcj02", "gcj02_to_wgs84", "gcj02_to_bd09", "bd09_to_gcj02",
           "to_cgcs2000", "from_cgcs2000"]

SYSTEMS = ("CGCS2000", "WGS84", "GCJ02", "BD09")

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


_MAX_ITERATIONS = 30
_TOLERANCE_DEG = 1e-9  # about 0.1 mm

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
