"""Air-quality rasters (GeoTIFF or any GDAL raster): value at a point, mean and max over a polygon's cells."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import rasterio
import shapely
from pyproj import CRS, Transformer

from .catalog import LayerSpec
from .errors import LayerError
from .overlay import representative_points
from .report import LayerReport
from .vector import check_in_china

#: above this many candidate cells, polygon statistics are taken on the polygon's representative point
_MAX_CELLS = 50_000_000


@dataclass
class RasterLayer:
    """One band of a raster held in memory (a 1 km city or province grid is a few MB)."""

    spec: LayerSpec
    key: str
    data: np.ndarray          # float64, NaN where nodata
    transform: rasterio.Affine
    crs: CRS

    def sample(self, sites: np.ndarray, sites_crs: CRS) -> tuple[np.ndarray, np.ndarray]:
        """(mean, max) per site: the cell value for points, mean/max over cells whose centres fall in a polygon.

        NaN where the site is outside the raster or only on nodata cells.
        """
        n = len(sites)
        mean = np.full(n, np.nan)
        peak = np.full(n, np.nan)
        present = ~(shapely.is_missing(sites) | shapely.is_empty(sites))
        if not present.any():
            return mean, peak
        geoms = _to_crs(sites[present], sites_crs, self.crs)
        rep = representative_points(geoms)
        values = self._at(shapely.get_x(rep), shapely.get_y(rep))
        m, p = values.copy(), values.copy()
        areal = np.isin(shapely.get_type_id(geoms), [3, 6])
        if areal.any():
            am, ap = self._zonal(geoms[areal])
            found = ~np.isnan(am) | ~np.isnan(ap)
            m[np.flatnonzero(areal)[found]] = am[found]
            p[np.flatnonzero(areal)[found]] = ap[found]
        mean[present], peak[present] = m, p
        return mean, peak

    def valid_cells(self, bounds: tuple[float, float, float, float]) -> int:
        """How many cells with a value meet a lon/lat box (EPSG:4490)."""
        with np.errstate(all="ignore"):
            box = Transformer.from_crs("EPSG:4490", self.crs, always_xy=True).transform_bounds(*bounds, densify_pts=21)
        if not np.isfinite(box).all():
            return 0
        cols, rows = (~self.transform) @ (np.array([box[0], box[2], box[0], box[2]]),
                                          np.array([box[1], box[1], box[3], box[3]]))
        r0, r1, c0, c1 = np.floor([rows.min(), rows.max(), cols.min(), cols.max()])
        r0, c0 = int(max(r0, 0)), int(max(c0, 0))
        r1, c1 = int(min(r1, self.data.shape[0] - 1)), int(min(c1, self.data.shape[1] - 1))
        if r1 < r0 or c1 < c0:
            return 0
        return int((~np.isnan(self.data[r0:r1 + 1, c0:c1 + 1])).sum())

    def _cells(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        col, row = (~self.transform) @ (x, y)
        row, col = np.floor(row).astype(np.int64), np.floor(col).astype(np.int64)
        inside = (row >= 0) & (row < self.data.shape[0]) & (col >= 0) & (col < self.data.shape[1])
        return row, col, inside

    def _at(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        row, col, inside = self._cells(x, y)
        out = np.full(len(x), np.nan)
        out[inside] = self.data[row[inside], col[inside]]
        return out

    def _zonal(self, polys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean and max over the cells whose centres fall inside each polygon (NaN when none do)."""
        bounds = shapely.bounds(polys)
        r0, c0, _ = self._cells(bounds[:, 0], bounds[:, 3])
        r1, c1, _ = self._cells(bounds[:, 2], bounds[:, 1])
        rows_lo, rows_hi = np.minimum(r0, r1).clip(0, self.data.shape[0] - 1), np.maximum(r0, r1).clip(0, self.data.shape[0] - 1)
        cols_lo, cols_hi = np.minimum(c0, c1).clip(0, self.data.shape[1] - 1), np.maximum(c0, c1).clip(0, self.data.shape[1] - 1)
        nr, nc = rows_hi - rows_lo + 1, cols_hi - cols_lo + 1
        counts = nr * nc
        n = len(polys)
        mean, peak = np.full(n, np.nan), np.full(n, np.nan)
        if counts.sum() > _MAX_CELLS:
            return mean, peak
        owner = np.repeat(np.arange(n), counts)
        local = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        rows = rows_lo[owner] + local // nc[owner]
        cols = cols_lo[owner] + local % nc[owner]
        cx, cy = self.transform @ (cols + 0.5, rows + 0.5)
        shapely.prepare(polys)
        hit = shapely.contains_xy(polys[owner], cx, cy)
        vals = self.data[rows[hit], cols[hit]]
        own = owner[hit]
        good = ~np.isnan(vals)
        sums = np.bincount(own[good], weights=vals[good], minlength=n)
        cnt = np.bincount(own[good], minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(cnt > 0, sums / cnt, np.nan)
        np.fmax.at(peak, own[good], vals[good])
        return mean, peak


def _to_crs(geoms: np.ndarray, src: CRS, dst: CRS) -> np.ndarray:
    if src == dst:
        return geoms
    tr = Transformer.from_crs(src, dst, always_xy=True)
    return shapely.transform(geoms, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))


def read_raster(spec: LayerSpec) -> tuple[RasterLayer, LayerReport]:
    """Open the band of a raster layer; the report says CRS, size, extent and nodata share."""
    report = LayerReport(role=spec.role, where=spec.where, source=spec.path, version=spec.version,
                         valid_from=spec.valid_from, issued_by=spec.source)
    try:
        with rasterio.open(spec.path) as ds:
            if spec.band < 1 or spec.band > ds.count:
                raise LayerError(f"{spec.where}: band {spec.band} asked for, the raster has {ds.count} band(s)")
            data = ds.read(spec.band, masked=True).astype("float64").filled(np.nan)
            crs = CRS.from_user_input(ds.crs) if ds.crs else (CRS.from_user_input(spec.crs) if spec.crs else None)
            if crs is None:
                raise LayerError(f"{spec.where}: the raster has no CRS; add crs = \"EPSG:4490\" (or the right code)")
            transform, bounds = ds.transform, ds.bounds
    except rasterio.errors.RasterioIOError as exc:
        raise LayerError(f"{spec.where}: cannot read raster {spec.path}: {exc}") from exc
    layer = RasterLayer(spec=spec, key=spec.key, data=data, transform=transform, crs=crs)
    report.crs = f"EPSG:{crs.to_epsg()} {crs.name}" if crs.to_epsg() else crs.name
    report.features = int(data.size)
    report.encoding = f"{data.shape[1]}x{data.shape[0]} cells, band {spec.band}, pollutant {spec.pollutant} -> column '{layer.key}'"
    tr = Transformer.from_crs(crs, "EPSG:4490", always_xy=True)
    report.extent = tuple(float(v) for v in tr.transform_bounds(*bounds))
    share = float(np.isnan(data).mean()) if data.size else 1.0
    report.notes.append(f"nodata in {share:.0%} of cells")
    if share == 1.0:
        raise LayerError(f"{spec.where}: 栅格没有有效像元，全为无数据 / every cell of band {spec.band} is nodata; "
                         f"check the band, the nodata value and the file")
    check_in_china(report, spec.where)
    return layer, report
