"""CSV / TSV project lists: encoding (UTF-8 with or without BOM, UTF-16/32, GBK), delimiter, the header row, and
rows as the user sees them, a malformed line (an unclosed quote, too many or too few fields) becoming an
invalid row that says which line and why instead of failing the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .base import ProjectFileError, RawTable, _quote
from .columns import HEADER_SEARCH_ROWS, _header_note, _header_score

__all__ = ["DELIMITERS"]

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
