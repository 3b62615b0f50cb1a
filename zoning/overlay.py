"""Vectorised site × layer relations in a metric CRS: candidate pairs from an STRtree, then predicates,
overlap areas and nearest distances over whole arrays (no Python loop over sites or features)."""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

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


def single_parts(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(parts, owner): every non-empty Point, LineString or Polygon of each geometry, with its row.

    Multi-part geometries and GeometryCollections (nested too) are opened, so that every part of a
    site counts; the loop runs once per level of nesting, never per row.

    >>> parts, owner = single_parts(np.array([shapely.from_wkt("GEOMETRYCOLLECTION (POINT (0 0), "
    ...     "MULTILINESTRING ((0 0, 1 1), (2 2, 3 3)))"), shapely.Point(5, 5)]))
    >>> shapely.get_type_id(parts).tolist(), owner.tolist()
    ([0, 1, 1, 0], [0, 0, 0, 1])
    """
    parts = np.asarray(geoms, dtype=object)
    owner = np.arange(len(parts))
    keep = ~(shapely.is_missing(parts) | shapely.is_empty(parts))
    parts, owner = parts[keep], owner[keep]
    while True:
        multi = shapely.get_type_id(parts) >= shapely.GeometryType.MULTIPOINT
        if not multi.any():
            break
        sub, idx = shapely.get_parts(parts[multi], return_index=True)
        # stable: a row's parts stay together and in order (first the single ones, then the opened ones)
        parts = np.concatenate([parts[~multi], sub])
        owner = np.concatenate([owner[~multi], owner[multi][idx]])
        order = np.argsort(owner, kind="stable")
        parts, owner = parts[order], owner[order]
        keep = ~shapely.is_empty(parts)
        parts, owner = parts[keep], owner[keep]
    return parts, owner


def covered_sites(sites: np.ndarray, layer: np.ndarray, tree: shapely.STRtree, tolerance_m2: float,
                  edge_m: float = EDGE_M) -> np.ndarray:
    """Does the union of the layer's polygons cover the WHOLE of each site? (layer geometries prepared)

    Every part of a multi-part site or collection counts (single_parts). Within tolerance:
    a point is covered within `edge_m` of a feature; the lines of a site may leave the union by at most
    max(edge_m, sqrt(tolerance_m2)) in total length (slivers between units), its polygons by at most
    `tolerance_m2` in total area, and a line or polygon
    part that meets no feature at all is outside whatever its size. A part wholly inside one feature is
    settled by a prepared `covers`; only the others are cut by the union of the features they meet (each
    clipped to the part's box), in one grouped `union_all` and one `difference` over arrays.
    An empty or missing site is not covered.
    """
    n = len(sites)
    parts, owner = single_parts(sites)
    m = len(parts)
    s, f = tree.query(parts)                                        # bounding-box candidates
    whole = shapely.covers(layer[f], parts[s])                      # prepared layer geometry on the left
    done = any_by_site(s, whole, m)
    point = shapely.get_dimensions(parts) == 0
    away = np.zeros(m, dtype=bool)                                  # a part outside beyond any tolerance
    lone = np.flatnonzero(point & ~done)
    if len(lone):  # boxes of edge_m around them, then prepared dwithin (a predicate query is far slower)
        x, y = shapely.get_x(parts[lone]), shapely.get_y(parts[lone])
        ps, pf = tree.query(shapely.box(x - edge_m, y - edge_m, x + edge_m, y + edge_m))
        near = shapely.dwithin(layer[pf], parts[lone][ps], edge_m)
        away[lone[~any_by_site(ps, near, len(lone))]] = True
    left_area = np.zeros(m)
    left_length = np.zeros(m)
    rest = ~point & ~done
    if rest.any():
        pick = rest[s]
        s, f = s[pick], f[pick]
        meet = shapely.intersects(layer[f], parts[s])
        s, f = s[meet], f[meet]
        away[np.flatnonzero(rest & ~any_by_site(s, np.ones(len(s), bool), m))] = True
        if len(s):
            order = np.argsort(s, kind="stable")
            s, f = s[order], f[order]
            rows, first, count = np.unique(s, return_index=True, return_counts=True)
            rank = np.arange(len(s)) - np.repeat(first, count)
            box = shapely.bounds(parts[s])
            pad = 1.0  # m: the features' union only matters over the part itself
            clipped = shapely.intersection(layer[f], shapely.box(box[:, 0] - pad, box[:, 1] - pad,
                                                                  box[:, 2] + pad, box[:, 3] + pad))
            grid = np.full((len(rows), int(count.max())), None, dtype=object)
            grid[np.repeat(np.arange(len(rows)), count), rank] = clipped
            left = shapely.difference(parts[rows], shapely.union_all(grid, axis=1))
            areal = shapely.get_dimensions(parts[rows]) == 2
            left_area[rows[areal]] = shapely.area(left[areal])
            left_length[rows[~areal]] = shapely.length(left[~areal])
    out = ~any_by_site(owner, away, n)
    out &= sum_by_site(owner, left_area, n) <= tolerance_m2
    out &= sum_by_site(owner, left_length, n) <= max(edge_m, math.sqrt(max(tolerance_m2, 0.0)))
    out &= any_by_site(owner, np.ones(m, dtype=bool), n)            # no part at all: nothing is covered
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
