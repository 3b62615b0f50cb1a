"""Read project lists (CSV, XLSX, GeoJSON, GeoPackage, shapefile, zipped shapefile, KML) into standard columns.

Every input row comes out, in order. A row whose location cannot be used gets geometry None and an
`error` naming the row, the cell and the fix; problems that still leave a usable row go to `warnings`.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import shapely

from zoning.reproject import to_storage
from zoning import STORAGE_CRS, coords
from zoning.encoding import shapefile_encoding
from zoning.errors import CoordinateError
from zoning.repair import repair

#: Our column name -> accepted input headers (matched after _header_key), most specific first.
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "项目编号", "编号", "序号", "project_id", "project_no", "project_code", "no"),
    "name": ("name", "项目名称", "名称", "project_name", "project"),
    "sector": ("sector", "行业代码", "国民经济行业代码", "行业类别代码", "行业分类代码", "sector_code",
               "industry_code", "industry"),
    "construction": ("construction", "建设性质", "construction_type", "project_type"),
    "lon": ("lon", "经度", "longitude", "lng", "long"),
    "lat": ("lat", "纬度", "latitude"),
    "x": ("x", "x坐标", "东坐标", "easting"),
    "y": ("y", "y坐标", "北坐标", "northing"),
    "wkt": ("wkt", "范围", "geometry_wkt", "坐标串", "用地范围", "geometry", "geom", "boundary"),
    "coords": ("coords", "坐标系", "坐标系统", "coordinate_system", "coord_system", "coords_system"),
    "process": ("process", "工艺", "生产工艺", "工艺路线"),
    "major": ("major", "国家重大项目", "重大项目", "national_major"),
    "park": ("park", "所在园区", "园区", "park_claim"),
}

#: Words (after _word_key) -> construction kind; 改扩建 counts as expansion, the stricter reading.
CONSTRUCTION_WORDS = {
    "new": ("新建", "new", "newbuild", "newconstruction", "greenfield"),
    "expansion": ("扩建", "改扩建", "扩能", "expansion", "extension", "expand"),
    "renovation": ("改建", "技术改造", "技改", "改造", "renovation", "reconstruction", "retrofit", "upgrade",
                   "technicalrenovation", "technicalupgrade"),
    "relocation": ("迁建", "搬迁", "异地搬迁", "搬迁改造", "relocation", "relocate", "relocated"),
}

# Process words (工艺 column and project-name words) live in rules/process_words.yaml: screening/process_words.py.

MAJOR_WORDS = {True: ("是", "y", "yes", "true", "t", "1"), False: ("否", "n", "no", "false", "f", "0")}

CHINA_BOUNDS = (73.0, 3.0, 136.0, 54.0)  # generous lon/lat box around China, for plausibility checks
SWAP_WARNING = "经纬度互换，已纠正 / lon/lat swapped, fixed"
TABLE_SUFFIXES = {".csv", ".txt", ".tsv"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
SPATIAL_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp", ".kml", ".kmz", ".zip"}
STRING = pd.StringDtype()
#: Fields every LIBKML layer has; a project's own ExtendedData fields (项目编号, 项目名称) win over them.
KML_STANDARD_FIELDS = ("id", "Name", "description", "timestamp", "begin", "end", "altitudeMode", "tessellate",
                       "extrude", "visibility", "drawOrder", "icon", "snippet")

OUTPUT_COLUMNS = ("id", "name", "sector_raw", "construction", "construction_raw", "process", "process_known",
                  "major", "park_claim", "coords_system", "coords_assumed", "error", "warnings")

#: The coordinate system of lon/lat cells when neither a 坐标系 cell nor the list's `coords` says one.
DEFAULT_SYSTEM = "CGCS2000"
ASSUMED_NOTICE = ("未注明坐标系的经纬度按 CGCS2000 处理；若坐标取自高德/腾讯（GCJ-02）或百度（BD-09）地图，请用 --coords "
                  "或“坐标系”列注明 / coordinates without a stated system were taken as CGCS2000; if they come from "
                  "Amap/Tencent (GCJ-02) or Baidu (BD-09) maps, say so with --coords or a 坐标系 column")


class ProjectFileError(Exception):
    """The project file as a whole cannot be read; the message names the path and the fix."""


@dataclass
class ProjectList:
    """A project file as read (`original`) and standardized (`projects`), sharing one index."""

    source: str
    original: pd.DataFrame
    projects: gpd.GeoDataFrame
    column_map: dict[str, str] = field(default_factory=dict)
    #: File-level notes for the terminal and summary.json (sheet read, header row found, rows skipped, …).
    notes: list[str] = field(default_factory=list)
    #: The sheet (XLSX) or layer that was read, when the file has several.
    sheet: str | None = None


@dataclass
class RawTable:
    """A file as read, before standardizing: text cells, file geometry and per-row reading problems.

    `row_errors` / `row_warnings` hold one text per row ('' for none): a row with an error comes out `invalid`
    with that text (e.g. a malformed CSV line), a warning is kept in the row's `warnings`.
    """

    frame: pd.DataFrame
    geometry: gpd.GeoSeries | None = None
    row_errors: np.ndarray | None = None
    row_warnings: np.ndarray | None = None
    notes: list[str] = field(default_factory=list)
    sheet: str | None = None


# ---------------------------------------------------------------- reading files


def read_projects(path, crs=None, layer=None, encoding=None, coords=None) -> ProjectList:
    """Read a project list file; `crs` is the CRS of X/Y and WKT columns, `layer` a sheet or layer name.

    `coords` (CGCS2000 | WGS84 | GCJ02 | BD09) is the system of lon/lat cells whose row has no 坐标系 value;
    when neither says, CGCS2000 is assumed, the rows say so (`coords_assumed`) and `notes` says it once.
    """
    path = Path(path)
    if not path.exists():
        raise ProjectFileError(f"{path}: file not found; check the path and the working directory")
    suffix = path.suffix.lower()
    generic = ()
    if suffix in TABLE_SUFFIXES:
        raw = _as_raw(_read_csv(path, encoding))
    elif suffix in EXCEL_SUFFIXES:
        raw = _as_raw(_read_xlsx(path, layer))
    elif suffix in SPATIAL_SUFFIXES:
        raw = _as_raw(_read_spatial(path, layer, encoding))
        generic = KML_STANDARD_FIELDS if suffix in (".kml", ".kmz") else ()
    else:
        raise ProjectFileError(_unsupported(path))
    projects, column_map = _standardize(raw.frame, crs, raw.geometry, str(path), generic,
                                        row_errors=raw.row_errors, row_warnings=raw.row_warnings,
                                        coords_system=coords)
    notes = list(raw.notes)
    if projects["coords_assumed"].any():
        notes.append(ASSUMED_NOTICE)
    return ProjectList(source=str(path), original=raw.frame, projects=projects, column_map=column_map,
                       notes=notes, sheet=raw.sheet)


def _as_raw(read) -> RawTable:
    """A reader's result as a RawTable (readers may return a RawTable, a frame, or (frame, geometry))."""
    if isinstance(read, RawTable):
        return read
    if isinstance(read, tuple):
        return RawTable(frame=read[0], geometry=read[1])
    return RawTable(frame=read)


def _unsupported(path: Path) -> str:
    """The message for a file whose type we do not read."""
    hint = " (an old .xls workbook: save it as .xlsx in Excel/WPS)" if path.suffix.lower() == ".xls" else ""
    known = ", ".join(sorted(TABLE_SUFFIXES | EXCEL_SUFFIXES | SPATIAL_SUFFIXES))
    return f"{path}: unsupported file type '{path.suffix}'{hint}; use one of {known}"


def _decode_text(data: bytes, encoding: str | None = None) -> str:
    """Bytes of a text table as str: the given encoding, else strict UTF-8 (BOM allowed), else GB18030."""
    if encoding:
        return data.decode(encoding)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def _read_csv(path: Path, encoding: str | None) -> pd.DataFrame:
    """A CSV/TSV file with every cell as text ('' for empty cells)."""
    try:
        text = _decode_text(path.read_bytes(), encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise ProjectFileError(f"{path}: cannot decode the file as {encoding}: {exc}; "
                               "save it as UTF-8 or GBK, or pass the right encoding") from exc
    if not text.strip():
        raise ProjectFileError(f"{path}: the file is empty; it needs a header row and one row per project")
    try:
        frame = pd.read_csv(io.StringIO(text), sep=_delimiter(text), dtype=str, keep_default_na=False,
                            na_filter=False, skip_blank_lines=True)
    except (pd.errors.ParserError, ValueError) as exc:
        raise ProjectFileError(f"{path}: not a readable CSV table ({exc}); check the delimiter and quoting") from exc
    return frame.reset_index(drop=True)


def _delimiter(text: str) -> str:
    """The most frequent of comma, tab and semicolon in the header line."""
    header = text.lstrip().split("\n", 1)[0]
    return max((",", "\t", ";"), key=header.count)


def _read_xlsx(path: Path, sheet: str | None) -> pd.DataFrame:
    """One sheet (the first, or `sheet`) of a workbook with every cell as text."""
    try:
        book = pd.ExcelFile(path, engine="openpyxl")
    except Exception as exc:  # openpyxl raises zipfile/KeyError/InvalidFileException for broken files
        raise ProjectFileError(f"{path}: not a readable .xlsx workbook ({exc}); re-save it from Excel/WPS") from exc
    with book:
        names = book.sheet_names
        if not names:
            raise ProjectFileError(f"{path}: the workbook has no sheets; put the project table on a sheet")
        if sheet is not None and sheet not in names:
            raise ProjectFileError(f"{path}: no sheet '{sheet}'; sheets are {', '.join(names)}")
        frame = pd.read_excel(book, sheet_name=sheet if sheet is not None else names[0], dtype=str,
                              keep_default_na=False, na_filter=False)
    return frame.reset_index(drop=True)


def _read_spatial(path: Path, layer: str | None, encoding: str | None) -> tuple[pd.DataFrame, gpd.GeoSeries]:
    """Attributes (as text) and geometry of a vector file; several KML folders are read together."""
    source = _zip_member(path, layer) if path.suffix.lower() == ".zip" else str(path)
    if source != str(path):
        layer = None  # in a zip, `layer` chose the member
    kwargs = {"encoding": encoding or _shp_encoding(path)}
    try:
        with _kml_field_names_kept():
            layers = [layer] if layer is not None else _layer_names(path, source)
            parts = [pyogrio.read_dataframe(source, layer=name, **kwargs) for name in layers]
    except ProjectFileError:
        raise
    except Exception as exc:  # pyogrio's DataSourceError / DataLayerError carry GDAL's words
        raise ProjectFileError(f"{path}: cannot read it ({exc}); check the file and the layer name") from exc
    data = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
    data = data.reset_index(drop=True)
    geometry = data.geometry if isinstance(data, gpd.GeoDataFrame) else None
    frame = pd.DataFrame({c: _as_text(data[c]) for c in data.columns if c != getattr(geometry, "name", None)})
    return frame, geometry


@contextmanager
def _kml_field_names_kept():
    """While reading, keep KML <Data name="项目编号"> field names as written (LIBKML launders them to ____)."""
    option = "LIBKML_LAUNDER_FIELD_NAMES"
    before = pyogrio.get_gdal_config_option(option)
    pyogrio.set_gdal_config_options({option: "NO"})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({option: before})


def _layer_names(path: Path, source: str) -> list:
    """Layers to read when none was named: the only one, all KML folders, else an error listing them."""
    names = [str(n) for n in pyogrio.list_layers(source)[:, 0]]
    if len(names) > 1 and path.suffix.lower() not in (".kml", ".kmz"):
        raise ProjectFileError(f"{path}: the file has several layers ({', '.join(names)}); "
                               "name one with layer=... (--layer)")
    return names if names else [None]


def _zip_member(path: Path, layer: str | None) -> str:
    """The GDAL /vsizip/ path of the shapefile (or other vector file) inside a zip archive."""
    try:
        with zipfile.ZipFile(path) as zf:
            members = [n for n in zf.namelist() if Path(n).suffix.lower() in SPATIAL_SUFFIXES - {".zip"}]
    except zipfile.BadZipFile as exc:
        raise ProjectFileError(f"{path}: not a readable zip archive ({exc})") from exc
    shp = [n for n in members if n.lower().endswith(".shp")] or members
    if layer is not None:
        shp = [n for n in shp if Path(n).stem == layer or n == layer]
    if len(shp) != 1:
        found = ", ".join(members) or "no .shp/.gpkg/.geojson/.kml"
        fix = "name one with layer=<file stem> (--layer)" if len(shp) > 1 else "zip the shapefile's .shp/.shx/.dbf/.prj"
        raise ProjectFileError(f"{path}: cannot choose a layer in the archive (found {found}); {fix}")
    return f"/vsizip/{path.resolve()}/{shp[0]}"


def _shp_encoding(path: Path) -> str | None:
    """The .dbf encoding of a shapefile (plain or zipped) without .cpg; None for other formats."""
    if path.suffix.lower() not in (".shp", ".zip"):
        return None
    try:
        return shapefile_encoding(path)
    except (OSError, zipfile.BadZipFile):
        return None


def _as_text(values: pd.Series) -> pd.Series:
    """An attribute column as text: integral floats without '.0', missing as ''."""
    return values.astype(object).map(_cell_text)


def _cell_text(value) -> str:
    """One attribute value as text."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# ---------------------------------------------------------------- column logic


def standardize(frame: pd.DataFrame, crs=None, geometry=None, source: str = "", coords=None) -> gpd.GeoDataFrame:
    """Standard project columns (EPSG:4490 geometry, error, warnings) for an in-memory table.

    `coords` is the coordinate system of lon/lat cells without a 坐标系 value (CGCS2000 when not given,
    flagged per row in `coords_assumed`).
    """
    return _standardize(frame, crs, geometry, source, coords_system=coords)[0]


def _standardize(frame, crs, geometry, source, generic=(), row_errors=None, row_warnings=None, coords_system=None
                 ) -> tuple[gpd.GeoDataFrame, dict[str, str]]:
    """standardize() plus the column map it used; `generic` columns match only when nothing else does.

    `row_errors` / `row_warnings` (one text per row, '' for none) are problems found while reading the file.
    """
    column_map = resolve_columns(frame.columns, generic)
    _require_location(column_map, geometry, source, frame.columns)
    work = _Work(frame.reset_index(drop=True), column_map, _checked_crs(crs, source), source)
    work.default_system = _checked_system(coords_system, source)
    for level, texts in (("error", row_errors), ("warning", row_warnings)):
        if texts is not None:
            texts = np.asarray(texts, dtype=object)
            work.add(level, texts != "", texts[texts != ""])
    geometry = _file_geometry(geometry, len(frame))
    systems = _systems(work)
    geoms, kind = _locate(work, geometry)
    _file_system(work, systems, kind, geometry)
    _convert_systems(work, geoms, systems)
    geoms = _check_geometries(work, geoms)
    attributes = _attributes(work)
    failed = work.errors != ""
    geoms[failed] = None
    out = pd.DataFrame(attributes)
    out["coords_system"] = pd.array(systems, dtype=STRING)
    out["coords_assumed"] = work.assumed & ~work.projected & ~np.isin(kind, ("file", ""))
    out["error"] = pd.array(_prefixed_errors(work, attributes["id"]), dtype=STRING)
    out["warnings"] = pd.array(work.warnings, dtype=STRING)
    out = out[list(OUTPUT_COLUMNS)]
    out.index = frame.index
    result = gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(geoms, index=frame.index, crs=STORAGE_CRS))
    return result, column_map


def _checked_system(system, source: str) -> str | None:
    """The list's coordinate system (`coords=` / --coords) by its canonical name; None when not given."""
    if system is None or (isinstance(system, str) and not system.strip()):
        return None
    try:
        return coords.normalize_system(system)
    except CoordinateError as exc:
        raise ProjectFileError(f"{source or 'table'}: --coords {system!r} 不是已知坐标系 / is not a known coordinate "
                               "system: use CGCS2000, WGS84, GCJ02 (高德/腾讯) or BD09 (百度)") from exc


def _checked_crs(crs, source: str) -> pyproj.CRS | None:
    """The `crs` argument as a pyproj CRS (None when not given); one pyproj cannot read is a file error."""
    if crs is None or (isinstance(crs, str) and not crs.strip()):
        return None
    try:
        return pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError as exc:
        raise ProjectFileError(f"{source or 'table'}: crs {crs!r} is not a coordinate reference system pyproj "
                               "knows; give an EPSG code such as EPSG:4545 (CGCS2000 3° GK, CM 105°E)") from exc


def _header_key(name) -> str:
    """A header reduced for matching: NFKC, case-folded, no trailing unit in brackets, no spaces/_/-."""
    text = unicodedata.normalize("NFKC", str(name)).strip().casefold()
    text = re.sub(r"\s*[(\[][^)\]]*[)\]]\s*$", "", text)
    return re.sub(r"[\s_\-:.]+", "", text)


def resolve_columns(columns, generic=()) -> dict[str, str]:
    """Our column name -> the input column it comes from (first matching alias wins, each column used once).

    Columns listed in `generic` (a format's built-in fields, e.g. KML's id and Name) are tried last.
    """
    found: dict[str, str] = {}
    ordinary = [c for c in columns if c not in set(generic)]
    for candidates in (ordinary, [c for c in columns if c in set(generic)]):
        by_key: dict[str, str] = {}
        for column in candidates:
            by_key.setdefault(_header_key(column), column)
        for ours, aliases in ALIASES.items():
            column = next((by_key[k] for k in map(_header_key, aliases) if k in by_key), None)
            if ours not in found and column is not None and column not in found.values():
                found[ours] = column
    return found


def _require_location(column_map, geometry, source, columns) -> None:
    """Raise ProjectFileError when the table has no way at all to locate a project."""
    if geometry is not None or "wkt" in column_map:
        return
    if {"lon", "lat"} <= column_map.keys() or {"x", "y"} <= column_map.keys():
        return
    half = [column_map[k] for k in ("lon", "lat", "x", "y") if k in column_map]
    found = f" (found only {', '.join(half)})" if half else ""
    raise ProjectFileError(
        f"{source or 'table'}: no location columns{found}; add 经度/纬度 (longitude/latitude), "
        f"X坐标/Y坐标 with --crs, or a 范围 (WKT) column. Columns are: {', '.join(map(str, columns))}")


class _Work:
    """The table being standardized: text cells, column map, CRS and per-row error/warning texts."""

    def __init__(self, frame: pd.DataFrame, column_map: dict[str, str], crs, source: str):
        """Text versions of the mapped columns and empty error/warning texts for every row."""
        self.frame, self.column_map, self.crs, self.source = frame, column_map, crs, source
        self.n = len(frame)
        self.text = {ours: _text(frame[col]) for ours, col in column_map.items()}
        self.errors = np.full(self.n, "", dtype=object)
        self.warnings = np.full(self.n, "", dtype=object)
        self.projected = np.zeros(self.n, bool)  # rows located from projected X/Y
        self.default_system: str | None = None  # the list's coordinate system (coords=), None: assumed
        self.assumed = np.zeros(self.n, bool)  # rows whose system nobody stated (CGCS2000 assumed)

    def column(self, ours: str) -> str:
        """The input header of one of our columns (our name when absent)."""
        return str(self.column_map.get(ours, ours))

    def present(self, ours: str) -> np.ndarray:
        """Rows where our column has a non-blank cell."""
        values = self.text.get(ours)
        return np.zeros(self.n, bool) if values is None else values.notna().to_numpy()

    def add(self, kind: str, rows, messages) -> None:
        """Append message(s) to the errors or warnings of the rows (mask or positions)."""
        target = self.errors if kind == "error" else self.warnings
        rows = np.flatnonzero(rows) if np.asarray(rows).dtype == bool else np.asarray(rows, dtype=int)
        if not len(rows):
            return
        messages = np.broadcast_to(np.asarray(messages, dtype=object), rows.shape)
        current = target[rows]
        target[rows] = np.where(current == "", messages, current + "; " + messages)


def _text(values: pd.Series) -> pd.Series:
    """Cells as stripped strings (string dtype) with blanks as <NA>, on a 0..n-1 index."""
    text = values.astype(STRING).str.strip()
    return text.mask(text.eq("").fillna(True).astype(bool)).reset_index(drop=True)


def _quote(value, limit: int = 60) -> str:
    """A cell value for a message, shortened."""
    text = str(value)
    return f"'{text if len(text) <= limit else text[:limit - 1] + '…'}'"


# ---------------------------------------------------------------- coordinate systems


def _systems(work: _Work) -> np.ndarray:
    """Per-row coordinate system name (object array); unknown names make the row invalid (None).

    A 坐标系 cell wins; else the list's default (`coords=`, the CLI's --coords); else CGCS2000, assumed
    (`work.assumed` marks those rows, reported per row as coords_assumed and once in the summary).
    """
    systems = np.full(work.n, work.default_system or DEFAULT_SYSTEM, dtype=object)
    values = work.text.get("coords")
    work.assumed = np.full(work.n, work.default_system is None, dtype=bool)
    if values is None:
        return systems
    work.assumed &= ~values.notna().to_numpy()
    for value in values.dropna().unique():
        rows = (values == value).fillna(False).to_numpy(bool)
        try:
            systems[rows] = coords.normalize_system(value)
        except CoordinateError:
            systems[rows] = None
            work.add("error", rows, f"{work.column('coords')} {_quote(value)} is not a known coordinate system: "
                                    "use CGCS2000, WGS84, GCJ02 (高德/腾讯) or BD09 (百度)")
    return systems


def _file_system(work: _Work, systems: np.ndarray, kind: np.ndarray, file_geoms: gpd.GeoSeries) -> None:
    """Rows located by a WGS84 file's own geometry (GeoJSON, KML) report WGS84 unless 坐标系 says otherwise."""
    crs = file_geoms.crs
    if crs is not None and crs.to_epsg() == 4326:
        systems[(kind == "file") & ~work.present("coords")] = "WGS84"


def _convert_systems(work: _Work, geoms: np.ndarray, systems: np.ndarray) -> None:
    """GCJ-02 / BD-09 rows to CGCS2000, one vectorised transform per system; X/Y rows are left alone."""
    for system in ("GCJ02", "BD09"):
        rows = (systems == system) & ~shapely.is_missing(geoms)
        projected = rows & work.projected
        work.add("warning", projected, f"{work.column('coords')} {system} does not apply to projected X/Y; ignored")
        rows &= ~projected
        if rows.any():
            geoms[rows] = shapely.transform(geoms[rows], partial(_to_cgcs2000, system))


def _to_cgcs2000(system: str, xy: np.ndarray) -> np.ndarray:
    """An (n, 2) lon/lat array in `system` converted to CGCS2000."""
    lon, lat = coords.to_cgcs2000(xy[:, 0], xy[:, 1], system)
    return np.column_stack([np.asarray(lon, float), np.asarray(lat, float)])


# ---------------------------------------------------------------- locations


def _locate(work: _Work, file_geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Geometry per row (EPSG:4490, before datum shifts) and where it came from: wkt/lonlat/xy/file/''."""
    geoms = np.full(work.n, None, dtype=object)
    kind = np.full(work.n, "", dtype=object)
    for name, locator in (("wkt", _from_wkt), ("lonlat", _from_lonlat), ("xy", _from_xy), ("file", _from_file)):
        rows = _claims(work, name, file_geoms) & (kind == "")
        if rows.any():
            kind[rows] = name
            geoms[rows] = locator(work, rows, file_geoms)
    _no_location(work, kind == "")
    return geoms, kind


def _claims(work: _Work, name: str, file_geoms: np.ndarray) -> np.ndarray:
    """Rows that carry this kind of location at all (valid or not)."""
    if name == "wkt":
        return work.present("wkt")
    if name == "lonlat":
        return work.present("lon") | work.present("lat")
    if name == "xy":
        return work.present("x") | work.present("y")
    return ~shapely.is_missing(file_geoms) & ~shapely.is_empty(file_geoms)


def _no_location(work: _Work, rows: np.ndarray) -> None:
    """Error for rows without any location."""
    have = [work.column(k) for k in ("wkt", "lon", "lat", "x", "y") if k in work.column_map]
    where = f"{'/'.join(have)} are empty" if have else "the row has no geometry"
    work.add("error", rows, f"no location: {where}; fill 经度/纬度 in decimal degrees (e.g. 106.55, 29.56), "
                            "X/Y with --crs, or a WKT outline")


def _pair(work: _Work, rows: np.ndarray, first: str, second: str) -> np.ndarray:
    """Rows with both cells of a coordinate pair; an error on rows where only one is filled."""
    a, b = work.present(first), work.present(second)
    for filled, empty in ((first, second), (second, first)):
        half = rows & work.present(filled) & ~work.present(empty)
        if half.any():
            values = work.text[filled].to_numpy(object)[half]
            work.add("error", half, [f"{work.column(empty)} is empty while {work.column(filled)} is {_quote(v)}: "
                                     "fill both coordinates" for v in values])
    return rows & a & b


def _from_lonlat(work: _Work, rows: np.ndarray, _file=None) -> np.ndarray:
    """Points from longitude/latitude cells (decimal or DMS), via zoning.coords.parse_lonlat_columns."""
    both = _pair(work, rows, "lon", "lat")
    parsed = coords.parse_lonlat_columns(_cells(work, "lon", both), _cells(work, "lat", both))
    _record(work, both, parsed, f"{work.column('lon')}/{work.column('lat')}: ", SWAP_WARNING)
    return _points(work, both, parsed)[rows]


def _from_xy(work: _Work, rows: np.ndarray, _file=None) -> np.ndarray:
    """Points from projected X/Y cells via zoning.coords.xy_to_lonlat; without `crs`, degrees pass as lon/lat."""
    both = _pair(work, rows, "x", "y")
    names = f"{work.column('x')}/{work.column('y')}"
    degrees = np.zeros(work.n, bool)
    if work.crs is None and both.any():
        parsed = coords.parse_lonlat_columns(_cells(work, "x", both), _cells(work, "y", both))
        degrees[np.flatnonzero(both)[(parsed["error"] == "").to_numpy(bool)]] = True
        work.add("warning", degrees, f"{names} read as longitude/latitude degrees (no --crs given)")
    out = np.full(work.n, None, dtype=object)
    work.projected |= both & ~degrees
    readers = ((degrees, coords.parse_lonlat_columns, SWAP_WARNING),
               (both & ~degrees, partial(coords.xy_to_lonlat, crs=work.crs), None))  # its notes tell of swaps
    for part, reader, swap_message in readers:
        if part.any():
            parsed = reader(_cells(work, "x", part), _cells(work, "y", part))
            _record(work, part, parsed, f"{names}: ", swap_message)
            out[part] = _points(work, part, parsed)[part]
    return out[rows]


def _cells(work: _Work, ours: str, rows: np.ndarray) -> pd.Series:
    """The raw cells of our column on `rows`, on a 0..k-1 index (numbers stay numbers)."""
    return work.frame[work.column_map[ours]][rows].reset_index(drop=True)


def _record(work: _Work, rows: np.ndarray, parsed: pd.DataFrame, prefix: str, swap_message: str | None) -> None:
    """Errors, swap warnings and notes of a parsed coordinate frame onto `rows`."""
    positions = np.flatnonzero(rows)
    error = parsed["error"].fillna("").astype(str).to_numpy(object)
    lon, lat = parsed["lon"].to_numpy(float), parsed["lat"].to_numpy(float)
    error[(error == "") & ~(np.isfinite(lon) & np.isfinite(lat))] = "the coordinates cannot be read"
    bad = error != ""
    work.add("error", positions[bad], prefix + error[bad])
    if swap_message:
        work.add("warning", positions[parsed["swapped"].to_numpy(bool) & ~bad], swap_message)
    if "note" in parsed:
        note = parsed["note"].fillna("").astype(str).to_numpy(object)
        work.add("warning", positions[(note != "") & ~bad], note[(note != "") & ~bad])


def _points(work: _Work, rows: np.ndarray, parsed: pd.DataFrame) -> np.ndarray:
    """A length-n array with points from parsed lon/lat on `rows` (None where they could not be read)."""
    out = np.full(work.n, None, dtype=object)
    lon, lat = parsed["lon"].to_numpy(float), parsed["lat"].to_numpy(float)
    good = np.isfinite(lon) & np.isfinite(lat)
    out[np.flatnonzero(rows)[good]] = shapely.points(lon[good], lat[good])
    return out


def _from_wkt(work: _Work, rows: np.ndarray, _file=None) -> np.ndarray:
    """Geometries from WKT (or GeoJSON) text in EPSG:4490, or in `crs` when given."""
    texts = work.text["wkt"].to_numpy(object)[rows]
    positions = np.flatnonzero(rows)
    geoms = shapely.from_wkt(texts, on_invalid="ignore")
    for i in np.flatnonzero(shapely.is_missing(geoms)):
        geoms[i] = _geometry_or_error(work, positions[i], texts[i])
    geoms = shapely.force_2d(geoms)
    if work.crs is not None:
        return _wkt_in_crs(work, positions, geoms)
    return _degrees_or_error(work, positions, geoms)


def _wkt_in_crs(work: _Work, positions: np.ndarray, geoms: np.ndarray) -> np.ndarray:
    """WKT in `crs` reprojected; with a projected `crs`, rows that are plainly degrees stay as they are."""
    crs = work.crs
    degrees = ~_projected_looking(shapely.bounds(geoms)) & ~shapely.is_missing(geoms)
    if crs.is_geographic or not degrees.any():
        return _to_storage(geoms, crs)
    work.add("warning", positions[degrees],
             f"{work.column('wkt')} is in degrees; read as CGCS2000 lon/lat, not {crs.name}")
    out = geoms.copy()
    out[~degrees] = _to_storage(geoms[~degrees], crs)
    return out


def _projected_looking(bounds: np.ndarray) -> np.ndarray:
    """Rows whose bounds cannot be degrees (|x| > 180 or |y| > 90)."""
    with np.errstate(invalid="ignore"):
        return (np.abs(bounds[:, [0, 2]]) > 180).any(axis=1) | (np.abs(bounds[:, [1, 3]]) > 90).any(axis=1)


def _geometry_or_error(work: _Work, position: int, text: str):
    """One WKT/GeoJSON text that shapely could not read fast, via zoning.coords.parse_geometry."""
    try:
        return coords.parse_geometry(text)
    except CoordinateError as exc:
        work.add("error", [position], f"{work.column('wkt')}: {exc}")
        return None


def _degrees_or_error(work: _Work, positions: np.ndarray, geoms: np.ndarray) -> np.ndarray:
    """WKT without --crs must be lon/lat degrees: projected-looking rows fail, swapped ones are fixed."""
    bounds = shapely.bounds(geoms)
    with np.errstate(invalid="ignore"):
        swapped = ((bounds[:, 0] >= CHINA_BOUNDS[1]) & (bounds[:, 2] <= CHINA_BOUNDS[3])
                   & (bounds[:, 1] >= CHINA_BOUNDS[0]) & (bounds[:, 3] <= CHINA_BOUNDS[2]))
    projected = _projected_looking(bounds) & ~swapped
    for i in np.flatnonzero(projected):
        work.add("error", [positions[i]], f"{work.column('wkt')} coordinates look projected "
                 f"(x={bounds[i, 0]:.0f}, y={bounds[i, 1]:.0f}), not degrees: pass the CRS with crs=... (--crs), "
                 "e.g. EPSG:4545")
    geoms[projected] = None
    if swapped.any():
        geoms[swapped] = shapely.transform(geoms[swapped], lambda xy: xy[:, ::-1])
        work.add("warning", positions[swapped], SWAP_WARNING)
    return geoms


def _to_storage(geoms: np.ndarray, crs) -> np.ndarray:
    """Geometries reprojected from `crs` to EPSG:4490 (densified first, so polygon edges keep their course)."""
    return to_storage(gpd.GeoSeries(geoms, crs=crs)).to_numpy()


def _file_geometry(geometry, n: int) -> gpd.GeoSeries:
    """The file's own geometry as a GeoSeries on 0..n-1 (all None when there is none)."""
    if geometry is None:
        return gpd.GeoSeries([None] * n)
    if not isinstance(geometry, gpd.GeoSeries):
        geometry = gpd.GeoSeries(list(geometry), crs=STORAGE_CRS)
    return geometry.reset_index(drop=True)


def _from_file(work: _Work, rows: np.ndarray, file_geoms: gpd.GeoSeries) -> np.ndarray:
    """The file's geometry for `rows`, reprojected; a file without CRS must hold lon/lat in China."""
    selected = gpd.GeoSeries(shapely.force_2d(file_geoms.to_numpy()[rows]), crs=file_geoms.crs)
    if selected.crs is None and work.crs is not None:
        selected = selected.set_crs(work.crs)
    if selected.crs is None:
        return _assume_storage(work, np.flatnonzero(rows), selected.to_numpy())
    return to_storage(selected).to_numpy()


def _assume_storage(work: _Work, positions: np.ndarray, geoms: np.ndarray) -> np.ndarray:
    """Geometry of a file without CRS: kept as EPSG:4490 when it is lon/lat in China, else an error."""
    inside = _in_china(geoms)
    work.add("warning", positions[inside], "文件无坐标系，按 CGCS2000 经纬度读取 / file has no CRS; read as CGCS2000 lon/lat")
    work.add("error", positions[~inside], "the file has no CRS and its coordinates are not lon/lat in China: "
                                          "add the .prj file or pass crs=... (--crs)")
    geoms = geoms.copy()
    geoms[~inside] = None
    return geoms


def _in_china(geoms: np.ndarray) -> np.ndarray:
    """True where a geometry's bounds lie within the lon/lat box around China."""
    bounds = shapely.bounds(geoms)
    with np.errstate(invalid="ignore"):
        return ((bounds[:, 0] >= CHINA_BOUNDS[0]) & (bounds[:, 2] <= CHINA_BOUNDS[2])
                & (bounds[:, 1] >= CHINA_BOUNDS[1]) & (bounds[:, 3] <= CHINA_BOUNDS[3]))


def _check_geometries(work: _Work, geoms: np.ndarray) -> np.ndarray:
    """Repair invalid polygons (warning); empty or out-of-China geometries become errors."""
    polygonal = np.isin(shapely.get_type_id(geoms), (3, 6))
    fixed, repaired, reasons = repair(geoms[polygonal], keep="polygon")
    geoms = geoms.copy()
    geoms[polygonal] = fixed
    work.add("warning", np.flatnonzero(polygonal)[repaired],
             [f"几何无效（{r}），已用 make_valid 修复 / invalid polygon ({r}) repaired" for r in reasons[repaired]])
    present = ~shapely.is_missing(geoms) & (work.errors == "")
    empty = present & shapely.is_empty(geoms)
    work.add("error", empty, "the geometry is empty: give the site as a point (经度/纬度) or a polygon outline")
    located = present & ~empty
    outside = located & ~_in_china(geoms)
    for i in np.flatnonzero(outside):
        x, y = shapely.get_coordinates(geoms[i])[0]
        work.add("error", [i], f"location ({x:.6g}, {y:.6g}) is outside China (lon 73–136, lat 3–54): check the "
                               "numbers, the column order and the coordinate system")
    return geoms


# ---------------------------------------------------------------- attributes


def _attributes(work: _Work) -> dict[str, pd.Series]:
    """The non-spatial standard columns."""
    construction, construction_raw = _vocabulary(work, "construction", CONSTRUCTION_WORDS,
                                                 "expected 新建/扩建/改建/迁建 (new/expansion/renovation/relocation)")
    # an unknown word is kept as written (not blanked) so the rules see it and send the row to a person
    construction = construction.fillna(construction_raw)
    process, process_known = _process(work)
    return {
        "id": _ids(work),
        "name": _column_text(work, "name"),
        "sector_raw": _column_text(work, "sector"),
        "construction": construction,
        "construction_raw": construction_raw,
        "process": process,
        "process_known": process_known,
        "major": _major(work),
        "park_claim": _column_text(work, "park"),
    }


def _column_text(work: _Work, ours: str) -> pd.Series:
    """Our column as stripped text (<NA> when blank or absent)."""
    values = work.text.get(ours)
    return pd.Series(pd.NA, index=range(work.n), dtype=STRING) if values is None else values


def _ids(work: _Work) -> pd.Series:
    """Project ids, 'row 3' where the id is blank or missing; duplicates get a warning."""
    ids = _column_text(work, "id").copy()
    filled = ids.notna()
    duplicate = (ids.duplicated(keep=False) & filled).to_numpy(bool)
    if duplicate.any():
        work.add("warning", duplicate, [f"{work.column('id')} {_quote(v)} is used by more than one row / 编号重复"
                                        for v in ids[duplicate]])
    missing = np.flatnonzero(~filled.to_numpy(bool))
    ids.iloc[missing] = ("row " + pd.Series(missing + 1).astype(str)).to_numpy(object)
    return ids


def _word_key(word: str) -> str:
    """A cell reduced for vocabulary matching: NFKC, case-folded, no spaces/-/_, no trailing 项目."""
    key = re.sub(r"[\s\-_]+", "", unicodedata.normalize("NFKC", word).casefold())
    return re.sub(r"项目$", "", key)


def _translate(raw: pd.Series, words: dict) -> pd.Series:
    """Map cells through a {value: words} vocabulary, reducing each distinct cell once (unknown -> NaN)."""
    lookup = {_word_key(w): value for value, group in words.items() for w in group}
    table = {cell: lookup.get(_word_key(cell)) for cell in raw.dropna().unique()}
    return raw.map(table)


def _vocabulary(work: _Work, ours: str, words: dict, expected: str) -> tuple[pd.Series, pd.Series]:
    """(controlled word or <NA>, raw text) for a column; unknown words get a warning naming the value."""
    raw = _column_text(work, ours)
    mapped = _translate(raw, words).astype(STRING)
    unknown = (raw.notna() & mapped.isna()).to_numpy(bool)
    if unknown.any():
        work.add("warning", unknown, [f"{work.column(ours)} {_quote(v)} not recognised; {expected}"
                                      for v in raw[unknown]])
    return mapped, raw


def _process(work: _Work) -> tuple[pd.Series, pd.Series]:
    """(process word, known flag): unknown words kept lower-cased with a warning; <NA> when empty.

    The 工艺 cell wins; when it is empty, words in the project name set the process (known True) with a
    warning saying so, and words of two processes leave it <NA> with a warning naming them
    (rules/process_words.yaml, screening/process_words.py).
    """
    from .process_words import column_words, from_names, known_words, load_process_words

    processes = load_process_words()
    raw = _column_text(work, "process")
    mapped = _translate(raw, column_words(processes)).astype(STRING)
    known = mapped.notna().astype("boolean").mask(raw.isna())
    unknown = (raw.notna() & mapped.isna()).to_numpy(bool)
    if unknown.any():
        work.add("warning", unknown, [f"{work.column('process')} {_quote(v)} not recognised; kept as written "
                                      f"(known: {known_words(processes)})" for v in raw[unknown]])
    process = mapped.fillna(raw.str.lower())
    empty = raw.isna().to_numpy(bool)
    if empty.any() and "name" in work.column_map:
        named, notes = from_names(_column_text(work, "name"), processes)
        work.add("warning", empty & (notes != ""), notes[empty & (notes != "")])
        use = empty & named.notna().to_numpy(bool)
        process = process.mask(use, named)
        known = known.mask(use, True)
    return process, known


def _major(work: _Work) -> pd.Series:
    """National-major-project flag from 是/否, yes/no, true/false, 1/0, Y/N; blank or no column -> not flagged
    (False); other words -> <NA> + warning, so rules that need the flag send the row to review."""
    raw = _column_text(work, "major")
    major = _translate(raw, MAJOR_WORDS).astype("boolean").mask(raw.isna(), False)
    unknown = (raw.notna() & major.isna()).to_numpy(bool)
    if unknown.any():
        work.add("warning", unknown, [f"{work.column('major')} {_quote(v)} not recognised; expected 是/否 (yes/no)"
                                      for v in raw[unknown]])
    return major


def _prefixed_errors(work: _Work, ids: pd.Series) -> np.ndarray:
    """Errors prefixed with the row they belong to: 'row 7 (id P-007): ...'."""
    errors = work.errors.copy()
    has_id = work.present("id")
    for i in np.flatnonzero(errors != ""):
        label = f"row {i + 1} (id {ids.iat[i]})" if has_id[i] else f"row {i + 1}"
        errors[i] = f"{label}: {errors[i]}"
    return errors
