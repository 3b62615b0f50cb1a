"""Geometry repair with `shapely.make_valid`: a self-intersecting bowtie keeps both lobes (never buffer(0))."""

from __future__ import annotations

import numpy as np
import shapely



def repair(geoms: np.ndarray, keep: str = "polygon") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Make invalid geometries valid, keeping only parts of the wanted dimension.

    Returns (geometries, repaired mask, reasons) — reasons are GEOS's is_valid_reason for the repaired ones.

    >>> bowtie = shapely.from_wkt("POLYGON ((0 0, 2 2, 2 0, 0 2, 0 0))")
    >>> fixed, mask, _ = repair(np.array([bowtie]))
    >>> round(float(shapely.area(fixed[0])), 3), bool(mask[0])
    (2.0, True)
    """
    geoms = np.asarray(geoms, dtype=object)
    present = ~shapely.is_missing(geoms)
    invalid = present & ~shapely.is_valid(geoms)
    reasons = np.full(len(geoms), "", dtype=object)
    out = geoms.copy()
    if invalid.any():
        reasons[invalid] = shapely.is_valid_reason(geoms[invalid])
        out[invalid] = shapely.make_valid(geoms[invalid], method="structure", keep_collapsed=False)
        out[invalid] = _keep_dimension(out[invalid], keep)
    return out, invalid, reasons


def _keep_dimension(geoms: np.ndarray, keep: str) -> np.ndarray:
    """From mixed results (a GeometryCollection of polygons and lines) keep the parts of the wanted kind."""
    geoms = geoms.copy()
    mixed = np.flatnonzero(shapely.get_type_id(geoms) == shapely.GeometryType.GEOMETRYCOLLECTION)
    if not len(mixed):
        return geoms
    parts, owner = shapely.get_parts(geoms[mixed], return_index=True)
    parts, sub = shapely.get_parts(parts, return_index=True)  # split Multi* parts into singles
    owner = owner[sub]
    single = shapely.GeometryType.POLYGON if keep == "polygon" else shapely.GeometryType.LINESTRING
    sel = shapely.get_type_id(parts) == single
    out = np.full(len(mixed), None, dtype=object)
    if sel.any():
        # make_valid's parts do not overlap, so collecting them gives a valid Multi* geometry
        build = shapely.multipolygons if keep == "polygon" else shapely.multilinestrings
        build(parts[sel], indices=owner[sel], out=out)
    geoms[mixed] = out
    return geoms
