"""The loaded layers of one catalog (`ZoningLayers`): a frame per vector role, their metric copies, spatial
indexes and outline pieces (each built once), the rasters, the load reports and the attribute tables.

What reads the layers (zoning.layers, zoning.sources, the prepared cache) builds one; this module reads nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from .catalog import Catalog
from .metric import metric_crs
from .pieces import boundary_pieces
from .raster import RasterLayer
from .report import LayerReport
from .reproject import reproject


@dataclass
class ZoningLayers:
    """The loaded layers: one GeoDataFrame per vector role (EPSG:4490), the rasters, and load reports."""

    catalog: Catalog | None
    frames: dict[str, gpd.GeoDataFrame]
    rasters: list[RasterLayer] = field(default_factory=list)
    reports: list[LayerReport] = field(default_factory=list)
    #: role -> our fields of every feature as text (zoning.attributes; a bbox-limited load included), or None
    tables: dict[str, pd.DataFrame | None] = field(default_factory=dict)
    #: what callers built from these layers, by key (see `derived`)
    built: dict[Hashable, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def prepared(cls, catalog: Catalog, frames, metric: dict[str, gpd.GeoDataFrame], crs: CRS, pieces,
                 rasters: list[RasterLayer], reports: list[LayerReport],
                 tables: dict[str, pd.DataFrame | None] | None = None) -> ZoningLayers:
        """Layers from a prepared cache: the metric copies, their CRS and the outline pieces come ready."""
        layers = cls(catalog=catalog, frames=frames, rasters=rasters, reports=reports, tables=tables or {})
        layers.__dict__.update(metric_crs=crs, _metric=metric, _pieces=pieces)  # what would be computed on first use
        return layers

    def frame(self, role: str) -> gpd.GeoDataFrame | None:
        """The layer of a role in EPSG:4490, or None when the catalog has none."""
        return self.frames.get(role)

    def has(self, role: str) -> bool:
        return role in self.frames

    def attributes(self, role: str, fields: tuple[str, ...]) -> pd.DataFrame | None:
        """Our `fields` (those the source has) of every feature of a role, as stripped text, read once with the
        layers even when only features near a site were read; None when not kept (the catalog has no table
        layers, or a source could not be read without geometry): then the frame is all there is."""
        table = self.tables.get(role)
        return None if table is None else table[[f for f in fields if f in table]]

    def derived(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """What a caller builds from these layers once per `key` (e.g. screening's admission lists, keyed by
        the lists' file versions and the sector catalog): `build()` the first time, the kept result after,
        so every screen of the same loaded layers shares it. A key must change when what is built would."""
        if key not in self.built:
            self.built[key] = build()
        return self.built[key]

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
