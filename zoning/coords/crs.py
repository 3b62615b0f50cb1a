"""The one parser of coordinate reference systems as people write them (--crs, crs=, catalog entries), and how a
CRS is named in messages."""

from __future__ import annotations

import math

import pyproj

from zoning.errors import CoordinateError

__all__ = ["parse_crs", "crs_label"]


def parse_crs(crs) -> pyproj.CRS | None:
    """pyproj CRS from what people write: 'EPSG:4545', '4545', 4545, 'CGCS2000 / 3-degree GK CM 108E', WKT, a
    PROJ string or a CRS; None / '' / NaN mean 'not given' (None). Text pyproj cannot read: CoordinateError.

    >>> parse_crs("4545").to_epsg(), parse_crs("CGCS2000 / 3-degree GK CM 108E").to_epsg(), parse_crs(" ")
    (4545, 4545, None)
    """
    if crs is None or (isinstance(crs, float) and math.isnan(crs)) or (isinstance(crs, str) and not crs.strip()):
        return None
    if isinstance(crs, pyproj.CRS):
        return crs
    try:
        return pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError as exc:
        raise CoordinateError(
            f"无法识别坐标参照系 {crs!r} / cannot read CRS {crs!r}: expected something pyproj understands, "
            f"e.g. 'EPSG:4545', 4545 or 'CGCS2000 / 3-degree Gauss-Kruger CM 108E' ({exc})"
        ) from exc


def crs_label(crs: pyproj.CRS) -> str:
    """'EPSG:4545 (CGCS2000 / 3-degree Gauss-Kruger CM 108E)' or just the name when there is no code."""
    authority = crs.to_authority(min_confidence=100)
    if authority:
        return f"{authority[0]}:{authority[1]} ({crs.name})"
    return crs.name if crs.name and crs.name != "unknown" else repr(crs.srs)


def _method_name(crs: pyproj.CRS) -> str:
    """Lower-case projection method name ('' for geographic CRSs)."""
    operation = crs.coordinate_operation if crs.is_projected else None
    return operation.method_name.lower() if operation is not None else ""

