"""CGCS2000 3° Gauss-Krüger zones: a layer whose eastings carry the zone prefix (36 359 474) while its .prj
names the unprefixed CRS (or the reverse) is a common delivery fault; fix the CRS rather than move data."""

from __future__ import annotations

import numpy as np
from pyproj import CRS

from .coords import gk_zone_crs, gk_zone_of


def fix_gk_prefix(crs: CRS, bounds: np.ndarray) -> tuple[CRS, str]:
    """Swap a GK CRS for its prefixed/unprefixed twin when the eastings say so; (crs, note) with note '' if kept."""
    info = gk_zone_of(crs) if crs is not None else None
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
