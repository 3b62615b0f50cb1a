"""The coverage (the area the zoning speaks for) and the layers that miss it: a layer off the coverage, or a
raster without a valid cell over it, means a wrong CRS."""

from __future__ import annotations

import numpy as np

from .catalog import RASTER_ROLES
from .errors import LayerError
from .raster import RasterLayer
from .report import LayerReport

#: roles whose layers make the coverage, the area the zoning speaks for (the first present decides)
COVERAGE_ROLES = ("district", "control_unit")


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


def raise_coverage_faults(reports: list[LayerReport], rasters: list[RasterLayer], partial: bool = False) -> None:
    """LayerError with the first coverage fault (and how many more) when there is any."""
    faults = coverage_faults(reports, rasters, partial)
    if faults:
        more = f" (and {len(faults) - 1} more: run zoning layers check)" if len(faults) > 1 else ""
        raise LayerError(faults[0][1] + more)


def _extent(report: LayerReport, partial: bool) -> tuple[float, float, float, float] | None:
    return report.full_extent or (None if partial and report.role not in RASTER_ROLES else report.extent)


def _meets(a, b) -> bool:
    return bool(a is not None and np.isfinite(a).all() and a[0] <= b[2] and a[2] >= b[0] and a[1] <= b[3] and a[3] >= b[1])
