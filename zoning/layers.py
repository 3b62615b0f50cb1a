"""All zoning layers of one catalog, loaded once, with their metric copies and spatial indexes.

>>> layers = load_layers("layers/demo/catalog.toml")          # doctest: +SKIP
>>> layers.frame("redline").head()                              # doctest: +SKIP

The front door of layer loading: `load_layers` (from a prepared cache when it matches, else from the
sources, zoning.sources) and `check_layers`; the loaded object is zoning.layerset.ZoningLayers and the
coverage checks are zoning.coverage, both importable from here too.
"""

from __future__ import annotations

from pathlib import Path

from .attributes import read_tables
from .cache import read_cached
from .catalog import RASTER_ROLES, TABLE_ROLES, read_catalog
from .coverage import COVERAGE_ROLES, coverage, coverage_faults, raise_coverage_faults
from .errors import ZoningError
from .layerset import ZoningLayers, to_metric
from .raster import read_raster
from .report import LayerReport
from .sources import read_rasters, read_vectors
from .vector import read_vector

__all__ = ["COVERAGE_ROLES", "LayerReport", "ZoningLayers", "check_layers", "coverage", "coverage_faults",
           "load_layers", "to_metric"]


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
    rasters, raster_reports = read_rasters(catalog)
    cached = read_cached(catalog) if use_cache and bbox is None else None
    if cached is None:
        return read_vectors(catalog, rasters, raster_reports, bbox)
    frames, metric, crs, reports, pieces = cached
    reports = reports + raster_reports
    raise_coverage_faults(reports, rasters)
    return ZoningLayers.prepared(catalog, frames, metric, crs, pieces, rasters, reports, read_tables(catalog))


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
