"""Coordinates as people type them, and the Chinese coordinate systems they come in.

One module per job, all names re-exported here (``from zoning import coords; coords.xy_to_lonlat(...)``):

- ``notation``       decimal and DMS angles (``106°33′12.5″``, ``东经106度33分12.5秒``) and typing slips;
                     lon/lat columns (parse_angle, parse_lonlat_columns)
- ``geometry_text``  WKT / GeoJSON text (parse_geometry)
- ``offsets``        GCJ-02 (Amap, Tencent) and BD-09 (Baidu) to and from CGCS2000 / WGS84; system names
- ``gk``             CGCS2000 3° Gauss-Krüger zones, zone prefixes, surveyors' X = northing (xy_to_lonlat,
                     gk_zone_crs, gk_zone_of, fix_gk_prefix)
- ``swap``           the swapped-lon/lat detector (looks_swapped, marked_swapped, CHINA_BOUNDS)
- ``crs``            the one parser of CRSs people write (parse_crs: 'EPSG:4545', '4545', 'CGCS2000 / 3-degree
                     GK CM 108E'); crs_label

Array functions take scalars, numpy arrays or pandas Series and return numpy arrays (floats for scalars).
CGCS2000 and WGS84 are treated as one datum: they differ by centimetres.

>>> xy_to_lonlat([3272217.3], [359474.1], "EPSG:4545")[["lon", "lat"]].round(2).values.tolist()
[[106.55, 29.56]]
"""

from __future__ import annotations

from .crs import crs_label, parse_crs
from .geometry_text import parse_geometry
from .gk import STORAGE_EPSG, fix_gk_prefix, gk_zone_crs, gk_zone_of, xy_to_lonlat
from .notation import parse_angle, parse_lonlat_columns
from .offsets import (
    SYSTEMS,
    bd09_to_gcj02,
    from_cgcs2000,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    normalize_system,
    to_cgcs2000,
    wgs84_to_gcj02,
)
from .swap import CHINA_BOUNDS, WORLD_BOUNDS, looks_swapped, marked_swapped

__all__ = [
    "CHINA_BOUNDS",
    "STORAGE_EPSG",
    "SYSTEMS",
    "WORLD_BOUNDS",
    "bd09_to_gcj02",
    "crs_label",
    "fix_gk_prefix",
    "from_cgcs2000",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "gk_zone_crs",
    "gk_zone_of",
    "looks_swapped",
    "marked_swapped",
    "normalize_system",
    "parse_angle",
    "parse_crs",
    "parse_geometry",
    "parse_lonlat_columns",
    "to_cgcs2000",
    "wgs84_to_gcj02",
    "xy_to_lonlat",
]
