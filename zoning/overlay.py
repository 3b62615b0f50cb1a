"""Vectorised site × layer relations in a metric CRS: candidate pairs from an STRtree, then predicates,
overlap areas and nearest distances over whole arrays (no Python loop over sites or features)."""

from __future__ import annotations

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
                       tolerance_m2: float, outline: tuple[shapely.STRtree, np.ndarray] | None = None) -> Pairs:
    """All intersecting (site, feature) pairs with overlap areas; layer geometries must be prepared.

    Overlap is computed only for pairs where the feature does not cover the site (a covered site's
    overlap is its own area), since intersection areas are the costly part.
    """
    s, f = tree.query(sites)                       # bounding-box candidates
    hit = shapely.intersects(layer[f], sites[s])   # prepared layer geometry on the left
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
        member[points] = ~_on_edge(s[points], f[points], sites, outline, len(layer)) if outline is not None \
            else ~shapely.touches(layer[f[points]], sites[s[points]])
    whole = np.where(areal, site_area[s] - overlap <= tolerance_m2, member & _zero_whole(layer, f, sites, s, zero))
    return Pairs(site=s, feature=f, overlap=overlap, member=member, whole=whole, touch=~member)


def _on_edge(s: np.ndarray, f: np.ndarray, sites: np.ndarray, outline: tuple[shapely.STRtree, np.ndarray],
             n_features: int) -> np.ndarray:
    """For (point site, feature) pairs: is the point within EDGE_M of that feature's outline?

    One dwithin query of the points against the outline pieces, then pair keys matched with isin.
    """
    if not len(s):
        return np.zeros(0, dtype=bool)
    tree, owner = outline
    uniq = np.unique(s)
    hit_site, piece = tree.query(sites[uniq], predicate="dwithin", distance=EDGE_M)
    near = uniq[hit_site].astype(np.int64) * n_features + owner[piece]
    return np.isin(s.astype(np.int64) * n_features + f, near)


def _zero_whole(layer: np.ndarray, f: np.ndarray, sites: np.ndarray, s: np.ndarray, zero: np.ndarray) -> np.ndarray:
    """For zero-area sites, wholly inside means covered (a line leaving the polygon is not wholly in)."""
    out = np.ones(len(s), dtype=bool)
    lines = zero & (shapely.get_dimensions(sites[s]) == 1)
    if lines.any():
        out[lines] = shapely.covers(layer[f[lines]], sites[s[lines]])
    return out


def any_by_site(site: np.ndarray, flag: np.ndarray, n: int) -> np.ndarray:
    """True for sites having at least one pair with `flag`."""
    out = np.zeros(n, dtype=bool)
    out[site[flag]] = True
    return out


def sum_by_site(site: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(site, weights=values, minlength=n)


def join_by_site(site: np.ndarray, values: np.ndarray, n: int, sep: str = ";") -> np.ndarray:
    """`sep`-joined distinct values per site in first-seen order ('' where none); single values skip groupby."""
    out = np.full(n, "", dtype=object)
    if not len(site):
        return out
    frame = pd.DataFrame({"s": site, "v": pd.array(values, dtype="string")}).dropna().drop_duplicates()
    counts = frame["s"].value_counts()
    single = frame["s"].map(counts).to_numpy() == 1
    out[frame["s"].to_numpy()[single]] = frame["v"].to_numpy()[single]
    many = frame[~single]
    if len(many):
        joined = many.groupby("s", sort=False)["v"].agg(sep.join)
        out[joined.index.to_numpy()] = joined.to_numpy()
    return out


def nearest_distance(sites: np.ndarray, tree: shapely.STRtree, max_distance: float | None = None) -> np.ndarray:
    """Distance from each site to the nearest tree geometry (inf when none within max_distance)."""
    out = np.full(len(sites), np.inf)
    if not len(sites) or not len(tree.geometries):
        return out
    (s, _), d = tree.query_nearest(sites, max_distance=max_distance, return_distance=True, all_matches=False)
    np.minimum.at(out, s, d)
    return out


def nearest_feature(sites: np.ndarray, tree: shapely.STRtree, max_distance: float | None = None
                    ) -> tuple[np.ndarray, np.ndarray]:
    """(feature index or -1, distance or inf) of the nearest tree geometry per site; ties give the lowest index."""
    idx = np.full(len(sites), -1)
    dist = np.full(len(sites), np.inf)
    if not len(sites) or not len(tree.geometries):
        return idx, dist
    (s, f), d = tree.query_nearest(sites, max_distance=max_distance, return_distance=True, all_matches=False)
    order = np.lexsort((f, s))[::-1]  # so the first of each site wins when written last
    idx[s[order]] = f[order]
    dist[s[order]] = d[order]
    return idx, dist
