"""Read one vector zoning layer: any OGR source or zipped shapefile -> our fields, repaired, in EPSG:4490."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS, Transformer

from . import STORAGE_CRS
from .archive import VECTOR_SUFFIXES, ArchiveError, safe_extract
from .catalog import BOOLEAN_FIELDS, DERIVED_FIELDS, ROLE_FIELDS, VOCABULARY, LayerSpec, source_field
from .encoding import shapefile_encoding
from .errors import LayerError
from .coords import fix_gk_prefix
from .postgis import read_table
from .repair import repair
from .report import LayerReport
from .reproject import to_storage

_TRUE = {"true", "1", "yes", "y", "是", "合规", "t"}
_FALSE = {"false", "0", "no", "n", "否", "不合规", "f"}

#: lon/lat box every zoning layer must meet (China with a margin): a layer beyond it has the wrong CRS
CHINA_BOUNDS = (70.0, 3.0, 140.0, 56.0)
_POLYGONAL = (3, 6)        # Polygon, MultiPolygon
_LINEAR = (1, 2, 5)        # LineString, LinearRing, MultiLineString
_COLLECTION = 7
_TYPE_NAMES = {0: "Point", 1: "LineString", 2: "LinearRing", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString",
               6: "MultiPolygon", 7: "GeometryCollection"}


def read_vector(spec: LayerSpec, bbox: tuple[float, float, float, float] | None = None
                ) -> tuple[gpd.GeoDataFrame, LayerReport]:
    """Load a vector layer as our vocabulary (id, name, role fields, source, edition) in EPSG:4490.

    `bbox` (lon/lat, EPSG:4490) reads only the features meeting that box — through the source's spatial
    index where it has one (GeoPackage, indexed shapefile) — for fast single-site answers.

    Faults raise a LayerError naming the entry: no CRS, no features (unless `allow_empty`), no geometry of
    the role's kind, an extent outside China. Lines and polygons of a river layer are all kept; parts of
    another kind are left out and counted in the report's problems.
    """
    report = LayerReport(role=spec.role, where=spec.where, source=spec.path, layer=spec.layer,
                         version=spec.version, valid_from=spec.valid_from, issued_by=spec.source)
    if spec.is_database:
        raw = _read_database(spec, report, bbox)
    else:
        with opened_source(spec, report.notes) as source:
            raw = _read(source, report, bbox)
    empty = _check_empty(raw, spec, report, bbox)
    frame = _map_fields(raw, spec, report, allow_missing=empty)
    geoms, rows = _sort_geometries(np.asarray(raw.geometry.values, dtype=object), spec, report)
    frame = frame.iloc[rows].reset_index(drop=True)
    geoms = _repair(geoms, frame["id"].to_numpy(), report)
    usable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if len(raw) and not usable.any():
        raise LayerError(f"{spec.where}: 图层 {len(raw)} 个要素都没有可用的几何 / none of the layer's {len(raw)} "
                         f"feature(s) has usable geometry (missing, empty or collapsed on repair); fix the file")
    gdf = gpd.GeoDataFrame(frame[usable].reset_index(drop=True), geometry=geoms[usable], crs=raw.crs)
    gdf = _to_storage(gdf, spec, report)
    report.features = len(gdf)
    report.vertices = int(shapely.get_num_coordinates(gdf.geometry.values).sum())
    report.extent = tuple(float(v) for v in gdf.total_bounds) if len(gdf) else None
    check_in_china(report, spec.where)
    return gdf, report


@contextmanager
def opened_source(spec: LayerSpec, notes: list[str] | None = None) -> Iterator[LayerSpec]:
    """The entry itself, or, for a zipped delivery, the entry pointed at the vector file inside it.

    A zip is never handed to GDAL (which would follow any member and inflate without a cap): it is extracted
    by zoning.archive.safe_extract into a private temporary folder, removed when the block ends; members
    that climb out of the folder or are links are skipped, with a note. A zip holding several layers needs
    `layer = "<file stem>"` (or the layer name inside a GeoPackage).
    """
    if spec.is_database or Path(spec.path).suffix.lower() != ".zip":
        yield spec
        return
    try:
        with safe_extract(spec.path, suffixes=VECTOR_SUFFIXES) as extracted:
            if notes is not None:
                notes.extend(extracted.warnings)
            yield _member_spec(spec, extracted.find(".shp", ".gpkg", ".geojson", ".json", ".kml"))
    except ArchiveError as exc:
        raise LayerError(f"{spec.where}: {exc}") from exc


def _member_spec(spec: LayerSpec, found: list[Path]) -> LayerSpec:
    """The entry reading one vector file of an extracted zip, chosen by `layer` when there are several."""
    if not found:
        raise LayerError(f"{spec.where}: 压缩包中没有矢量文件 / the zip holds no .shp, .gpkg, .geojson or .kml; "
                         f"fix 'path'")
    if len(found) > 1:
        named = [f for f in found if spec.layer and f.stem == spec.layer]
        if len(named) != 1:
            names = ", ".join(f.name for f in found)
            raise LayerError(f"{spec.where}: 压缩包中有多个矢量文件 / the zip holds several vector files ({names}); "
                             f"set layer = \"<file name without suffix>\" in this entry")
        return replace(spec, path=str(named[0]), layer=None)
    return replace(spec, path=str(found[0]))


def _check_empty(raw: gpd.GeoDataFrame, spec: LayerSpec, report: LayerReport, bbox) -> bool:
    """True when the layer is empty and the catalog allows it; LayerError when it is empty and not allowed.

    After a read limited to a site's box, zero features is ordinary: the source's own count decides.
    """
    if len(raw):
        return False
    if bbox is not None:
        if spec.is_database:
            return False  # a table is not counted per site: an empty one is caught by the full-table runs
        if pyogrio.read_info(spec.path, layer=spec.layer, force_feature_count=True).get("features", 0):
            return False
    if not spec.allow_empty:
        raise LayerError(f"{spec.where}: 图层没有要素 / the layer has no features; fix 'path' or 'layer', or, "
                         f"if the area truly has none, add allow_empty = true to this entry")
    report.allowed_empty = True
    report.notes.append("空图层，目录允许 / empty layer, allowed by allow_empty = true")
    return True


def check_in_china(report: LayerReport, where: str) -> None:
    """LayerError when the layer's lon/lat extent misses China altogether: its CRS is wrong."""
    extent = report.full_extent or report.extent
    if extent is None:
        return
    x0, y0, x1, y1 = CHINA_BOUNDS
    ext = np.asarray(extent, dtype=float)
    if np.isfinite(ext).all() and ext[0] <= x1 and ext[2] >= x0 and ext[1] <= y1 and ext[3] >= y0:
        return
    shown = ", ".join(f"{v:.4g}" for v in ext)
    raise LayerError(f"{where}: 图层范围不在中国境内，坐标系有误 / the layer's extent ({shown}, lon/lat) lies outside "
                     f"China, so its CRS is wrong (GK metres read as degrees, degrees read as GK, a missing or "
                     f"extra zone prefix); fix the file's .prj or set crs = \"EPSG:...\" in this entry")


def _read(spec: LayerSpec, report: LayerReport, bbox=None) -> gpd.GeoDataFrame:
    kwargs: dict[str, Any] = {}
    is_shp = Path(spec.path).suffix.lower() in (".shp", ".dbf")
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
        # FIDs as the index: the ids of a layer without an id field, stable whatever part is read
        return pyogrio.read_dataframe(spec.path, layer=layer, fid_as_index=True, **kwargs)
    except LayerError:
        raise
    except Exception as exc:  # pyogrio raises DataSourceError, DataLayerError, ... with GDAL's words
        raise LayerError(f"{spec.where}: cannot read {spec.path}: {exc}") from exc


def _read_database(spec: LayerSpec, report: LayerReport, bbox=None) -> gpd.GeoDataFrame:
    """A PostGIS table's rows (SQLAlchemy and psycopg are imported by zoning.postgis only when a catalog needs them)."""
    return read_table(spec, report, bbox)


def _source_bbox(spec: LayerSpec, bbox, report: LayerReport) -> dict[str, Any]:
    """`bbox=` for pyogrio in the source's own CRS; nothing (read all) when that CRS is unknown."""
    info = pyogrio.read_info(spec.path, layer=spec.layer, force_total_bounds=True)
    crs = info.get("crs") or spec.crs
    if not crs:
        return {}
    crs = CRS.from_user_input(crs)
    total = info.get("total_bounds")
    if total is not None and np.isfinite(total).all():
        crs, _ = fix_gk_prefix(crs, np.asarray(total))
        with np.errstate(all="ignore"):  # wild coordinates (a wrong CRS) give inf: check_in_china says so
            full = Transformer.from_crs(crs, STORAGE_CRS, always_xy=True).transform_bounds(*total, densify_pts=21)
        report.full_extent = tuple(float(v) for v in full)
    box = Transformer.from_crs(STORAGE_CRS, crs, always_xy=True).transform_bounds(*bbox, densify_pts=21)
    report.notes.append("read only the features near the site")
    return {"bbox": tuple(box)}


def _map_fields(raw: gpd.GeoDataFrame, spec: LayerSpec, report: LayerReport, allow_missing: bool = False
               ) -> pd.DataFrame:
    """Our fields from the source's; `id` and `name` are derived when the catalog does not map them and the
    file has no such field (FID, then the id); `allow_missing` (an allowed-empty layer) tolerates any gap."""
    required, optional = ROLE_FIELDS[spec.role]
    columns = {c for c in raw.columns if c != "geometry"}
    lower = {c.lower(): c for c in columns}
    out: dict[str, Any] = {}
    ordered = [*(f for f in DERIVED_FIELDS if f in optional), *required, *(f for f in optional if f not in DERIVED_FIELDS)]
    for ours in ordered:
        theirs = source_field(spec, ours)
        actual = theirs if theirs in columns else lower.get(theirs.lower())
        if actual is None:
            if ours in optional and ours not in spec.fields:
                continue
            if allow_missing:
                dtype = "boolean" if ours in BOOLEAN_FIELDS else "string"
                out[ours] = pd.Series(pd.array([None] * len(raw), dtype=dtype), index=raw.index)
                continue
            raise LayerError(
                f"{spec.where}: field {theirs!r} (our '{ours}') not in the file; it has: "
                f"{', '.join(sorted(columns)) or 'no fields'}. Fix [layer.fields] {ours} = \"...\""
            )
        out[ours] = _coded(raw[actual], ours, theirs, spec)
    n = len(raw)
    if "id" in out:
        out["id"] = out["id"].astype("string")
    elif "id" in optional:
        out["id"] = pd.Series(pd.array(raw.index.astype(str), dtype="string"), index=raw.index)
        if n:
            zh, en = (("数据表行号", "the table's row numbers in primary-key order, from 0") if spec.is_database else
                      ("要素号 FID", "the features' FIDs (GeoPackage from 1, shapefile and GeoJSON from 0)"))
            report.notes.append(f"无编号字段，编号取{zh} / no id field: ids are {en}; "
                                f"map [layer.fields] id = \"...\" to use a field")
    if "name" not in out and "name" in optional:
        out["name"] = out["id"]
        if n:
            report.notes.append("无名称字段，名称取编号 / no name field: names are the ids; "
                                "map [layer.fields] name = \"...\" to use a field")
    src = raw[lower["source"]].astype("string") if "source" in lower else None
    out["source"] = src if src is not None else pd.array([spec.source or ""] * n, dtype="string")
    out["edition"] = pd.array([spec.version or ""] * n, dtype="string")
    return pd.DataFrame(out, index=raw.index)


def _coded(values: pd.Series, ours: str, theirs: str, spec: LayerSpec) -> pd.Series:
    """Map a field's source values to our vocabulary; unmapped values are a LayerError naming them."""
    allowed = VOCABULARY.get(f"{ours}@{spec.role}")
    text = _whole_numbers(values).astype("string").str.strip()
    if allowed is None:
        return text
    mapping = spec.values.get(ours, {})
    table = {v: _vocab_value(mapping.get(v, v), ours) for v in text.dropna().unique()}
    mapped = text.map(table)
    unknown = [v for v, m in table.items() if m not in allowed] + (["<empty>"] if text.isna().any() else [])
    if unknown:
        counts = text.fillna("<empty>").value_counts()
        shown = ", ".join(f"{v!r} x{counts[v]}" for v in unknown[:6])
        understood = " (是/否, Y/N, 1/0, true/false, 合规/不合规 are understood without one)" if ours in BOOLEAN_FIELDS else ""
        raise LayerError(
            f"{spec.where}: field {theirs!r} (our '{ours}') has value(s) not in our vocabulary "
            f"({', '.join(map(str, allowed))}): {shown}. Map them in [layer.values.{ours}]{understood}"
        )
    return mapped.astype("boolean") if ours in BOOLEAN_FIELDS else mapped.astype("string")


def _whole_numbers(values: pd.Series) -> pd.Series:
    """Floats that are all whole (a shapefile's numeric 1.0/0.0 or codes 1.0, 2.0) as integers, so they
    read as 1/0 and match mappings written "1" rather than "1.0"."""
    if not pd.api.types.is_float_dtype(values):
        return values
    known = values.dropna().to_numpy(dtype=float)
    if len(known) and np.isfinite(known).all() and (known == np.round(known)).all():
        return values.astype("Int64")
    return values


def _vocab_value(value: Any, ours: str) -> Any:
    """Booleans written as words (是/否, yes/no, Y/N, 1/0, true/false, 合规/不合规) are understood without a mapping."""
    if ours in BOOLEAN_FIELDS and not isinstance(value, bool):
        word = str(value).strip().lower()
        return True if word in _TRUE else (False if word in _FALSE else value)
    return value


def _sort_geometries(geoms: np.ndarray, spec: LayerSpec, report: LayerReport) -> tuple[np.ndarray, np.ndarray]:
    """(geometries, source row of each) keeping the role's kinds: polygons, and for rivers lines too.

    Geometry collections (a GeoPackage layer of type GEOMETRY may hold them) are split into their polygonal
    and linear parts, each a row of its own. Features and parts of other kinds are left out, counted by
    type in the report's problems; a layer left with nothing of its kind is a LayerError. Missing and
    empty geometries are passed on, for `_repair` to report.
    """
    kinds = (_POLYGONAL, _LINEAR) if spec.role == "river" else (_POLYGONAL,)
    wanted = [t for kind in kinds for t in kind]
    types = shapely.get_type_id(geoms)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    collection = present & (types == _COLLECTION)
    plain = ~collection & (~present | np.isin(types, wanted))
    out_geoms, out_rows = [geoms[plain]], [np.flatnonzero(plain)]
    dropped = [types[~collection & present & ~np.isin(types, wanted)]]
    if collection.any():
        rows = np.flatnonzero(collection)
        parts, owner = _flat_parts(geoms[rows])
        part_types = shapely.get_type_id(parts)
        used = np.zeros(len(parts), dtype=bool)
        for kind in kinds:  # one or two passes, one per geometry kind
            sel = np.isin(part_types, kind)
            used |= sel
            if sel.any():
                built = np.full(len(rows), None, dtype=object)
                build = shapely.multipolygons if kind is _POLYGONAL else shapely.multilinestrings
                build(parts[sel], indices=owner[sel], out=built)
                has = ~shapely.is_missing(built)
                out_geoms.append(built[has])
                out_rows.append(rows[has])
        dropped.append(part_types[~used])
    all_geoms, all_rows = np.concatenate(out_geoms), np.concatenate(out_rows)
    order = np.argsort(all_rows, kind="stable")
    all_geoms, all_rows = all_geoms[order], all_rows[order]
    dropped = np.concatenate(dropped)
    if len(dropped):
        found = ", ".join(f"{_TYPE_NAMES.get(int(t), t)} x{c}" for t, c in zip(*np.unique(dropped, return_counts=True)))
        zh, en = ("线或面", "lines or polygons") if spec.role == "river" else ("面", "polygons")
        if not (~(shapely.is_missing(all_geoms) | shapely.is_empty(all_geoms))).any():
            raise LayerError(f"{spec.where}: 图层中没有{zh} / the layer holds no {en} ({found}); role {spec.role} "
                             f"takes {en}: check the file, its layer and the role")
        report.problems.append(f"舍弃 {len(dropped)} 个非{zh}要素或部件 / {len(dropped)} feature(s) or part(s) "
                               f"not {en} were left out: {found}")
    return all_geoms, all_rows


def _flat_parts(collections: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Single parts (points, lines, rings, polygons) of geometry collections, however nested, and the
    collection each belongs to."""
    parts, owner = shapely.get_parts(collections, return_index=True)
    while True:
        nested = np.isin(shapely.get_type_id(parts), (4, 5, 6, 7))
        if not nested.any():
            break
        sub, idx = shapely.get_parts(parts[nested], return_index=True)
        parts = np.concatenate([parts[~nested], sub])
        owner = np.concatenate([owner[~nested], owner[nested][idx]])
    keep = ~shapely.is_empty(parts)
    return parts[keep], owner[keep]


def _repair(geoms: np.ndarray, ids: np.ndarray, report: LayerReport) -> np.ndarray:
    """Repair polygons as polygons and lines as lines (a river layer holds both); a geometry that collapses
    to another kind on repair is left out and reported."""
    types = shapely.get_type_id(geoms)
    fixed = geoms.copy()
    mask = np.zeros(len(geoms), dtype=bool)
    reasons = np.full(len(geoms), "", dtype=object)
    for keep, kind in (("polygon", _POLYGONAL), ("line", _LINEAR)):  # two passes, one per geometry kind
        sel = np.isin(types, kind)
        if not sel.any():
            continue
        out, m, r = repair(geoms[sel], keep=keep)
        out[m & ~np.isin(shapely.get_type_id(out), kind)] = None   # e.g. a one-point line made a point
        fixed[sel], mask[sel], reasons[sel] = out, m, r
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
        else:  # never assumed: degrees may be CGCS2000, WGS 84 or GCJ-02, metres any GK zone
            raise LayerError(f"{spec.where}: 图层没有坐标系，目录也未给出 / the source has no CRS and the catalog "
                             f"gives none; add crs = \"EPSG:4545\" (or the right code) to this entry")
    elif spec.crs and CRS.from_user_input(spec.crs) != crs:
        report.notes.append(f"catalog crs {spec.crs} ignored: the source declares {crs.to_string()}")
    if len(gdf):
        crs, note = fix_gk_prefix(crs, gdf.total_bounds)
        if note:
            report.notes.append(note)
    report.crs = _crs_label(crs)
    gdf = gdf.set_crs(crs, allow_override=True)
    return gdf.set_geometry(to_storage(gdf.geometry))


def _crs_label(crs: CRS) -> str:
    code = crs.to_epsg()
    return f"EPSG:{code} {crs.name}" if code else crs.name
