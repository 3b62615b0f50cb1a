"""Vectorised site × layer relations in a metric CRS: candidate pairs from an STRtree, then predicates,
overlap areas and nearest distances over whole arrays (no Python loop over sites or features)."""

from __future__ import annotations

from dataclasses import dataclass

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import shapely


@dataclass
class Pairs:
    """Site/feature pairs that intersect, with how much they overlap.

    `member`: overlap above tolerance (zero-area sites: interior contact, not just the boundary);
    `whole`: the site lies wholly in the feature (within tolerance); `touch`: intersects but not member.
    """

    site: np.ndarray
    feature: np.ndarray
    overlap: np.ndarray
    member: np.ndarray
    whole: np.ndarray
    touch: np.ndarray

    def subset(self, mask: np.ndarray) -> "Pairs":
        return Pairs(*(getattr(self, k)[mask] for k in ("site", "feature", "overlap", "member", "whole", "touch")))


#: a point closer than this to a feature's boundary is on it (reprojection noise is far below)
EDGE_M = 0.01


def intersecting_pairs(sites: np.ndarray, site_area: np.ndarray, layer: np.ndarray, tree: shapely.STRtree,
                       tolerance_m2: float, point_edges: bool = True) -> Pairs:
    """All intersecting (site, feature) pairs with overlap areas; layer geometries must be prepared.

    `point_edges=False` skips the on-the-edge test for points (a layer where a point on an edge counts as
    in every feature it touches, like control units that tile a territory).

    Overlap is computed only for pairs where the feature does not cover the site (a covered site's
    overlap is its own area), since intersection areas are the costly part.
    """
    s, f = tree.query(sites)                                        # bounding-box candidates
    hit = shapely.intersects(layer[f], sites[s])                    # prepared layer geometry on the left
    s, f = s[hit], f[hit]
    areal = site_area[s] > 0
    covered = np.zeros(len(s), dtype=bool)
    covered[areal] = shapely.covers(layer[f[areal]], sites[s[areal]])
    overlap = np.where(covered, site_area[s], 0.0)
    partial = areal & ~covered
    if partial.any():
        overlap[partial] = shapely.area(shapely.intersection(layer[f[partial]], sites[s[partial]]))
    member = np.empty(len(s), dtype=bool)
    member[areal] = overlap[areal] > tolerance_m2
    zero = ~areal
    if zero.any():  # points and lines: in it unless they only touch its boundary
        points = zero & (shapely.get_dimensions(sites[s]) == 0)
        lines = zero & ~points
        member[lines] = ~shapely.touches(layer[f[lines]], sites[s[lines]])
        member[points] = ~_on_edge(layer[f[points]], sites[s[points]]) if point_edges else True
    whole = np.where(areal, site_area[s] - overlap <= tolerance_m2, member & _zero_whole(layer, f, sites, s, zero))
    return Pairs(site=s, feature=f, overlap=overlap, member=member, whole=whole, touch=~member)


def _on_edge(polygons: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Is each point within ~EDGE_M of its polygon's outline? True when a point EDGE_M away along an axis
    is not strictly inside (prepared point-in-polygon tests, no outlines to build)."""
    x, y = shapely.get_x(points), shapely.get_y(points)
    near = np.zeros(len(points), dtype=bool)
    for dx, dy in ((EDGE_M, 0.0), (-EDGE_M, 0.0), (0.0, EDGE_M), (0.0, -EDGE_M)):
        near |= ~shapely.contains_xy(polygons, x + dx, y + dy)
    return near


def _zero_whole(layer: np.ndarray, f: np.ndarray, sites: np.ndarray, s: np.ndarray, zero: np.ndarray) -> np.ndarray:
    """For zero-area sites, wholly inside means covered (a line leaving the polygon is not wholly in)."""
    out = np.ones(len(s), dtype=bool)
    lines = zero & (shapely.get_dimensions(sites[s]) == 1)
    if lines.any():
        out[lines] = shapely.covers(layer[f[lines]], sites[s[lines]])
    return out


def representative_points(geoms: np.ndarray) -> np.ndarray:
    """A point inside each geometry (points are their own; polygons via point_on_surface)."""
    out = np.asarray(geoms, dtype=object).copy()
    other = shapely.get_type_id(out) != shapely.GeometryType.POINT
    if other.any():
        out[other] = shapely.point_on_surface(out[other])
    return out


def any_by_site(site: np.ndarray, flag: np.ndarray, n: int) -> np.ndarray:
    """True for sites having at least one pair with `flag`."""
    out = np.zeros(n, dtype=bool)
    out[site[flag]] = True
    return out


def sum_by_site(site: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(site, weights=values, minlength=n)


def join_by_site(site: np.ndarray, values: np.ndarray, n: int, sep: str = ";") -> np.ndarray:
    """`sep`-joined distinct values per site in first-seen order ('' where none), without a per-site loop.

    >>> join_by_site(np.array([2, 0, 2, 2]), np.array(["a", "b", "c", "a"], dtype=object), 3)
    array(['b', '', 'a;c'], dtype=object)
    """
    out = np.full(n, "", dtype=object)
    if not len(site):
        return out
    frame = pd.DataFrame({"s": site, "v": np.asarray(values, dtype=object)}).dropna().drop_duplicates()
    order = np.argsort(frame["s"].to_numpy(), kind="stable")
    s = frame["s"].to_numpy()[order]
    v = frame["v"].to_numpy(dtype=object)[order].astype(str).astype(object)
    if not len(s):
        return out
    starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
    later = np.ones(len(s), dtype=bool)
    later[starts] = False
    v[later] = sep + v[later]
    out[s[starts]] = np.add.reduceat(v, starts)
    return out


WORKERS = max(1, min(4, os.cpu_count() or 1))
_CHUNK = 20_000  # below this many sites, threads cost more than they save


def _nearest(tree: shapely.STRtree, sites: np.ndarray, max_distance: float | None) -> tuple[np.ndarray, ...]:
    """query_nearest over chunks of sites in threads; (site index, tree index, distance).

    query_nearest releases the GIL, so two cores give ~2x. It is safe here because the tree is built
    (GEOS builds it lazily) before the threads start, and distances read, never prepare, geometries;
    prepared-geometry predicates are not run in threads, as GEOS prepares them lazily and racily.
    """
    def one(lo_hi):
        lo, hi = lo_hi
        (s, f), d = tree.query_nearest(sites[lo:hi], max_distance=max_distance, return_distance=True,
                                       all_matches=False)
        return s + lo, f, d
    n = len(sites)
    if WORKERS == 1 or n < _CHUNK:
        return one((0, n))
    tree.query(sites[:1])  # build the tree now, in this thread
    edges = np.linspace(0, n, WORKERS + 1).astype(int)
    with ThreadPoolExecutor(WORKERS) as pool:
        parts = list(pool.map(one, zip(edges[:-1], edges[1:])))
    return tuple(np.concatenate(p) for p in zip(*parts))


def nearest_distance(sites: np.ndarray, tree: shapely.STRtree, max_distance: float | None = None) -> np.ndarray:
    """Distance from each site to the nearest tree geometry (inf when none within max_distance)."""
    return nearest_feature(sites, tree, max_distance)[1]


def nearest_feature(sites: np.ndarray, tree: shapely.STRtree, max_distance: float | None = None
                    ) -> tuple[np.ndarray, np.ndarray]:
    """(feature index or -1, distance or inf) of the nearest tree geometry per site; ties give the lowest index."""
    idx = np.full(len(sites), -1)
    dist = np.full(len(sites), np.inf)
    if not len(sites) or not len(tree.geometries):
        return idx, dist
    s, f, d = _nearest(tree, sites, max_distance)
    order = np.lexsort((f, s))[::-1]  # so the first of each site wins when written last
    idx[s[order]] = f[order]
    dist[s[order]] = d[order]
    return idx, dist
