"""All zoning layers of one catalog, loaded once, with their metric copies and spatial indexes.

>>> layers = load_layers("layers/demo/catalog.toml")          # doctest: +SKIP
>>> layers.frame("redline").head()                              # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from .cache import read_cached
from .catalog import RASTER_ROLES, TABLE_ROLES, Catalog, read_catalog
from .errors import ZoningError
from .metric import metric_crs
from .pieces import boundary_pieces
from .reproject import reproject
from .raster import RasterLayer, read_raster
from .vector import LayerReport, read_vector


@dataclass
class ZoningLayers:
    """The loaded layers: one GeoDataFrame per vector role (EPSG:4490), the rasters, and load reports."""

    catalog: Catalog | None
    frames: dict[str, gpd.GeoDataFrame]
    rasters: list[RasterLayer] = field(default_factory=list)
    reports: list[LayerReport] = field(default_factory=list)

    def frame(self, role: str) -> gpd.GeoDataFrame | None:
        """The layer of a role in EPSG:4490, or None when the catalog has none."""
        return self.frames.get(role)

    def has(self, role: str) -> bool:
        return role in self.frames

    @cached_property
    def metric_crs(self) -> CRS:
        """One metric CRS for all layers and sites, centred on the zoning's extent."""
        bounds = [f.total_bounds for f in self.frames.values() if len(f)]
        if not bounds:
            return metric_crs((np.nan,) * 4)
        b = np.vstack(bounds)
        return metric_crs((b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()))

    def metric(self, role: str) -> gpd.GeoDataFrame | None:
        """The layer of a role in the metric CRS (computed once)."""
        cache = self.__dict__.setdefault("_metric", {})
        if role not in cache and role in self.frames:
            cache[role] = to_metric(self.frames[role], self.metric_crs)
        return cache.get(role)

    def tree(self, role: str) -> shapely.STRtree | None:
        """STRtree over the metric geometries of a role (built once, geometries prepared)."""
        cache = self.__dict__.setdefault("_trees", {})
        if role not in cache and role in self.frames:
            geoms = self.metric(role).geometry.values
            shapely.prepare(geoms)
            cache[role] = shapely.STRtree(geoms)
        return cache.get(role)

    def pieces(self, role: str) -> tuple[np.ndarray, np.ndarray]:
        """Short pieces of a role's outlines and the row each belongs to (cut once; cached by prepare)."""
        cache = self.__dict__.setdefault("_pieces", {})
        if role not in cache:
            cache[role] = boundary_pieces(self.metric(role).geometry.values.to_numpy())
        return cache[role]

    def outline_tree(self, role: str, column: str | None = None, value: str | None = None
                     ) -> tuple[shapely.STRtree, np.ndarray]:
        """STRtree over short pieces of a role's outlines (optionally only rows where `column == value`),
        with the row number each piece belongs to: the fast way to nearest distances from outside."""
        cache = self.__dict__.setdefault("_outlines", {})
        key = (role, column, value)
        if key not in cache:
            pieces, owner = self.pieces(role)
            if column is not None:
                keep = self.metric(role)[column].to_numpy(dtype=object)[owner] == value
                pieces, owner = pieces[keep], owner[keep]
            cache[key] = (shapely.STRtree(pieces), owner)
        return cache[key]

    def editions(self) -> dict[str, str]:
        """Role -> 'version (valid from …)' of what decided, for outputs to cite."""
        out = {}
        for rep in self.reports:
            label = rep.version or "unversioned"
            if rep.valid_from:
                label += f" (valid from {rep.valid_from})"
            out[rep.role if rep.role not in out else f"{rep.role}:{Path(rep.source).name}"] = label
        return out


def to_metric(frame: gpd.GeoDataFrame | gpd.GeoSeries, crs: CRS):
    """Project EPSG:4490 data to the metric CRS, densifying long lon/lat edges first so shared edges stay shared."""
    if isinstance(frame, gpd.GeoSeries):
        return reproject(frame, crs)
    return frame.set_geometry(reproject(frame.geometry, crs))


def load_layers(catalog_path: str | Path, bbox: tuple[float, float, float, float] | None = None,
                use_cache: bool = True) -> ZoningLayers:
    """Load every layer of a catalog; any fault raises a ZoningError naming the catalog line and file.

    A prepared cache (`zoning layers prepare`) whose key matches the sources is used automatically.
    With `bbox` (lon/lat), vector layers are read from the sources only near it: facts are then exact
    for sites in the box, and distances beyond the box's margin mean "farther than the margin".
    """
    catalog = read_catalog(catalog_path)
    rasters, raster_reports = _rasters(catalog)
    cached = read_cached(catalog) if use_cache and bbox is None else None
    if cached is not None:
        frames, metric, crs, reports, pieces = cached
        layers = ZoningLayers(catalog=catalog, frames=frames, rasters=rasters, reports=reports + raster_reports)
        layers.__dict__["metric_crs"] = crs
        layers.__dict__["_metric"] = metric
        layers.__dict__["_pieces"] = pieces
        return layers
    parts: dict[str, list[gpd.GeoDataFrame]] = {}
    reports: list[LayerReport] = []
    for spec in catalog.layers:
        if spec.role in TABLE_ROLES | RASTER_ROLES:
            continue
        gdf, report = read_vector(spec, bbox=bbox)
        gdf["layer"] = spec.display_path
        parts.setdefault(spec.role, []).append(gdf)
        reports.append(report)
    merged = {role: _concat(frames) for role, frames in parts.items()}
    return ZoningLayers(catalog=catalog, frames=merged, rasters=rasters, reports=reports + raster_reports)


def _rasters(catalog: Catalog) -> tuple[list[RasterLayer], list[LayerReport]]:
    """Every air-quality raster; two giving the same column is an error."""
    loaded = [read_raster(spec) for spec in catalog.layers if spec.role in RASTER_ROLES]
    keys = [layer.key for layer, _ in loaded]
    dup = {k for k in keys if keys.count(k) > 1}
    if dup:
        raise ZoningError(f"{catalog.path.name}: several air_quality layers give column(s) {', '.join(sorted(dup))}; "
                          f"give each a distinct pollutant or name")
    return [layer for layer, _ in loaded], [report for _, report in loaded]


def _concat(parts: list[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    if len(parts) == 1:
        return parts[0]
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=parts[0].crs)


def check_layers(catalog_path: str | Path) -> list[LayerReport]:
    """Load each layer on its own, collecting faults as problems instead of stopping at the first."""
    catalog = read_catalog(catalog_path)
    reports = []
    for spec in catalog.layers:
        if spec.role in TABLE_ROLES:
            continue
        try:
            _, report = (read_raster if spec.role in RASTER_ROLES else read_vector)(spec)
        except ZoningError as exc:
            report = LayerReport(role=spec.role, where=spec.where, source=spec.path, problems=[str(exc)], failed=True)
        reports.append(report)
    return reports
