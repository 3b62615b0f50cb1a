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
from .errors import LayerError, ZoningError
from .metric import metric_crs
from .pieces import boundary_pieces
from .reproject import reproject
from .raster import RasterLayer, read_raster
from .vector import LayerReport, read_vector

#: roles whose layers make the coverage, the area the zoning speaks for (the first present decides)
COVERAGE_ROLES = ("district", "control_unit")


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

    @property
    def allowed_empty(self) -> list[str]:
        """Layers loaded empty because the catalog says `allow_empty = true`: the role, or role:file when
        the role has several layers — for outputs to say which facts rest on no features at all."""
        roles = [rep.role for rep in self.reports]
        return [rep.role if roles.count(rep.role) == 1 else f"{rep.role}:{Path(rep.source).name}"
                for rep in self.reports if rep.allowed_empty]

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

    A layer that does not meet the coverage (see `coverage`), or a raster without a valid cell over it, is a
    LayerError before anything is returned: both mean a wrong CRS.
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
        _raise_coverage_faults(layers.reports, rasters)
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
    _raise_coverage_faults(reports + raster_reports, rasters, partial=bbox is not None)
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
    rasters = []
    for spec in catalog.layers:
        if spec.role in TABLE_ROLES:
            continue
        try:
            loaded, report = (read_raster if spec.role in RASTER_ROLES else read_vector)(spec)
            if spec.role in RASTER_ROLES:
                rasters.append(loaded)
        except ZoningError as exc:
            report = LayerReport(role=spec.role, where=spec.where, source=spec.path, problems=[str(exc)], failed=True)
        reports.append(report)
    for report, message in coverage_faults(reports, rasters):
        report.problems.append(message)
        report.failed = True
    return reports


def coverage(reports: list[LayerReport], partial: bool = False
             ) -> tuple[str, tuple[float, float, float, float]] | None:
    """(role, lon/lat box) of the coverage: the extent of the district layers, else of the control units;
    None when the catalog has neither (or they are empty). `partial`: layers were read near a site only,
    so only whole-source extents count."""
    for role in COVERAGE_ROLES:
        found = [e for e in (_extent(r, partial) for r in reports if r.role == role and not r.failed) if e]
        if found:
            b = np.asarray(found, dtype=float)
            return role, (b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max())
    return None


def coverage_faults(reports: list[LayerReport], rasters: list[RasterLayer], partial: bool = False
                    ) -> list[tuple[LayerReport, str]]:
    """(report, message) for each layer that does not meet the coverage, and each raster without a valid
    cell over it: both mean a wrong CRS (or a layer of another area)."""
    cov = coverage(reports, partial)
    if cov is None:
        return []
    role, box = cov
    shown = "{:.4f}, {:.4f} – {:.4f}, {:.4f}".format(*box)
    faults = []
    for rep in reports:
        ext = _extent(rep, partial)
        if rep.failed or rep.role == role or ext is None:
            continue
        if not _meets(ext, box):
            faults.append((rep, f"{rep.where}: 图层范围与覆盖范围不相交，坐标系可能有误 / the layer's extent "
                                f"({'{:.4f}, {:.4f} – {:.4f}, {:.4f}'.format(*ext)}) does not meet the coverage "
                                f"({role} layers, {shown}): the CRS is probably wrong (GK metres read as degrees, a "
                                f"missing or extra zone prefix, another zone); fix the .prj or the entry's crs"))
    for raster in rasters:
        rep = next((r for r in reports if r.where == raster.spec.where and not r.failed), None)
        if rep is None or not _meets(rep.extent, box):
            continue  # a raster missing the coverage altogether is reported above
        if raster.valid_cells(box) == 0:
            faults.append((rep, f"{rep.where}: 覆盖范围内栅格全为无数据 / the raster has no valid cell over the "
                                f"coverage ({role} layers, {shown}); check the band, the nodata value and the CRS"))
    return faults


def _raise_coverage_faults(reports: list[LayerReport], rasters: list[RasterLayer], partial: bool = False) -> None:
    faults = coverage_faults(reports, rasters, partial)
    if faults:
        more = f" (and {len(faults) - 1} more: run zoning layers check)" if len(faults) > 1 else ""
        raise LayerError(faults[0][1] + more)


def _extent(report: LayerReport, partial: bool) -> tuple[float, float, float, float] | None:
    return report.full_extent or (None if partial and report.role not in RASTER_ROLES else report.extent)


def _meets(a, b) -> bool:
    return bool(a is not None and np.isfinite(a).all() and a[0] <= b[2] and a[2] >= b[0] and a[1] <= b[3] and a[3] >= b[1])
