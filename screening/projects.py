"""Read project lists (CSV, XLSX, GeoJSON, GeoPackage, shapefile, zipped shapefile, KML) into standard columns.

Every input row comes out, in order. A row whose location cannot be used gets geometry None and an
`error` naming the row, the cell and the fix; problems that still leave a usable row go to `warnings`.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from itertools import islice, zip_longest
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyogrio
import pyproj
import shapely
from openpyxl.utils.cell import column_index_from_string, get_column_letter, range_boundaries

from zoning.archive import DEFAULT_MAX_BYTES, VECTOR_SUFFIXES, ArchiveError, safe_extract
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


def read_projects(path, crs=None, layer=None, encoding=None, coords=None, max_unzip_bytes=DEFAULT_MAX_BYTES,
                  header_row: int | None = None) -> ProjectList:
    """Read a project list file; `crs` is the CRS of X/Y and WKT columns, `layer` a sheet or layer name.

    `max_unzip_bytes` caps what a zipped input may expand to (default 1 GB; zoning.archive).
    `coords` (CGCS2000 | WGS84 | GCJ02 | BD09) is the system of lon/lat cells whose row has no 坐标系 value;
    when neither says, CGCS2000 is assumed, the rows say so (`coords_assumed`) and `notes` says it once.
    `header_row` (1-based line or sheet row of a CSV/XLSX) is where the column names are; rows above it are
    skipped. Without it the header is found among the first 20 rows (the row naming the most known columns).
    """
    path = Path(path)
    if not path.exists():
        raise ProjectFileError(f"{path}: file not found; check the path and the working directory")
    suffix = path.suffix.lower()
    generic = ()
    if suffix in TABLE_SUFFIXES:
        raw = _as_raw(_read_csv(path, encoding, header_row))
    elif suffix in EXCEL_SUFFIXES:
        raw = _as_raw(_read_xlsx(path, layer, header_row))
    elif suffix in SPATIAL_SUFFIXES:
        raw = _as_raw(_read_spatial(path, layer, encoding, max_unzip_bytes))
        generic = KML_STANDARD_FIELDS if suffix in (".kml", ".kmz") else ()
        if header_row is not None:
            raw.notes.append("--header-row 只用于 CSV/XLSX，已忽略 / --header-row applies to CSV and XLSX only; ignored")
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


#: Rows (CSV lines, sheet rows) searched for the header when --header-row is not given.
HEADER_SEARCH_ROWS = 20
DELIMITERS = (",", "\t", ";")


def _decode_text(data: bytes, encoding: str | None = None) -> str:
    """Bytes of a text table as str: the given encoding; else UTF-16/32 by BOM (Excel's "Unicode text"), UTF-16
    without BOM when NUL bytes show it, strict UTF-8 (BOM allowed), else GB18030. A leading BOM is dropped."""
    if encoding:
        text = data.decode(encoding)
    elif data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        text = data.decode("utf-32")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
    elif (wide := _utf16_without_bom(data)) is not None:
        text = data.decode(wide)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("gb18030")
    return text[1:] if text.startswith("\ufeff") else text


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when the start of the file is plainly UTF-16 text without a BOM (NUL bytes in
    every other position, which UTF-8 and GBK tables never hold), else None."""
    head = data[:4096]
    if len(head) < 4 or b"\x00" not in head:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if odd > len(head) // 4 and even == 0:
        return "utf-16-le"
    if even > len(head) // 4 and odd == 0:
        return "utf-16-be"
    return None


# CSV rows as the user sees them: one physical line is one row, except that a field beginning with a quote may
# run over several lines until its closing quote (multi-line cells as Excel writes them). The quoting rules are
# the lenient ones of pandas' and Python's CSV parsers: a quote inside an unquoted field is an ordinary
# character, text after a closing quote is appended to the field, "" inside quotes is one quote.
# Every line is classified with vectorised regular expressions (pyarrow, RE2); only lines that leave a quote
# open are looked at one by one.


@dataclass
class _CsvLines:
    """The physical lines of a CSV text and, per line, how the lenient CSV tokenizer sees it on its own."""

    lines: np.ndarray  # object array of str, without line ends
    raw: np.ndarray  # the same lines as written (a CR before the LF kept: it belongs to a quoted cell's text)
    delimiter: str
    blank: np.ndarray  # whitespace only
    complete: np.ndarray  # tokenizes with every quoted field closed on the line
    fields: np.ndarray  # number of fields of a complete line
    through: np.ndarray  # no structural quote: inside an open quoted field the field stays open
    closes: np.ndarray  # inside an open quoted field: closes it and ends complete

    @classmethod
    def of(cls, lines: np.ndarray, raw: np.ndarray, delimiter: str) -> _CsvLines:
        """Classify every line (vectorised: one pass of each pattern over the lines that hold a quote)."""
        text = pa.array(lines, type=pa.large_string())
        d = re.escape(delimiter)
        field_ = f'(?:"(?:[^"]|"")*"(?:[^{d}"][^{d}]*)?|[^"{d}][^{d}]*|)'
        quotes = pc.count_substring(text, '"').to_numpy(zero_copy_only=False)
        fields = pc.count_substring(text, delimiter).to_numpy(zero_copy_only=False) + 1
        blank = pc.equal(pc.utf8_trim_whitespace(text), "").to_numpy(zero_copy_only=False)
        complete, through, closes = np.ones(len(lines), bool), np.ones(len(lines), bool), np.zeros(len(lines), bool)
        quoted = np.flatnonzero(quotes > 0)
        if len(quoted):
            part = text.take(pa.array(quoted))

            def matches(pattern):
                return pc.match_substring_regex(part, pattern).to_numpy(zero_copy_only=False)

            complete[quoted] = matches(f"^{field_}(?:{d}{field_})*$")
            # a complete line's fields with their text removed leave only the delimiters between them
            bare = pc.replace_substring_regex(part, f'"(?:[^"]|"")*"(?:[^{d}"][^{d}]*)?|[^"{d}][^{d}]*', "")
            fields[quoted] = pc.utf8_length(bare).to_numpy(zero_copy_only=False) + 1
            if not (complete | blank).all():  # some quote stays open: how lines continue a quoted cell
                through[quoted] = matches('^(?:[^"]|"")*$')
                closes[quoted] = matches(f'^(?:[^"]|"")*"(?:[^{d}"][^{d}]*)?(?:{d}{field_})*$')
        return cls(lines, raw, delimiter, blank, complete, fields.astype(np.int64), through, closes)

    def text(self, i: int, j: int) -> str:
        """The record of lines i..j as written (line ends inside it as in the file, none at its end)."""
        return self.lines[i] if j == i else "\n".join([*self.raw[i:j], self.lines[j]])

    def closing_line(self, start: int, stops: np.ndarray) -> int | None:
        """The line that closes the quoted field left open at the end of line `start` (None: never closed).
        `stops` are the sorted indices of the lines that are not `through`."""
        k = np.searchsorted(stops, start + 1)
        while k < len(stops):
            j = int(stops[k])
            if self.closes[j]:
                return j
            k += 1  # the line closes the field and opens another one at its end: go on
        return None


def _split_line(text: str, delimiter: str) -> list[str]:
    """One record's fields by Python's CSV parser (lenient, an open quote runs to the end of the text)."""
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:  # a lone CR in an unquoted cell
        return text.split(delimiter)
    return [cell for row in rows for cell in row] if len(rows) != 1 else rows[0]


def _physical_lines(text: str) -> tuple[np.ndarray, np.ndarray]:
    """The lines of a text ending in LF or CRLF (CR alone in a file without LF) as object arrays: without their
    line ends, and as written (CR kept: a CR inside a quoted cell is the cell's text); no last empty line."""
    if "\n" not in text and "\r" in text:
        text = text.replace("\r", "\n")
    raw, lines = text.split("\n"), text.replace("\r\n", "\n").split("\n")
    if lines[-1] == "":
        raw.pop(), lines.pop()
    return np.array(lines, dtype=object), np.array(raw, dtype=object)


def _header_line(table: _CsvLines, stops: np.ndarray) -> int:
    """The index of the header among the first HEADER_SEARCH_ROWS records: the one with the most cells that are
    known column names (the first such record; the first non-blank line when none names any). A record is one
    line, or several when a quoted cell (a header like "经度\n(度)") runs over lines."""
    starts, scores, i = [], [], 0
    while i < len(table.lines) and len(starts) < HEADER_SEARCH_ROWS:
        if table.blank[i]:
            i += 1
            continue
        end = i if table.complete[i] else table.closing_line(i, stops)
        end = i if end is None else end
        starts.append(i)
        scores.append(_header_score(_split_line(table.text(i, end), table.delimiter)))
        i = end + 1
    best = int(np.argmax(scores))
    return starts[best if scores[best] > 0 else 0]


def _header_score(cells) -> int:
    """How many of our columns a row of cells would name if it were the header."""
    return len(resolve_columns([c for c in cells if c is not None and str(c).strip()]))


def _header_note(header: int, skipped: bool, given: bool, unit: str) -> list[str]:
    """The note for a header below the top of the file (`unit` 'row' or 'line'; `skipped`: non-blank rows above
    it were passed over; `given`: it came from --header-row)."""
    where = f"header on {unit} {header}" + (" (--header-row)" if given else "")
    zh = f"表头在第 {header} 行" + ("（--header-row）" if given else "")
    if skipped:
        above = "1" if header == 2 else f"1–{header - 1}"
        return [f"跳过标题行 {above}，{zh} / skipped title {unit}{'s' if header > 2 else ''} {above}; {where}"]
    return [f"{zh} / {where}"] if given else []


def _read_csv(path: Path, encoding: str | None, header_row: int | None = None) -> RawTable:
    """A CSV/TSV file with every cell as text ('' for empty cells), one row per record as the user sees it.

    A malformed line (a quote never closed, too many or too few fields) becomes a row with an error naming the
    line and the problem; it keeps the cells that are certainly right: the fields before an unclosed quote, or
    the first field (usually the id) of a line with the wrong number of fields. The file is refused whole only
    when it has rows and none of them can be read.
    """
    try:
        text = _decode_text(path.read_bytes(), encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise ProjectFileError(f"{path}: cannot decode the file as {encoding or 'UTF-8, UTF-16 or GBK'}: {exc}; "
                               "save it as UTF-8 or GBK, or pass the right encoding") from exc
    if not text.strip():
        raise ProjectFileError(f"{path}: the file is empty; it needs a header row and one row per project")
    lines, raw = _physical_lines(text)
    if header_row is not None:
        if not 1 <= header_row <= len(lines) or not lines[header_row - 1].strip():
            where = "为空 / is blank" if 1 <= header_row <= len(lines) else \
                f"不存在 / is not in the file ({len(lines)} lines)"
            raise ProjectFileError(f"{path}: --header-row {header_row}: 第 {header_row} 行{where.split(' / ')[0]} / "
                                   f"line {header_row} {where.split(' / ')[1]}; give the line of the column names")
        delimiter = _delimiter(lines[header_row - 1])
    else:
        delimiter = _delimiter(text)
    table = _CsvLines.of(lines, raw, delimiter)
    first = int(np.argmax(~table.blank))
    stops = np.flatnonzero(~table.through)
    header = header_row - 1 if header_row is not None else _header_line(table, stops)
    header_end = header if table.complete[header] else table.closing_line(header, stops)
    if header_end is None:
        raise ProjectFileError(f"{path}: 第 {header + 1} 行（表头）引号不成对 / line {header + 1} (the header): "
                               "unbalanced quote; close the quote in the column names and save again")
    head = table.text(header, header_end)
    records = _csv_records(path, table, header_end + 1, head, stops)
    records.notes[:0] = _header_note(header + 1, header > first, header_row is not None, "line")
    return records


def _csv_records(path: Path, table: _CsvLines, start: int, head: str, stops: np.ndarray) -> RawTable:
    """The records from line index `start` on (below the header text `head`): good ones parsed by pandas,
    malformed ones as error rows."""
    names = _split_line(head, table.delimiter)
    width = len(names)
    needed = max(len(names) - next((k for k, n in enumerate(reversed(names)) if n.strip()), 0), 1)
    lines, m = table.lines, len(table.lines)
    begins = ~table.blank & (np.arange(m) >= start)  # lines that start a record
    problem = np.full(m, "", dtype=object)  # unbalanced / many / few
    fields = table.fields.copy()
    member = np.zeros(m, bool)  # continuation lines of accepted multi-line records
    texts = lines.copy()
    for i in np.flatnonzero(begins & ~table.complete):  # lines that leave a quote open (few)
        if member[i]:
            continue
        j = table.closing_line(i, stops)
        cells = None if j is None else _split_line(table.text(i, j), table.delimiter)
        if cells is None or not (needed <= len(cells) <= width or _blank_beyond(cells, width)) \
                or _stray_quote(table, i, j, needed, width):
            problem[i] = "unbalanced"
            continue
        member[i + 1:j + 1] = True
        fields[i] = len(cells)
        texts[i:j] = table.raw[i:j]
        if len(cells) > width:  # only empty fields beyond the header: dropped
            texts[i], fields[i] = _csv_line(cells[:width], table.delimiter), width
            member[i + 1:j + 1] = False
            texts[i + 1:j + 1] = None
    begins &= ~member & (texts != None)  # noqa: E711 (elementwise)
    counted = begins & (problem == "")
    many = counted & (fields > width)
    for i in np.flatnonzero(many):  # extra fields that are all empty are dropped, not an error
        cells = _split_line(lines[i], table.delimiter)
        if _blank_beyond(cells, width):
            texts[i], many[i] = _csv_line(cells[:width], table.delimiter), False
    problem[many] = "many"
    problem[counted & (fields < needed)] = "few"
    records = np.flatnonzero(begins)
    bad = problem[records] != ""
    good = records[~bad]
    if len(records) and not len(good):
        raise ProjectFileError(_nothing_readable(path, table, records, problem, width))
    block = "\n".join([head, *texts[np.sort(np.concatenate([good, np.flatnonzero(member)]))]])
    frame = _parse_records(block, table.delimiter, len(good))
    frame.index = np.flatnonzero(~bad)
    frame = frame.reindex(range(len(records)), fill_value="")
    errors = np.full(len(records), "", dtype=object)
    for position, i in zip(np.flatnonzero(bad), records[bad]):  # malformed lines only
        errors[position] = _line_problem(i + 1, problem[i], lines[i], fields[i], width, table.delimiter)
        for k, cell in enumerate(_salvaged(lines[i], problem[i], table.delimiter)[:frame.shape[1]]):
            frame.iat[position, k] = cell
    notes = []
    if bad.any():
        numbers = "、".join(str(i + 1) for i in records[bad][:10]) + ("…" if bad.sum() > 10 else "")
        notes.append(f"{int(bad.sum())} 行格式有误，已标为无效（第 {numbers} 行）/ {int(bad.sum())} malformed "
                     f"line{'s' if bad.sum() > 1 else ''} marked invalid (line{'s' if bad.sum() > 1 else ''} "
                     f"{numbers.replace('、', ', ')})")
    return RawTable(frame=frame, row_errors=errors, notes=notes)


def _stray_quote(table: _CsvLines, i: int, j: int, needed: int, width: int) -> bool:
    """True when a quote opened on line i and closed on line j is more likely a typo than a multi-line cell: line
    i is a whole row by itself (its delimiters, the quote taken as text, give the header's field count) and so is
    the closing line or a line between (a real multi-line cell continues its row, it does not hold new rows)."""
    if not needed <= table.lines[i].count(table.delimiter) + 1 <= width:
        return False
    later = np.arange(i + 1, j + 1)
    return bool((table.complete[later] & (table.fields[later] >= needed) & (table.fields[later] <= width)).any())


def _blank_beyond(cells: list[str], width: int) -> bool:
    """True when a record has more fields than the header and all the extra ones are empty."""
    return len(cells) > width and not any(c.strip() for c in cells[width:])


def _csv_line(cells, delimiter: str) -> str:
    """Cells as one CSV record (quoted where needed; may hold newlines inside quotes)."""
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="").writerow(cells)
    return out.getvalue()


def _parse_records(block: str, delimiter: str, expected: int, engine: str = "pandas") -> pd.DataFrame:
    """Header and well-formed records as a text frame (pandas' C parser; Python's csv module should pandas
    ever see a different number of records than the line classification did)."""
    if engine == "pandas":
        frame = pd.read_csv(io.StringIO(block), sep=delimiter, dtype=str, keep_default_na=False, na_filter=False,
                            skip_blank_lines=True, quotechar='"', doublequote=True, index_col=False,
                            lineterminator="\n")
        if len(frame) == expected:
            return frame.reset_index(drop=True)
    rows = [row for row in csv.reader(io.StringIO(block, newline=""), delimiter=delimiter) if any(row)]
    header, body = rows[0], rows[1:]
    columns = pd.io.common.dedup_names(
        [h if h.strip() else f"Unnamed: {k}" for k, h in enumerate(header)], is_potential_multiindex=False)
    width = len(columns)
    return pd.DataFrame([(row + [""] * width)[:width] for row in body], columns=columns, dtype=object)


def _salvaged(line: str, problem: str, delimiter: str) -> list[str]:
    """The cells of a malformed line that are certainly right: those before the field whose quote is never
    closed, or the first field (the id in the usual layout) of a line with the wrong number of fields."""
    cells = _split_line(line, delimiter)
    return cells[:-1] if problem == "unbalanced" else cells[:1]


_DELIMITER_NAMES = {",": "逗号 comma", "\t": "制表符 tab", ";": "分号 semicolon"}


def _line_problem(number: int, problem: str, line: str, fields: int, width: int, delimiter: str) -> str:
    """The error of a malformed CSV line: the line number, what is wrong, the line's text and the fix."""
    shown = _quote(line)
    if problem == "unbalanced":
        return (f"第 {number} 行：引号不成对 / line {number}: unbalanced quote — a cell opens a quote (\") that is "
                f"never closed: {shown}; close the quote or remove it, then save again")
    name = _DELIMITER_NAMES.get(delimiter, repr(delimiter))
    if problem == "many":
        return (f"第 {number} 行：有 {fields} 个字段，表头只有 {width} 个 / line {number}: {fields} fields but the "
                f"header has {width}: {shown}; quote cells that contain the delimiter ({name}) or remove the extra "
                "cells")
    return (f"第 {number} 行：只有 {fields} 个字段，表头有 {width} 个 / line {number}: only {fields} fields but the "
            f"header has {width}: {shown}; add the missing cells (empty ones too) so the columns line up")


def _nothing_readable(path: Path, table: _CsvLines, records: np.ndarray, problem: np.ndarray, width: int) -> str:
    """The message for a CSV none of whose rows can be read."""
    first = records[0]
    example = _line_problem(first + 1, problem[first], table.lines[first], table.fields[first], width,
                            table.delimiter)
    name = _DELIMITER_NAMES.get(table.delimiter, repr(table.delimiter))
    return (f"{path}: 没有一行能读取 / no row can be read: all {len(records)} lines below the header are malformed "
            f"(e.g. {example}); the header has {width} fields separated by {name}: check the delimiter and the "
            "quoting, or save the sheet again as CSV from Excel/WPS")


def _delimiter(text: str) -> str:
    """The most frequent of comma, tab and semicolon in the header line: the first non-blank line holding any of
    them (a title line without delimiters above the header is passed over)."""
    lines = [line for line in text.lstrip().split("\n", HEADER_SEARCH_ROWS)[:HEADER_SEARCH_ROWS] if line.strip()]
    header = next((line for line in lines if any(d in line for d in DELIMITERS)), lines[0] if lines else "")
    return max(DELIMITERS, key=header.count)


def _read_xlsx(path: Path, sheet: str | None, header_row: int | None = None) -> RawTable:
    """One sheet of a workbook with every cell as text: `sheet` when given (hidden ones too), else the first
    visible sheet whose header has location columns. See _read_sheet for header rows, merged cells, numbers and
    formulas."""
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises zipfile/KeyError/InvalidFileException for broken files
        raise ProjectFileError(f"{path}: not a readable .xlsx workbook ({exc}); re-save it from Excel/WPS") from exc
    try:
        return _read_book(path, book, sheet, header_row)
    finally:
        book.close()


_SHEET_STATES = {"hidden": ("隐藏", "hidden"), "veryHidden": ("深度隐藏", "very hidden")}


def _sheet_list(sheets) -> str:
    """Sheet names for a message, hidden ones marked."""
    return ", ".join(ws.title + (f" ({_SHEET_STATES[ws.sheet_state][1]})" if ws.sheet_state in _SHEET_STATES
                                 else "") for ws in sheets)


def _read_book(path: Path, book, sheet: str | None, header_row: int | None) -> RawTable:
    """The sheet to read (named, or the first visible one with location columns) read by _read_sheet."""
    sheets = book.worksheets
    if not sheets:
        raise ProjectFileError(f"{path}: the workbook has no sheets; put the project table on a sheet")
    if sheet is not None:
        if sheet not in book.sheetnames:
            raise ProjectFileError(f"{path}: no sheet '{sheet}'; sheets are {_sheet_list(sheets)}")
        ws = book[sheet]
        if ws not in sheets:
            raise ProjectFileError(f"{path}: sheet '{sheet}' is a chart, not a table; sheets with tables are "
                                   f"{_sheet_list(sheets)}")
        notes = []
        if ws.sheet_state in _SHEET_STATES:
            zh, en = _SHEET_STATES[ws.sheet_state]
            notes.append(f"按 --layer 读取{zh}工作表「{sheet}」/ read the {en} sheet '{sheet}' as asked (--layer)")
        return _read_sheet(path, book, ws, header_row, notes)
    passed = []  # (title, why in Chinese, why in English, what the error message says)
    for ws in sheets:
        if ws.sheet_state in _SHEET_STATES:
            zh, en = _SHEET_STATES[ws.sheet_state]
            passed.append((ws.title, zh, en, f"'{ws.title}' ({zh} {en}, not read)"))
            continue
        ws.reset_dimensions()
        head = list(islice(ws.iter_rows(values_only=True), max(HEADER_SEARCH_ROWS, header_row or 0)))
        header = _sheet_header(head, header_row)
        names = _header_names(head[header]) if header is not None and header < len(head) else []
        if _has_location(names):
            notes = []
            if len(sheets) > 1:
                why = "，".join(f"「{title}」{zh}" for title, zh, _, _ in passed)
                why_en = ", ".join(f"'{title}' {en}" for title, _, en, _ in passed)
                notes.append(f"读取工作表「{ws.title}」" + (f"（跳过 {why}）" if passed else "")
                             + f" / read sheet '{ws.title}'" + (f" (skipped {why_en})" if passed else ""))
            return _read_sheet(path, book, ws, header_row, notes)
        shown = ", ".join(n for n in names if not n.startswith("Unnamed: "))[:120] or "empty"
        passed.append((ws.title, "无位置列", "no location columns", f"'{ws.title}' (columns: {shown})"))
    if len(sheets) == 1:  # a single sheet: the usual message says which location columns are missing
        return _read_sheet(path, book, sheets[0], header_row, [])
    tried = "; ".join(text for *_, text in passed)
    raise ProjectFileError(
        f"{path}: 没有含位置列的可见工作表 / no visible sheet has location columns (经度/纬度, X坐标/Y坐标 or a 范围 "
        f"WKT column); sheets tried: {tried}; name the sheet to read with --layer <sheet>")


def _has_location(columns) -> bool:
    """True when a header names columns that can locate a project (lon/lat, x/y or wkt)."""
    try:
        _require_location(resolve_columns(columns), None, "", columns)
    except ProjectFileError:
        return False
    return True


def _sheet_header(rows: list, header_row: int | None) -> int | None:
    """The 0-based index of the header row: `header_row` - 1 when given, else among the first
    HEADER_SEARCH_ROWS rows the one with the most cells naming known columns (the first non-blank row when no
    row names any); None for an empty sheet."""
    if header_row is not None:
        return header_row - 1
    scores = [_header_score(_excel_text(np.array(row, dtype=object))[0]) if row else -1
              for row in rows[:HEADER_SEARCH_ROWS]]
    filled = [i for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]) if any(v is not None and v != "" for v in row)]
    if not filled:
        return None
    best = int(np.argmax(scores))
    return best if scores[best] > 0 else filled[0]


def _header_names(cells) -> list[str]:
    """Column names from a header row's cells: as text, 'Unnamed: k' for empty ones, repeats as 'name.1'."""
    texts = _excel_text(np.array(list(cells), dtype=object))[0] if len(cells) else []
    names, seen = [], set()
    for k, text in enumerate(texts):
        base = text if str(text).strip() else f"Unnamed: {k}"
        name, count = base, 0
        while name in seen:
            count += 1
            name = f"{base}.{count}"
        seen.add(name)
        names.append(name)
    return names


def _read_sheet(path: Path, book, ws, header_row: int | None, notes: list[str]) -> RawTable:
    """A sheet as text cells below its header row, as offices make them.

    Rows above the header (titles, merged title cells) are skipped with a note; blank rows are skipped; merged
    cells in the data are filled from their top-left cell with a warning on each row of the range; numbers are
    read by type (sector codes zero-padded to four digits, floats in full precision without '.0', dates as ISO
    text); a formula without a cached value makes its row invalid, naming the cell.
    """
    ws.reset_dimensions()
    rows = list(ws.iter_rows(values_only=True))
    header = _sheet_header(rows, header_row)
    if header is None:
        raise ProjectFileError(f"{path}: sheet '{ws.title}' is empty; it needs a header row and one row per project")
    if header >= len(rows):
        raise ProjectFileError(f"{path}: --header-row {header_row}: 工作表「{ws.title}」没有第 {header_row} 行 / "
                               f"sheet '{ws.title}' has only {len(rows)} rows; give the row of the column names")
    first = next((i for i, row in enumerate(rows) if any(v is not None and v != "" for v in row)), header)
    notes = notes + _header_note(header + 1, header > first, header_row is not None, "row")
    names = _header_names(rows[header])
    body = rows[header + 1:]
    columns = [np.array(c, dtype=object) for c in zip_longest(*body, fillvalue=None)] if body else []
    width = max(len(names), len(columns))
    names += [f"Unnamed: {k}" for k in range(len(names), width)]
    columns += [np.full(len(body), None, dtype=object) for _ in range(len(columns), width)]
    while width and names[width - 1].startswith("Unnamed: ") and np.equal(columns[width - 1], None).all():
        width -= 1  # empty trailing columns
    names, columns, n = names[:width], columns[:width], len(body)
    own = np.zeros(n, bool)
    for values in columns:
        own |= ~(np.equal(values, None) | np.equal(values, ""))
    errors, warnings = np.full(n, "", dtype=object), np.full(n, "", dtype=object)
    xml = book._archive.read(ws._worksheet_path)
    if _FORMULA_HINT.search(xml):
        formulas = _uncached_formulas(path, ws.title, header, columns, xml)
        for (i, k) in formulas:
            cell = f"{get_column_letter(k + 1)}{header + 2 + i}"
            _append(errors, slice(i, i + 1), f"单元格 {cell} 是公式但没有计算结果 / cell {cell} is a formula "
                                             "without a cached value; open and save the file in Excel/WPS")
            own[i] = True
        if formulas:
            notes.append(f"{len(formulas)} 个公式单元格没有计算结果，所在行无效 / {len(formulas)} formula cell"
                         f"{'s' if len(formulas) > 1 else ''} without a cached value; their rows are invalid")
    filled = _fill_merged(xml, columns, header, n, warnings)
    if filled:
        notes.append(f"{filled} 处合并单元格已按首格填充 / {filled} merged range{'s' if filled > 1 else ''} in "
                     "the data filled from their first cell")
    sector = resolve_columns(names).get("sector")
    frame, padded = {}, 0
    for name, values in zip(names, columns):
        frame[name], count = _excel_text(values[own], sector=name == sector)
        padded += count
    if padded:
        notes.append(f"{padded} 个数字行业代码已补零为四位（如 810 → 0810）/ {padded} numeric sector cell"
                     f"{'s' if padded > 1 else ''} zero-padded to four digits (e.g. 810 → 0810)")
    table = pd.DataFrame(frame, index=range(int(own.sum())), columns=names, dtype=object).astype(str)
    return RawTable(frame=table, row_errors=errors[own], row_warnings=warnings[own], notes=notes, sheet=ws.title)


def _append(texts: np.ndarray, rows, message: str) -> None:
    """Append a message to the texts of `rows` (a slice or mask), '; ' between messages."""
    current = texts[rows]
    texts[rows] = np.where(current == "", message, current + "; " + message)


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Za-z]{1,3}[0-9]+(?::[A-Za-z]{1,3}[0-9]+)?)"')
# formula cells: <c r=".." t=".."><f>..</f><v>cached value</v></c> (the <f> may be empty, e.g. shared formulas)
_FORMULA_HINT = re.compile(rb"</(?:\w+:)?f>|<(?:\w+:)?f\b[^>]*/>")
_FORMULA_CELL = re.compile(rb'<(?:\w+:)?c\b([^>]*)>\s*<(?:\w+:)?f\b(?:[^>]*/>|[^>]*>[^<]*</(?:\w+:)?f>)\s*'
                           rb'(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v\b[^>]*>([^<]*)</(?:\w+:)?v>)?')
_CELL_REF = re.compile(rb'\br="([A-Za-z]{1,3})([0-9]+)"')
_CELL_TYPE = re.compile(rb'\bt="(\w+)"')


def _fill_merged(xml: bytes, columns: list[np.ndarray], header: int, n: int, warnings: np.ndarray) -> int:
    """Fill merged ranges below the header from their top-left value (the sheet XML's <mergeCells>, which the
    read-only reader skips), warning each row of the range; returns the number of ranges filled."""
    end = xml.rfind(b"sheetData>")
    filled = 0
    for match in _MERGE.finditer(xml, max(end, 0)):
        ref = match.group(1).decode()
        c0, r0, c1, r1 = range_boundaries(ref)
        top, last = r0 - header - 2, min(r1 - header - 2, n - 1)  # body row indices
        if top < 0 or top >= n or c0 > len(columns):
            continue  # titles/header, or outside the table
        value = columns[c0 - 1][top]
        if value is None:
            continue
        for k in range(c0 - 1, min(c1, len(columns))):
            columns[k][top:last + 1] = value
        first = f"{get_column_letter(c0)}{r0}"
        _append(warnings, slice(top, last + 1), f"合并单元格 {ref} 已按首格填充 / merged cells {ref} filled from "
                                                f"{first}")
        filled += 1
    return filled


def _uncached_formulas(path: Path, title: str, header: int, columns: list[np.ndarray], xml: bytes
                       ) -> list[tuple[int, int]]:
    """(body row, column) of the formula cells below the header that have no cached value, from the sheet XML:
    no <v>, or an empty one on a cell that is not a text result (t="str" with an empty <v> is a cached '').
    Cells written without their r="E5" position are found by a second read of the sheet with formulas."""
    found, unplaced = [], False
    for match in _FORMULA_CELL.finditer(xml):
        value = match.group(2)
        kind = _CELL_TYPE.search(match.group(1))
        if value or (value is not None and kind is not None and kind.group(1) == b"str"):
            continue
        ref = _CELL_REF.search(match.group(1))
        if ref is None:
            unplaced = True
            break
        row, column = int(ref.group(2)) - header - 2, column_index_from_string(ref.group(1).decode()) - 1
        if 0 <= row < (len(columns[0]) if columns else 0) and column < len(columns):
            found.append((row, column))
    return sorted(set(found)) if not unplaced else _formula_view(path, title, header, columns)


def _formula_view(path: Path, title: str, header: int, columns: list[np.ndarray]) -> list[tuple[int, int]]:
    """(body row, column) of cells that are formulas in the formula view and empty in the value view."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=False, keep_links=False)
    try:
        ws = book[title]
        ws.reset_dimensions()
        rows = list(ws.iter_rows(values_only=True))[header + 1:]
    finally:
        book.close()
    found = []
    for k, formulas in enumerate(zip_longest(*rows, fillvalue=None)):
        if k >= len(columns):
            break
        formula = _IS_FORMULA(np.array(formulas, dtype=object)).astype(bool) & np.equal(columns[k], None)
        found += [(int(i), k) for i in np.flatnonzero(formula)]
    return sorted(found)


def _is_formula(value) -> bool:
    """A cell value of the formula view that is a formula."""
    return (isinstance(value, str) and value.startswith("=")) or type(value).__name__ in ("ArrayFormula",
                                                                                           "DataTableFormula")


_IS_FORMULA = np.frompyfunc(_is_formula, 1, 1)
_TYPE_OF = np.frompyfunc(type, 1, 1)


def _excel_text(values: np.ndarray, sector: bool = False) -> tuple[np.ndarray, int]:
    """Typed cell values as text, one conversion per type (vectorised): str as is, None '', numbers without
    '.0' and in full precision (no exponent), booleans TRUE/FALSE, dates ISO. In the sector column integral
    numbers are zero-padded to four digits (Excel drops the leading 0 of 0810); returns the count padded."""
    out = np.full(len(values), "", dtype=object)
    if not len(values):
        return out, 0
    kinds = _TYPE_OF(values)
    padded = 0
    for kind in set(kinds):
        rows = kinds == kind
        part = values[rows]
        if kind is str:
            out[rows] = part
            continue
        if kind is type(None):
            continue
        if kind is bool or kind is np.bool_:
            text = np.where(part.astype(bool), "TRUE", "FALSE").astype(object)
        elif issubclass(kind, (int, np.integer)):
            text = np.array(list(map(str, part)), dtype=object)
        elif issubclass(kind, (float, np.floating)):
            text = _float_text(part.astype(float))
        elif issubclass(kind, (dt.datetime, dt.date, dt.time)):
            text = np.array(list(map(_iso, part)), dtype=object)
        else:
            text = np.array(list(map(str, part)), dtype=object)
        if sector and kind is not bool and issubclass(kind, (int, float, np.integer, np.floating)):
            codes = pa.array(text, type=pa.string())
            short = pc.match_substring_regex(codes, "^[0-9]{1,3}$").to_numpy(zero_copy_only=False)
            text = np.where(short, pc.utf8_lpad(codes, 4, "0").to_numpy(zero_copy_only=False), text)
            padded += int(short.sum())
        out[rows] = text
    return out, padded


def _float_text(floats: np.ndarray) -> np.ndarray:
    """Floats as the shortest text that reads back the same (pyarrow), integral ones without '.0', never with
    an exponent."""
    text = pc.cast(pa.array(floats, type=pa.float64()), pa.string())
    out = text.to_numpy(zero_copy_only=False).astype(object)
    odd = pc.or_(pc.match_substring(text, "e"), pc.equal(text, "-0")).to_numpy(zero_copy_only=False)
    for i in np.flatnonzero(odd):  # |x| >= 1e16 or tiny: rare
        v = float(floats[i])
        out[i] = str(int(v)) if v.is_integer() else np.format_float_positional(v, unique=True, trim="-")
    return out


def _iso(value) -> str:
    """A date, time or datetime cell as ISO text (a datetime at midnight as the date alone)."""
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    return value.isoformat()


def _read_spatial(path: Path, layer: str | None, encoding: str | None,
                  max_bytes: int = DEFAULT_MAX_BYTES) -> RawTable:
    """Attributes (as text) and geometry of a vector file; a .zip is extracted safely into a private folder
    (zoning.archive: members escaping the folder, links and nested archives skipped with a note; total
    expansion capped at `max_bytes`)."""
    if path.suffix.lower() != ".zip":
        frame, geometry = _read_vector(path, path, layer, encoding)
        return RawTable(frame=frame, geometry=geometry)
    try:
        with safe_extract(path, max_bytes=max_bytes, suffixes=VECTOR_SUFFIXES) as extracted:
            member = _zip_member(path, extracted, layer)
            frame, geometry = _read_vector(path, member, None, encoding)  # in a zip, `layer` chose the member
            notes = list(extracted.warnings)
    except ArchiveError as exc:
        raise ProjectFileError(str(exc)) from exc
    return RawTable(frame=frame, geometry=geometry, notes=notes)


def _read_vector(path: Path, source: Path, layer: str | None, encoding: str | None):
    """(attributes as text, geometry) of one vector file; several KML folders are read together."""
    kwargs = {"encoding": encoding or _shp_encoding(source)}
    try:
        with _kml_field_names_kept():
            layers = [layer] if layer is not None else _layer_names(path, str(source), source.suffix.lower())
            parts = [pyogrio.read_dataframe(str(source), layer=name, **kwargs) for name in layers]
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


def _layer_names(path: Path, source: str, suffix: str) -> list:
    """Layers to read when none was named: the only one, all KML folders, else an error listing them."""
    names = [str(n) for n in pyogrio.list_layers(source)[:, 0]]
    if len(names) > 1 and suffix not in (".kml", ".kmz"):
        raise ProjectFileError(f"{path}: 文件有多个图层 / the file has several layers ({', '.join(names)}); "
                               "name one with layer=... (--layer)")
    return names if names else [None]


def _zip_member(path: Path, extracted, layer: str | None) -> Path:
    """The extracted shapefile (or other vector file) to read from a zip archive."""
    members = [m for m in extracted.members if Path(m).suffix.lower() in SPATIAL_SUFFIXES - {".zip", ".kmz"}]
    shp = [m for m in members if m.lower().endswith(".shp")] or members
    if layer is not None:
        shp = [m for m in shp if Path(m).stem == layer or m == layer]
    if len(shp) != 1:
        found = ", ".join(members) or "no .shp/.gpkg/.geojson/.kml"
        fix = "name one with layer=<file stem> (--layer)" if len(shp) > 1 else "zip the shapefile's .shp/.shx/.dbf/.prj"
        raise ProjectFileError(f"{path}: 无法确定压缩包中要读的图层 / cannot choose a layer in the archive "
                               f"(found {found}); {fix}")
    return extracted.path(shp[0])


def _shp_encoding(path: Path) -> str | None:
    """The .dbf encoding of a shapefile (plain or zipped) without .cpg; None for other formats."""
    if path.suffix.lower() not in (".shp", ".zip"):
        return None
    try:
        return shapefile_encoding(path)
    except (OSError, ArchiveError):
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
    # a row already refused (a malformed CSV line) is not told again that it has no location
    _no_location(work, (kind == "") & (work.errors == ""))
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
