"""Spatial facts for many sites at once: one STRtree pass per layer, columns as in docs/design.md.

Coverage is whole-site: `in_coverage` is True only when every part of a site (each point, line and polygon
of a multi-part geometry or collection) lies in the control units (or, without them, the districts) within
tolerance; for any other site the coverage-bound facts are <NA>, i.e. not known for the whole site.

Distances and `max_distance_m`: the cap only limits what is reported. `exact_within_m` names distances a
caller compares with a threshold (screening passes the rules' thresholds); each is computed exactly up to
max(cap, threshold) so a cap never changes a comparison, and `cap_distances` then reports values beyond
the cap as inf.

>>> from zoning.layers import load_layers                                # doctest: +SKIP
>>> facts = compute_facts(gpd.GeoSeries.from_xy([106.55], [29.56], crs="EPSG:4490"), load_layers(cat))  # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from . import STORAGE_CRS
from .errors import ZoningError
from .layers import ZoningLayers, to_metric
from .overlay import (Pairs, any_by_site, covered_sites, intersecting_pairs, join_by_site, nearest_distance,
                      nearest_feature, representative_points, sum_by_site)

RIVER_CLASSES = ("mainstream", "tributary", "other")
#: facts that depend on vector layers and become <NA> for sites outside the zoning's coverage
_COVERAGE_BOUND = (
    "in_redline", "redline_touching", "redline_overlap_m2", "redline_overlap_share", "redline_distance_m",
    "in_park", "in_compliant_park", "in_chemical_park", "park_straddles", "in_priority_unit", "in_key_unit",
    "in_general_unit", "in_urban_area", "river_distance_m",
    *(f"river_{c}_distance_m" for c in RIVER_CLASSES),
)
#: the distance facts; `max_distance_m` bounds their nearest-neighbour search and what is reported
DISTANCE_FACTS = ("redline_distance_m", "river_distance_m", *(f"river_{c}_distance_m" for c in RIVER_CLASSES))
#: searched this much past a threshold, so a distance equal to it is found whatever the rounding
_THRESHOLD_PAD_M = 1.0


class MaxDistanceError(ZoningError, ValueError):
    """`max_distance_m` (--max-distance) is not a distance above 0."""


def check_max_distance(max_distance_m: float | None) -> float | None:
    """The reporting cap as a float (None: no cap, also for +inf); 0, negative or NaN is a MaxDistanceError.

    >>> check_max_distance(100), check_max_distance(None)
    (100.0, None)
    """
    if max_distance_m is None:
        return None
    try:
        value = float(max_distance_m)
    except (TypeError, ValueError):
        value = math.nan
    if not value > 0:
        raise MaxDistanceError(f"--max-distance (max_distance_m) 必须是大于 0 的米数，收到 {max_distance_m!r} / "
                               f"--max-distance (max_distance_m) must be a distance above 0 m, got {max_distance_m!r}")
    return None if math.isinf(value) else value


def cap_distances(frame: pd.DataFrame, max_distance_m: float | None) -> pd.DataFrame:
    """A copy of a facts frame as reported under the cap: distances beyond it become inf (and the nearest
    river's name '' where nothing lies within it); <NA> stays <NA>. No cap: the frame itself."""
    cap = check_max_distance(max_distance_m)
    if cap is None:
        return frame
    out = frame.copy()
    for name in DISTANCE_FACTS:
        if name in out:
            beyond = (out[name] > cap).fillna(False).to_numpy(dtype=bool)
            out.loc[beyond, name] = np.inf
            if name == "river_distance_m" and "river_nearest" in out:
                out.loc[beyond, "river_nearest"] = ""
    return out


def compute_facts(sites, layers: ZoningLayers, tolerance_m2: float = 1.0,
                  max_distance_m: float | None = None,
                  exact_within_m: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Every spatial fact for each site (points, lines or polygons in EPSG:4490; None for no site).

    `tolerance_m2`: overlap at or below this is touching, not inside (for every polygon layer).
    `max_distance_m`: distances beyond it are inf (saves nearest-neighbour work); above 0, else a
    MaxDistanceError. `exact_within_m`: distance fact -> metres it must be exact to whatever the cap (a
    rule's threshold); such a fact is searched to max(cap, that) and is inf only beyond it — pass the
    frame through `cap_distances` to report it under the cap. Names that are not distance facts are ignored.
    """
    max_distance_m = check_max_distance(max_distance_m)
    series = sites if isinstance(sites, gpd.GeoSeries) else gpd.GeoSeries(sites, crs=STORAGE_CRS)
    if series.crs is None:
        series = series.set_crs(STORAGE_CRS)
    index = series.index
    storage = series.to_crs(STORAGE_CRS).values.to_numpy() if hasattr(series.values, "to_numpy") else np.asarray(series.values)
    ok = ~(shapely.is_missing(storage) | shapely.is_empty(storage))
    metric = np.full(len(storage), None, dtype=object)
    if ok.any():
        metric[ok] = to_metric(gpd.GeoSeries(storage[ok], crs=STORAGE_CRS), layers.metric_crs).values.to_numpy()
    geoms = metric[ok]
    area = shapely.area(geoms) if len(geoms) else np.zeros(0)
    ctx = _Context(layers, geoms, area, tolerance_m2, max_distance_m, exact_within_m or {})
    cols: dict[str, object] = {}
    missing: list[np.ndarray] = []
    for part in (ctx.redline, ctx.parks, ctx.control_units, ctx.rivers, ctx.urban, ctx.district):
        values, miss = part()
        cols.update(values)
        missing.append(miss)
    raster_cols, raster_miss = ctx.rasters(storage[ok])
    cols.update(raster_cols)
    missing.append(raster_miss)
    frame = _assemble(cols, ok, index)
    frame["missing_layers"] = _missing_text(missing, ok, index)
    return frame


class _Context:
    """The sites in metric form plus the layers; each method yields one role's fact columns."""

    def __init__(self, layers: ZoningLayers, geoms: np.ndarray, area: np.ndarray, tol: float, maxd: float | None,
                 exact: Mapping[str, float]):
        self.layers, self.geoms, self.area, self.tol, self.maxd = layers, geoms, area, tol, maxd
        self.exact = exact
        self.n = len(geoms)

    def radius(self, *facts: str) -> float | None:
        """How far to search for these distance facts: the cap, or past the largest threshold they are
        compared with when that is farther (None: no cap, search without limit)."""
        if self.maxd is None:
            return None
        need = max((float(self.exact.get(f, 0.0)) for f in facts), default=0.0)
        return max(self.maxd, need + _THRESHOLD_PAD_M) if need > 0 else self.maxd

    def _pairs(self, role: str, point_edges: bool = True) -> Pairs:
        layer = self.layers.metric(role).geometry.values.to_numpy()
        return intersecting_pairs(self.geoms, self.area, layer, self.layers.tree(role), self.tol, point_edges)

    def _absent(self, role: str, names: dict[str, str]) -> tuple[dict, np.ndarray]:
        na = {k: pd.array([pd.NA] * self.n, dtype=t) for k, t in names.items()}
        return na, np.full(self.n, role, dtype=object)

    def _present(self) -> np.ndarray:
        return np.full(self.n, "", dtype=object)

    def redline(self):
        names = {"in_redline": "boolean", "redline_touching": "boolean", "redline_overlap_m2": "Float64",
                 "redline_overlap_share": "Float64", "redline_distance_m": "Float64", "redline_ids": "string"}
        if not self.layers.has("redline"):
            return self._absent("redline", names)
        frame = self.layers.metric("redline")
        p = self._pairs("redline")
        overlap = np.minimum(sum_by_site(p.site, p.overlap, self.n), self.area)
        member = any_by_site(p.site, p.member, self.n)
        touching = any_by_site(p.site, p.touch, self.n) & ~member
        share = np.where(self.area > 0, overlap / np.where(self.area > 0, self.area, 1), member.astype(float))
        dist = np.zeros(self.n)
        away = ~(member | touching)
        tree, _ = self.layers.outline_tree("redline")
        dist[away] = nearest_distance(self.geoms[away], tree, self.radius("redline_distance_m"))
        ids = join_by_site(p.site[p.member], frame["id"].to_numpy()[p.feature[p.member]], self.n)
        return {"in_redline": member, "redline_touching": touching, "redline_overlap_m2": overlap,
                "redline_overlap_share": share, "redline_distance_m": dist, "redline_ids": ids}, self._present()

    def parks(self):
        names = {"in_park": "boolean", "in_compliant_park": "boolean", "in_chemical_park": "boolean",
                 "park_straddles": "boolean", "park": "string", "park_ids": "string", "park_kind": "string"}
        if not self.layers.has("park"):
            return self._absent("park", names)
        frame = self.layers.metric("park")
        p = self._pairs("park")
        w = p.subset(p.whole & p.member)
        compliant = frame["compliant"].to_numpy(dtype=bool, na_value=False)[w.feature]
        chemical = (frame["kind"].to_numpy(dtype=object) == "chemical")[w.feature]
        in_park = any_by_site(w.site, np.ones(len(w.site), bool), self.n)
        straddles = any_by_site(p.site, p.member & ~p.whole, self.n) & ~in_park
        return {
            "in_park": in_park,
            "in_compliant_park": any_by_site(w.site, compliant, self.n),
            "in_chemical_park": any_by_site(w.site, compliant & chemical, self.n),
            "park_straddles": straddles,
            "park": join_by_site(w.site, frame["name"].to_numpy()[w.feature], self.n),
            "park_ids": join_by_site(w.site, frame["id"].to_numpy()[w.feature], self.n),
            "park_kind": join_by_site(w.site, frame["kind"].to_numpy()[w.feature], self.n),
        }, self._present()

    def control_units(self):
        names = {"control_units": "string", "control_unit_names": "string", "control_unit_categories": "string",
                 "in_priority_unit": "boolean", "in_key_unit": "boolean", "in_general_unit": "boolean",
                 "in_coverage": "boolean"}
        if not self.layers.has("control_unit"):
            values, miss = self._absent("control_unit", names)
            values["in_coverage"] = self._coverage("district")
            return values, miss
        frame = self.layers.metric("control_unit")
        # a point on the edge between units is in all of them: it cannot be placed outside either
        p = self._pairs("control_unit", point_edges=False)
        inside = p.member | (self.area[p.site] == 0)
        q = p.subset(inside)
        cat = frame["category"].to_numpy(dtype=object)[q.feature]
        covered = self._coverage("control_unit")
        return {
            "control_units": join_by_site(q.site, frame["id"].to_numpy()[q.feature], self.n),
            "control_unit_names": join_by_site(q.site, frame["name"].to_numpy()[q.feature], self.n),
            "control_unit_categories": join_by_site(q.site, cat, self.n),
            "in_priority_unit": any_by_site(q.site, cat == "priority", self.n),
            "in_key_unit": any_by_site(q.site, cat == "key", self.n),
            "in_general_unit": any_by_site(q.site, cat == "general", self.n),
            "in_coverage": covered,
        }, self._present()

    def _coverage(self, role: str):
        """Is the whole site (every part) in the union of the role's polygons: the control units, or without
        them the districts; without both, unknown."""
        if not self.layers.has(role):
            return pd.array([pd.NA] * self.n, dtype="boolean")
        layer = self.layers.metric(role).geometry.values.to_numpy()
        return covered_sites(self.geoms, layer, self.layers.tree(role), self.tol)

    def rivers(self):
        names = {f"river_{c}_distance_m": "Float64" for c in RIVER_CLASSES}
        names.update({"river_distance_m": "Float64", "river_nearest": "string"})
        if not self.layers.has("river"):
            return self._absent("river", names)
        frame = self.layers.metric("river")
        out = {}
        best = np.full(self.n, np.inf)
        nearest = np.full(self.n, "", dtype=object)
        radii = {cls: self.radius(f"river_{cls}_distance_m", "river_distance_m") for cls in RIVER_CLASSES}
        for cls in RIVER_CLASSES:
            tree, rows = self.layers.outline_tree("river", "class", cls)
            idx, dist = nearest_feature(self.geoms, tree, radii[cls])
            out[f"river_{cls}_distance_m"] = dist
            closer = (idx >= 0) & (dist < best)
            nearest[closer] = frame["name"].to_numpy(dtype=object)[rows[idx[closer]]]
            best = np.minimum(best, dist)
        if np.isin(shapely.get_type_id(frame.geometry.values.to_numpy()), [3, 6]).any():
            self._inside_river_surfaces(frame, out)
            best = np.minimum.reduce([out[f"river_{c}_distance_m"] for c in RIVER_CLASSES])
        if self.maxd is not None:  # the nearest of any class is known only as far as every class was searched
            beyond = best > min(radii.values())
            best[beyond] = np.inf
            nearest[beyond] = ""
        out["river_distance_m"] = best
        out["river_nearest"] = nearest
        return out, self._present()

    def _inside_river_surfaces(self, frame, out) -> None:
        """Sites on a river drawn as a surface are at distance 0 from it (outlines alone would miss that)."""
        p = self._pairs("river")
        classes = frame["class"].to_numpy(dtype=object)[p.feature]
        for cls in RIVER_CLASSES:
            out[f"river_{cls}_distance_m"][p.site[classes == cls]] = 0.0

    def urban(self):
        if not self.layers.has("urban_area"):
            return self._absent("urban_area", {"in_urban_area": "boolean"})
        p = self._pairs("urban_area")
        return {"in_urban_area": any_by_site(p.site, p.member, self.n)}, self._present()

    def district(self):
        names = {"district": "string", "district_code": "string"}
        if not self.layers.has("district"):
            return self._absent("district", names)
        frame = self.layers.metric("district")
        rep = representative_points(self.geoms)
        s, f = self.layers.tree("district").query(rep)   # boxes, then the prepared polygons decide
        hit = shapely.intersects(frame.geometry.values.to_numpy()[f], rep[s])
        s, f = s[hit], f[hit]
        order = np.lexsort((f, s))[::-1]
        pick = np.full(self.n, -1)
        pick[s[order]] = f[order]
        found = pick >= 0
        name = np.full(self.n, None, dtype=object)
        code = np.full(self.n, None, dtype=object)
        name[found] = frame["name"].to_numpy(dtype=object)[pick[found]]
        code[found] = frame["id"].to_numpy(dtype=object)[pick[found]]
        miss = np.where(found, "", "district")
        return {"district": name, "district_code": code}, miss

    def rasters(self, storage: np.ndarray):
        cols: dict[str, object] = {}
        miss = np.full(self.n, "", dtype=object)
        for r in self.layers.rasters:
            mean, peak = r.sample(storage, CRS.from_user_input(STORAGE_CRS))
            cols[r.key] = mean
            cols[f"{r.key}_max"] = peak
            gap = np.isnan(mean)
            miss[gap] = np.where(miss[gap] == "", f"air_quality:{r.key}", miss[gap] + f";air_quality:{r.key}")
        return cols, miss


_DTYPES = {"string": "string", "boolean": "boolean"}


def _assemble(cols: dict[str, object], ok: np.ndarray, index: pd.Index) -> pd.DataFrame:
    """Spread per-valid-site columns back over all rows with nullable dtypes; outside coverage -> <NA>."""
    out = {}
    for name, values in cols.items():
        out[name] = _spread(values, ok)
    frame = pd.DataFrame(out, index=index)
    if "in_coverage" in frame:
        outside = ~frame["in_coverage"].fillna(False).astype(bool)
        for name in _COVERAGE_BOUND:
            if name in frame:
                frame.loc[outside, name] = pd.NA
    return frame


def _spread(values, ok: np.ndarray):
    """Values for the valid sites -> a nullable array over all rows (<NA> where there was no site)."""
    n = len(ok)
    if isinstance(values, pd.api.extensions.ExtensionArray):
        out = pd.array(np.full(n, None, dtype=object), dtype=values.dtype)
        out[ok] = values
        return out
    arr = np.asarray(values)
    if arr.dtype == bool or arr.dtype.kind in "fi":
        full = np.zeros(n, dtype=bool if arr.dtype == bool else float)
        full[ok] = arr
        mask = ~ok
        if arr.dtype.kind == "f":
            mask = mask.copy()
            mask[ok] = np.isnan(arr)
        return pd.arrays.BooleanArray(full, mask) if arr.dtype == bool else pd.arrays.FloatingArray(full, mask)
    full = np.full(n, None, dtype=object)
    full[ok] = arr
    return pd.array(full, dtype="string")


def _missing_text(parts: list[np.ndarray], ok: np.ndarray, index: pd.Index) -> pd.Series:
    n_ok = int(ok.sum())
    joined = np.full(n_ok, "", dtype=object)
    for part in parts:
        has = part != ""
        joined[has] = np.where(joined[has] == "", part[has], joined[has] + ";" + part[has].astype(object))
    full = np.full(len(ok), "", dtype=object)
    full[ok] = joined
    return pd.Series(pd.array(full, dtype="string"), index=index)
