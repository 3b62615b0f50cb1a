"""Read one vector zoning layer: any OGR source or zipped shapefile -> our fields, repaired, in EPSG:4490."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS, Transformer

from . import STORAGE_CRS
from .catalog import ROLE_FIELDS, VOCABULARY, LayerSpec, source_field
from .encoding import shapefile_encoding
from .errors import LayerError
from .gk import fix_gk_prefix
from .repair import repair
from .reproject import to_storage

_TRUE = {"true", "1", "yes", "y", "是", "合规", "t"}
_FALSE = {"false", "0", "no", "n", "否", "不合规", "f"}


@dataclass
class LayerReport:
    """What loading one layer found: the facts `zoning layers check` prints."""

    role: str
    where: str
    source: str
    layer: str | None = None
    crs: str = ""
    encoding: str = ""
    features: int = 0
    vertices: int = 0
    extent: tuple[float, float, float, float] | None = None
    repaired: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    version: str | None = None
    valid_from: str | None = None
    issued_by: str | None = None
    failed: bool = False


def read_vector(spec: LayerSpec, bbox: tuple[float, float, float, float] | None = None
                ) -> tuple[gpd.GeoDataFrame, LayerReport]:
    """Load a vector layer as our vocabulary (id, name, role fields, source, edition) in EPSG:4490.

    `bbox` (lon/lat, EPSG:4490) reads only the features meeting that box — through the source's spatial
    index where it has one (GeoPackage, indexed shapefile) — for fast single-site answers.
    """
    report = LayerReport(role=spec.role, where=spec.where, source=spec.path, layer=spec.layer,
                         version=spec.version, valid_from=spec.valid_from, issued_by=spec.source)
    raw = _read_database(spec, report, bbox) if spec.is_database else _read(spec, report, bbox)
    frame = _map_fields(raw, spec)
    geoms = _repair(raw.geometry.values, frame["id"].to_numpy(), spec, report)
    gdf = gpd.GeoDataFrame(frame, geometry=geoms, crs=raw.crs)
    gdf = gdf[~(gdf.geometry.isna() | gdf.geometry.is_empty)].reset_index(drop=True)
    gdf = _to_storage(gdf, spec, report)
    report.features = len(gdf)
    report.vertices = int(shapely.get_num_coordinates(gdf.geometry.values).sum())
    report.extent = tuple(float(v) for v in gdf.total_bounds) if len(gdf) else None
    return gdf, report


def _read(spec: LayerSpec, report: LayerReport, bbox=None) -> gpd.GeoDataFrame:
    kwargs: dict[str, Any] = {}
    is_shp = Path(spec.path).suffix.lower() in (".shp", ".zip", ".dbf")
    if spec.encoding:
        kwargs["encoding"] = spec.encoding
        report.encoding = f"{spec.encoding} (catalog)"
    elif is_shp:
        detected = shapefile_encoding(spec.path)
        if detected:
            kwargs["encoding"] = detected
            report.encoding = f"{detected} (detected, no .cpg)"
        else:
            report.encoding = "from .cpg"
    else:
        report.encoding = "UTF-8 (format)"
    layer = spec.layer
    try:
        if layer is None:
            layers = pyogrio.list_layers(spec.path)
            if len(layers) > 1:
                names = ", ".join(str(n) for n in layers[:, 0])
                raise LayerError(f"{spec.where}: the source has several layers ({names}); set layer = \"...\"")
        if bbox is not None:
            kwargs.update(_source_bbox(spec, bbox, report))
        return pyogrio.read_dataframe(spec.path, layer=layer, **kwargs)
    except LayerError:
        raise
    except Exception as exc:  # pyogrio raises DataSourceError, DataLayerError, ... with GDAL's words
        raise LayerError(f"{spec.where}: cannot read {spec.path}: {exc}") from exc


def _read_database(spec: LayerSpec, report: LayerReport, bbox=None) -> gpd.GeoDataFrame:
    """A PostGIS table's rows; SQLAlchemy and psycopg are imported only here, when a catalog needs them."""
    from .postgis import read_table

    return read_table(spec, report, bbox)


def _source_bbox(spec: LayerSpec, bbox, report: LayerReport) -> dict[str, Any]:
    """`bbox=` for pyogrio in the source's own CRS; nothing (read all) when that CRS is unknown."""
    info = pyogrio.read_info(spec.path, layer=spec.layer)
    crs = info.get("crs") or spec.crs
    if not crs:
        return {}
    crs = CRS.from_user_input(crs)
    if info.get("total_bounds") is not None and all(np.isfinite(info["total_bounds"])):
        crs, _ = fix_gk_prefix(crs, np.asarray(info["total_bounds"]))
    box = Transformer.from_crs(STORAGE_CRS, crs, always_xy=True).transform_bounds(*bbox, densify_pts=21)
    report.notes.append("read only the features near the site")
    return {"bbox": tuple(box)}


def _map_fields(raw: gpd.GeoDataFrame, spec: LayerSpec) -> pd.DataFrame:
    required, optional = ROLE_FIELDS[spec.role]
    columns = {c for c in raw.columns if c != "geometry"}
    lower = {c.lower(): c for c in columns}
    out: dict[str, Any] = {}
    for ours in (*required, *optional):
        theirs = source_field(spec, ours)
        actual = theirs if theirs in columns else lower.get(theirs.lower())
        if actual is None:
            if ours in optional and ours not in spec.fields:
                continue
            raise LayerError(
                f"{spec.where}: field {theirs!r} (our '{ours}') not in the file; it has: "
                f"{', '.join(sorted(columns)) or 'no fields'}. Fix [layer.fields] {ours} = \"...\""
            )
        out[ours] = _coded(raw[actual], ours, theirs, spec)
    if "id" in out:
        out["id"] = out["id"].astype("string")
    n = len(raw)
    src = raw[lower["source"]].astype("string") if "source" in lower else None
    out["source"] = src if src is not None else pd.array([spec.source or ""] * n, dtype="string")
    out["edition"] = pd.array([spec.version or ""] * n, dtype="string")
    return pd.DataFrame(out, index=raw.index)


def _coded(values: pd.Series, ours: str, theirs: str, spec: LayerSpec) -> pd.Series:
    """Map a field's source values to our vocabulary; unmapped values are a LayerError naming them."""
    allowed = VOCABULARY.get(f"{ours}@{spec.role}")
    text = values.astype("string").str.strip()
    if allowed is None:
        return text
    mapping = spec.values.get(ours, {})
    table = {v: _vocab_value(mapping.get(v, v), ours) for v in text.dropna().unique()}
    mapped = text.map(table)
    unknown = [v for v, m in table.items() if m not in allowed] + (["<empty>"] if text.isna().any() else [])
    if unknown:
        counts = text.fillna("<empty>").value_counts()
        shown = ", ".join(f"{v!r} x{counts[v]}" for v in unknown[:6])
        raise LayerError(
            f"{spec.where}: field {theirs!r} (our '{ours}') has value(s) not in our vocabulary "
            f"({', '.join(map(str, allowed))}): {shown}. Map them in [layer.values.{ours}]"
        )
    return mapped.astype("boolean") if ours == "compliant" else mapped.astype("string")


def _vocab_value(value: Any, ours: str) -> Any:
    """Booleans written as words (是/否, yes/no, 1/0) are understood for `compliant` without a mapping."""
    if ours == "compliant" and not isinstance(value, bool):
        word = str(value).strip().lower()
        return True if word in _TRUE else (False if word in _FALSE else value)
    return value


def _repair(geoms: np.ndarray, ids: np.ndarray, spec: LayerSpec, report: LayerReport) -> np.ndarray:
    types = shapely.get_type_id(geoms)
    polygonal = np.isin(types, [3, 6])
    linear = np.isin(types, [1, 2])
    wrong = ~shapely.is_missing(geoms) & ~polygonal & ~linear & (types != 7)
    if spec.role != "river":
        wrong |= linear
    if wrong.any():
        raise LayerError(f"{spec.where}: {int(wrong.sum())} feature(s) are not "
                         f"{'lines or polygons' if spec.role == 'river' else 'polygons'} (e.g. "
                         f"{shapely.get_type_id(geoms[wrong][0])!r} type id); check the file and the role")
    keep = "polygon" if polygonal.any() or spec.role != "river" else "line"
    fixed, mask, reasons = repair(geoms, keep=keep)
    report.repaired = [f"{ids[i]}: {reasons[i]}" for i in np.flatnonzero(mask)]
    gone = shapely.is_missing(fixed) | shapely.is_empty(fixed)
    report.dropped = [f"{ids[i]}: {'empty after repair' if mask[i] else 'no geometry'}" for i in np.flatnonzero(gone)]
    if report.dropped:
        report.problems.append(f"{len(report.dropped)} feature(s) without usable geometry were left out: "
                               + "; ".join(report.dropped[:5]))
    return fixed


def _to_storage(gdf: gpd.GeoDataFrame, spec: LayerSpec, report: LayerReport) -> gpd.GeoDataFrame:
    crs = gdf.crs
    if crs is None:
        if spec.crs:
            crs = CRS.from_user_input(spec.crs)
            report.notes.append(f"CRS {spec.crs} from the catalog (the source has none)")
        elif len(gdf) and _looks_geographic(gdf.total_bounds):
            crs = CRS.from_user_input(STORAGE_CRS)
            report.problems.append("no CRS in the source; coordinates look like degrees, assumed CGCS2000 "
                                   "(EPSG:4490) — set crs in the catalog to be sure")
        else:
            raise LayerError(f"{spec.where}: the source has no CRS and the catalog gives none; "
                             f"add crs = \"EPSG:4545\" (or the right code) to this entry")
    elif spec.crs and CRS.from_user_input(spec.crs) != crs:
        report.notes.append(f"catalog crs {spec.crs} ignored: the source declares {crs.to_string()}")
    if len(gdf):
        crs, note = fix_gk_prefix(crs, gdf.total_bounds)
        if note:
            report.notes.append(note)
    report.crs = _crs_label(crs)
    gdf = gdf.set_crs(crs, allow_override=True)
    return gdf.set_geometry(to_storage(gdf.geometry))


def _looks_geographic(bounds: np.ndarray) -> bool:
    minx, miny, maxx, maxy = bounds
    return -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90


def _crs_label(crs: CRS) -> str:
    code = crs.to_epsg()
    return f"EPSG:{code} {crs.name}" if code else crs.name
