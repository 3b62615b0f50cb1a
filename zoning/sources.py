"""Read a catalog's layers from their sources (files, zipped deliveries, PostGIS tables) into `ZoningLayers`:
the vector layers merged by role, the rasters, the load reports, the coverage checked, no cache involved.

zoning.layers.load_layers uses a prepared cache when there is one and this otherwise; zoning.cache.prepare
uses this to write the cache.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from .attributes import read_tables
from .catalog import RASTER_ROLES, TABLE_ROLES, Catalog
from .coverage import raise_coverage_faults
from .errors import ZoningError
from .layerset import ZoningLayers
from .raster import RasterLayer, read_raster
from .report import LayerReport
from .vector import read_vector


def read_sources(catalog: Catalog, bbox: tuple[float, float, float, float] | None = None) -> ZoningLayers:
    """Every layer of a catalog read from its source (near `bbox` only, when given); see load_layers."""
    rasters, raster_reports = read_rasters(catalog)
    return read_vectors(catalog, rasters, raster_reports, bbox)


def read_rasters(catalog: Catalog) -> tuple[list[RasterLayer], list[LayerReport]]:
    """Every air-quality raster; two giving the same column is an error."""
    loaded = [read_raster(spec) for spec in catalog.layers if spec.role in RASTER_ROLES]
    keys = [layer.key for layer, _ in loaded]
    dup = {k for k in keys if keys.count(k) > 1}
    if dup:
        raise ZoningError(f"{catalog.path.name}: several air_quality layers give column(s) {', '.join(sorted(dup))}; "
                          f"give each a distinct pollutant or name")
    return [layer for layer, _ in loaded], [report for _, report in loaded]


def read_vectors(catalog: Catalog, rasters: list[RasterLayer], raster_reports: list[LayerReport],
                 bbox: tuple[float, float, float, float] | None = None) -> ZoningLayers:
    """The vector layers read from their sources, merged by role, with the rasters already read; the
    coverage is checked (whole-source extents only when `bbox` limited the reads)."""
    parts: dict[str, list[gpd.GeoDataFrame]] = {}
    reports: list[LayerReport] = []
    for spec in catalog.layers:
        if spec.role in TABLE_ROLES | RASTER_ROLES:
            continue
        gdf, report = read_vector(spec, bbox=bbox)
        gdf["layer"] = spec.display_path
        parts.setdefault(spec.role, []).append(gdf)
        reports.append(report)
    raise_coverage_faults(reports + raster_reports, rasters, partial=bbox is not None)
    merged = {role: _concat(frames) for role, frames in parts.items()}
    return ZoningLayers(catalog=catalog, frames=merged, rasters=rasters, reports=reports + raster_reports,
                        tables=read_tables(catalog))


def _concat(parts: list[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    if len(parts) == 1:
        return parts[0]
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=parts[0].crs)
