"""Nearest feature of a layer to a site, measured in metres in an azimuthal equidistant CRS centred on it."""

import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from maps.draw import in_storage_crs

_LAT_M = 110_000.0   # metres per degree of latitude, rounded down so search boxes err on the large side
_LON_M = 111_400.0   # metres per degree of longitude at the equator, rounded up likewise, then / cos(lat)


@dataclass
class Nearest:
    """The nearest feature: its row position in the layer, distance in metres, and the connecting line (EPSG:4490)."""

    position: int
    distance_m: float
    line: shapely.Geometry


def local_crs(site: shapely.Geometry) -> CRS:
    """Azimuthal equidistant CRS on the CGCS2000 ellipsoid centred on the site: distances from it are exact."""
    c = site.centroid
    return CRS.from_proj4(f"+proj=aeqd +lat_0={c.y:.8f} +lon_0={c.x:.8f} +ellps=GRS80 +units=m +no_defs")


def _to(geoms, src, dst) -> np.ndarray:
    """Geometries reprojected from `src` to `dst` as an object array."""
    return np.asarray(gpd.GeoSeries(list(geoms), crs=src).to_crs(dst).values, dtype=object)


def nearest_feature(site: shapely.Geometry, layer: gpd.GeoDataFrame, crs: CRS | None = None) -> Nearest | None:
    """The layer's feature nearest to the site in metres (None for an empty layer).

    The nearest in degrees bounds the search: only features within that distance, clipped to its box,
    are projected, so a layer of millions of vertices costs little.
    """
    layer = in_storage_crs(layer)
    geoms = np.asarray(layer.geometry.values, dtype=object)
    valid = np.flatnonzero(~(shapely.is_missing(geoms) | shapely.is_empty(geoms)))
    if len(valid) == 0:
        return None
    crs = crs or local_crs(site)
    tree = shapely.STRtree(geoms[valid])
    first = int(tree.query_nearest(site)[0])
    first_line = shapely.shortest_line(site, geoms[valid][first])
    reach = float(shapely.length(_to([first_line], 4490, crs)[0]))
    if reach == 0:
        return Nearest(int(valid[first]), 0.0, first_line)
    lat = math.radians(site.centroid.y)
    dy = reach / _LAT_M * 1.02
    dx = reach / (_LON_M * max(math.cos(lat), 0.01)) * 1.02
    minx, miny, maxx, maxy = site.bounds
    rect = (minx - dx, miny - dy, maxx + dx, maxy + dy)
    candidates = tree.query(shapely.box(*rect))
    clipped = shapely.clip_by_rect(geoms[valid][candidates], *rect)
    site_m = _to([site], 4490, crs)[0]
    clipped_m = _to(clipped, 4490, crs)
    distances = shapely.distance(site_m, clipped_m)
    distances = np.where(np.isnan(distances), np.inf, distances)
    best = int(np.argmin(distances))
    line = _to([shapely.shortest_line(site_m, clipped_m[best])], crs, 4490)[0]
    return Nearest(int(valid[candidates[best]]), float(distances[best]), line)


def ring_lines(site: shapely.Geometry, distances_m, crs: CRS | None = None) -> np.ndarray:
    """Outlines of the areas within each distance of the site (true circles around a point), EPSG:4490."""
    crs = crs or local_crs(site)
    site_m = _to([site], 4490, crs)[0]
    rings = shapely.boundary(shapely.buffer(site_m, np.asarray(distances_m, dtype=float), quad_segs=32))
    return _to(rings, crs, 4490)
