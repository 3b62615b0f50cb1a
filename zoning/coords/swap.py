"""Swapped longitude and latitude: the one detector for lon/lat typed in each other's place.

Two kinds of evidence: hemisphere letters (an N/S value in the longitude column, an E/W one in the latitude
column), and ranges: a pair (or a geometry's bounds) that does not fit a lon/lat box as given but fits it
read the other way round. The box is the whole globe for a lone lon/lat pair (a latitude beyond ±90 that is
a valid longitude) and China for project sites (zoning.coords.CHINA_BOUNDS). Surveyors' X = northing order
of projected x/y is a different matter, handled with the Gauss-Krüger zones (zoning.coords.gk).

>>> looks_swapped([[29.56, 106.55], [106.55, 29.56]]).tolist()
[True, False]
>>> looks_swapped([[29.5, 106.5, 29.6, 106.6]], box=CHINA_BOUNDS).tolist()
[True]
"""

from __future__ import annotations

import numpy as np

__all__ = ["WORLD_BOUNDS", "CHINA_BOUNDS", "looks_swapped", "marked_swapped"]

#: lon/lat box of valid coordinates (west, south, east, north)
WORLD_BOUNDS = (-180.0, -90.0, 180.0, 90.0)
#: generous lon/lat box around China (west, south, east, north), for plausibility checks of project sites
CHINA_BOUNDS = (73.0, 3.0, 136.0, 54.0)


def _within(xmin, ymin, xmax, ymax, box) -> np.ndarray:
    """True where the extent lies inside the lon/lat box (NaN extents never do)."""
    west, south, east, north = box
    with np.errstate(invalid="ignore"):
        return (xmin >= west) & (xmax <= east) & (ymin >= south) & (ymax <= north)


def looks_swapped(bounds, box=WORLD_BOUNDS) -> np.ndarray:
    """True where x/y read as lon/lat fall outside `box` but read as lat/lon fall inside it.

    `bounds` is an (n, 2) array of points (x, y) or an (n, 4) array of extents (xmin, ymin, xmax, ymax),
    e.g. shapely.bounds of geometries; `box` is (west, south, east, north) in degrees.
    """
    b = np.asarray(bounds, dtype="float64")
    if b.ndim == 1:
        b = b.reshape(1, -1)
    if b.shape[1] == 2:
        b = np.concatenate([b, b], axis=1)
    xmin, ymin, xmax, ymax = b[:, 0], b[:, 1], b[:, 2], b[:, 3]
    return ~_within(xmin, ymin, xmax, ymax, box) & _within(ymin, xmin, ymax, xmax, box)


def marked_swapped(lon_axis: np.ndarray, lat_axis: np.ndarray) -> np.ndarray:
    """True where hemisphere letters say the columns are swapped ('lat' = N/S, 'lon' = E/W, '' = no letter):
    an N/S value in the longitude column or an E/W one in the latitude column, neither contradicted."""
    return ((lon_axis == "lat") | (lat_axis == "lon")) & (lon_axis != "lon") & (lat_axis != "lat")
