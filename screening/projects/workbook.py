"""XLSX / XLSM project lists as offices make them: the sheet to read (named, or the first visible one with
location columns), title rows above the header, merged cells, numbers typed as numbers (sector codes zero-padded,
floats in full precision, dates as ISO text) and formulas without a cached value, read with openpyxl's
read-only reader plus one regex pass over the sheet XML.
"""

from __future__ import annotations

import datetime as dt
import re
from itertools import islice, zip_longest
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from openpyxl.utils.cell import column_index_from_string, get_column_letter, range_boundaries

from .base import ProjectFileError, RawTable
from .columns import HEADER_SEARCH_ROWS, _header_note, _header_score, _require_location, resolve_columns

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
