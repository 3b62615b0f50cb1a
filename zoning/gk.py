"""CGCS2000 3° Gauss-Krüger zones: a layer whose eastings carry the zone prefix (36 359 474) while its .prj
names the unprefixed CRS (or the reverse) is a common delivery fault; fix the CRS rather than move data."""

from __future__ import annotations

import numpy as np
from pyproj import CRS

from .coords import gk_zone_crs


_PREFIXED = range(4513, 4534)     # zones 25..45, easting = zone * 1e6 + 500 000 + offset
_UNPREFIXED = range(4534, 4555)   # CM 75..135 E, easting = 500 000 + offset


def gk_info(crs: CRS) -> tuple[int, bool] | None:
    """(zone, prefixed) when the CRS is one of the CGCS2000 3° GK zones, else None."""
    code = crs.to_epsg() if crs is not None else None
    if code in _PREFIXED:
        return code - 4488, True
    if code in _UNPREFIXED:
        return (75 + 3 * (code - 4534)) // 3, False
    return None


def fix_gk_prefix(crs: CRS, bounds: np.ndarray) -> tuple[CRS, str]:
    """Swap a GK CRS for its prefixed/unprefixed twin when the eastings say so; (crs, note) with note '' if kept."""
    info = gk_info(crs)
    if info is None:
        return crs, ""
    zone, prefixed = info
    minx, maxx = float(bounds[0]), float(bounds[2])
    if not prefixed and minx > 1e7:
        data_zone = int(minx // 1e6)
        if data_zone != zone or int(maxx // 1e6) != zone:
            return crs, ""
        fixed = gk_zone_crs(zone, prefixed=True)
        return fixed, f"eastings carry zone prefix {zone}: read as EPSG:{fixed.to_epsg()} instead of EPSG:{crs.to_epsg()}"
    if prefixed and maxx < 1e6:
        fixed = gk_zone_crs(zone, prefixed=False)
        return fixed, f"eastings have no zone prefix: read as EPSG:{fixed.to_epsg()} instead of EPSG:{crs.to_epsg()}"
    return crs, ""
