"""Display simplification: keep what is in view, simplify to about a pixel, round coordinates.

All steps are vectorised shapely calls over geometry arrays; geometries are in degrees (EPSG:4490).
"""

import math

import numpy as np
import shapely

from zoning.metric import METRES_PER_DEGREE

DEFAULT_PIXELS = 2000
"""The view's larger side is treated as this many pixels; tolerance is one such pixel."""


def display_tolerance(bounds, pixels: int = DEFAULT_PIXELS) -> float:
    """Simplification tolerance in degrees: the view's larger side divided by `pixels`."""
    minx, miny, maxx, maxy = bounds
    return max(maxx - minx, maxy - miny, 1e-6) / pixels


def decimals_for(tolerance: float) -> int:
    """Coordinate decimals for a tolerance: 5 (about 1 m) normally, 6 for very fine views."""
    return 6 if tolerance < 2e-5 else 5


def expand_bounds(bounds, margin_m: float):
    """Bounds (degrees) grown by `margin_m` metres on every side, using the latitude of their centre."""
    minx, miny, maxx, maxy = bounds
    lat = math.radians((miny + maxy) / 2)
    dy = margin_m / METRES_PER_DEGREE
    dx = margin_m / (METRES_PER_DEGREE * max(math.cos(lat), 0.01))
    return (minx - dx, miny - dy, maxx + dx, maxy + dy)


def in_view(geoms: np.ndarray, bounds) -> np.ndarray:
    """Boolean mask of the geometries that intersect the view rectangle."""
    if len(geoms) == 0:
        return np.zeros(0, dtype=bool)
    tree = shapely.STRtree(geoms)
    mask = np.zeros(len(geoms), dtype=bool)
    mask[tree.query(shapely.box(*bounds), predicate="intersects")] = True
    return mask


def _is_coverage(geoms: np.ndarray) -> bool:
    """True when the polygons form a valid coverage (no overlaps, matching shared edges)."""
    kinds = shapely.get_type_id(geoms)
    if len(geoms) < 2 or not np.isin(kinds, (3, 6)).all():
        return False
    try:
        return bool(shapely.coverage_is_valid(geoms))
    except shapely.errors.GEOSException:
        return False


def simplify_geoms(geoms: np.ndarray, tolerance: float, *, coverage: bool = False) -> np.ndarray:
    """Topology-preserving simplification; coverage simplification when asked and the input is a coverage."""
    if len(geoms) == 0 or tolerance <= 0:
        return geoms
    if coverage and _is_coverage(geoms):
        return shapely.coverage_simplify(geoms, tolerance)
    return shapely.simplify(geoms, tolerance, preserve_topology=True)


def round_coords(geoms: np.ndarray, decimals: int) -> np.ndarray:
    """Geometries with coordinates rounded to `decimals` places (smaller JSON)."""
    if len(geoms) == 0:
        return geoms
    return shapely.transform(geoms, lambda xy: np.round(xy, decimals))


def for_display(geoms, bounds, *, tolerance: float | None = None, clip: bool = False,
                coverage: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Select, optionally clip, simplify and round geometries for a view.

    Returns (kept geometries, integer positions of the kept rows in the input).
    """
    geoms = np.asarray(geoms, dtype=object)
    if tolerance is None:
        tolerance = display_tolerance(bounds)
    valid = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    positions = np.flatnonzero(valid)
    positions = positions[in_view(geoms[positions], bounds)]
    out = geoms[positions]
    if clip and len(out):
        out = shapely.clip_by_rect(out, *bounds)
    out = simplify_geoms(out, tolerance, coverage=coverage)
    out = round_coords(out, decimals_for(tolerance))
    keep = ~(shapely.is_missing(out) | shapely.is_empty(out))
    return out[keep], positions[keep]
