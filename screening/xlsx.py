"""A column-wise XLSX writer for large result tables.

Per-cell writers (xlsxwriter, openpyxl) spend ~10 µs a cell in Python: 45 s for 100,000 results of
43 columns. Here each column becomes its cell XML in one Arrow compute call, strings go once into the
shared-string table, and the sheet is zipped in one pass: a few seconds for the same table.

Safety (every text cell goes through the shared-string table, so these apply to all of them, header included):

* no cell is ever a formula: the writer emits only shared strings (``t="s"``), numbers and booleans, never
  ``<f>`` or ``t="str"``; text that starts like a formula (``= + - @``, tab, CR) also gets a leading ``'``
  (see `neutralise_formulas`), so the text stays inert when the sheet is saved on as CSV;
* characters XML 1.0 forbids (C0 controls except tab, LF and CR; U+FFFE, U+FFFF) are removed, so a stray
  control character in the user's data cannot make the workbook unreadable; CR is kept as ``&#13;``;
* a literal ``_xHHHH_`` is escaped as ``_x005F_xHHHH_`` so Excel shows it as typed instead of decoding it.

>>> import pandas as pd, tempfile, openpyxl, os
>>> path = os.path.join(tempfile.mkdtemp(), "t.xlsx")
>>> write_table(pd.DataFrame({"名称": ["甲", None], "n": [1.5, float("nan")], "ok": [True, False]}), path)
>>> openpyxl.load_workbook(path).active["A2"].value
'甲'
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

MAX_ROWS = 1_048_575          # Excel's row limit less the header row
MAX_TEXT = 32_767             # Excel's limit on the characters in one cell
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML 1.0
FORMULA_START = "^[=+\\-@\t\r]"  # text starting like this is a formula to Excel/WPS/LibreOffice (OWASP)

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "{sheets}</Types>"
)
_SHEET_TYPE = ('<Override PartName="/xl/worksheets/sheet{i}.xml" '
               'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_R_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# two cell formats: 0 plain, 1 bold header with a fill
_STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet {_NS}>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFDDEBF7"/></patternFill></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def neutralise_formulas(text: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Text starting with ``=``, ``+``, ``-``, ``@``, tab or CR gets a leading ``'`` (OWASP CSV-injection advice),
    so a spreadsheet shows it as text instead of running it; nulls and other text are unchanged.

    It looks only at the text: a text column holding ``-12.5`` is quoted too (``'-12.5``), because the results
    carry the user's own columns as text and a leading ``-`` is also how formulas such as ``-2+3+cmd|…`` begin.
    Numeric columns are written as numbers and never pass through here.

    >>> neutralise_formulas(pa.array(["=1+1", "-12.5", "甲", None, "a=b"])).to_pylist()
    ["'=1+1", "'-12.5", '甲', None, 'a=b']
    """
    risky = pc.match_substring_regex(text, FORMULA_START)
    return pc.if_else(risky, pc.binary_join_element_wise("'", text, ""), text)


def _escape(text: pa.Array) -> pa.Array:
    text = pc.replace_substring(text, "&", "&amp;")
    text = pc.replace_substring(text, "<", "&lt;")
    text = pc.replace_substring(text, ">", "&gt;")
    text = pc.replace_substring(text, "\r", "&#13;")  # a raw CR would be read back as LF
    return pc.replace_substring_regex(text, "_(x[0-9A-Fa-f]{4}_)", "_x005F_\\1")  # Excel decodes _xHHHH_


class _Strings:
    """The shared-string table, filled column by column with each column's distinct values."""

    def __init__(self, neutralise: bool = True):
        self.parts: list[pa.Array] = []
        self.count = 0
        self.neutralise = neutralise

    def add(self, values: pd.Series) -> np.ndarray:
        """Indexes into the table for each value (-1 where missing)."""
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        if len(uniques):
            self.parts.append(pa.array(np.asarray(uniques, dtype=object), type=pa.string()))
        out = np.where(codes >= 0, codes + self.count, -1)
        self.count += len(uniques)
        return out

    def xml(self) -> bytes:
        body = pa.chunked_array(self.parts, type=pa.string()).combine_chunks() if self.parts else pa.array([], pa.string())
        body = pc.replace_substring_regex(body, _ILLEGAL.pattern, "")
        if self.neutralise:
            body = neutralise_formulas(body)
        body = pc.utf8_slice_codeunits(body, 0, MAX_TEXT)
        items = pc.binary_join_element_wise('<si><t xml:space="preserve">', _escape(body), "</t></si>", "")
        head = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst {_NS} count="{self.count}" ' \
               f'uniqueCount="{self.count}">'
        return head.encode() + "".join(items.to_pylist()).encode() + b"</sst>"


def _cells(series: pd.Series, letter: str, rows: pa.Array, strings: _Strings) -> pa.Array:
    """The `<c>` XML of one column for the given row numbers ('' for empty cells)."""
    ref = pc.binary_join_element_wise(letter, rows, "")
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        value = pc.cast(pc.cast(pa.array(series.astype("boolean")), pa.int8()), pa.string())
        cell = pc.binary_join_element_wise('<c r="', ref, '" t="b"><v>', value, "</v></c>", "")
    elif pd.api.types.is_numeric_dtype(dtype):
        floats = pa.array(series.astype("Float64"), type=pa.float64())
        infinite = pc.fill_null(pc.is_inf(floats), False)
        text = pc.cast(pc.if_else(infinite, pa.scalar(None, pa.float64()), floats), pa.string())
        cell = pc.binary_join_element_wise('<c r="', ref, '"><v>', text, "</v></c>", "")
        if pc.any(infinite).as_py():  # Excel has no infinity: write it as the text 'inf'
            code = str(strings.add(pd.Series(["inf"]))[0])
            as_text = pc.binary_join_element_wise('<c r="', ref, f'" t="s"><v>{code}</v></c>', "")
            cell = pc.if_else(infinite, as_text, cell)
    else:
        codes = strings.add(series.astype("string"))
        code = pa.array(np.where(codes >= 0, codes.astype(str), None), type=pa.string())
        cell = pc.binary_join_element_wise('<c r="', ref, '" t="s"><v>', code, "</v></c>", "")
    return pc.fill_null(cell, "")


_ROWS_PER_CHUNK = 20_000  # rows of sheet XML built at once: bounds memory for large tables


def _sheet_chunks(table: pd.DataFrame, strings: _Strings):
    """The worksheet XML as byte chunks of at most _ROWS_PER_CHUNK rows, streamed into the zip."""
    n = len(table)
    header = "".join(
        f'<c r="{column_letter(j)}1" t="s" s="1"><v>{strings.add(pd.Series([str(c)]))[0]}</v></c>'
        for j, c in enumerate(table.columns))
    last = f"{column_letter(max(table.shape[1] - 1, 0))}{n + 1}"
    yield (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {_NS} {_R_NS}>'
           f'<dimension ref="A1:{last}"/><sheetViews><sheetView workbookViewId="0">'
           '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
           f'<sheetData><row r="1">{header}</row>').encode()
    for lo in range(0, n, _ROWS_PER_CHUNK):
        part = table.iloc[lo:lo + _ROWS_PER_CHUNK]
        rows = pa.array(np.arange(lo + 2, lo + 2 + len(part)).astype(str))
        cells = [_cells(part.iloc[:, j], column_letter(j), rows, strings) for j in range(part.shape[1])]
        body = pc.binary_join_element_wise('<row r="', rows, '">', *cells, "</row>", "")
        yield "".join(body.to_pylist()).encode()
    yield b"</sheetData></worksheet>"


def write_table(table: pd.DataFrame, path: str | Path, sheet: str = "results", neutralise: bool = True) -> None:
    """Write `table` as an XLSX workbook; more rows than one sheet holds continue on further sheets.

    Text cells (header included) are shared strings with formula-like text quoted (`neutralise_formulas`;
    ``neutralise=False`` keeps it as is: it is text either way, never a formula)."""
    strings = _Strings(neutralise)
    table = table.reset_index(drop=True)
    chunks = [table.iloc[i:i + MAX_ROWS] for i in range(0, max(len(table), 1), MAX_ROWS)]
    names = [sheet if i == 0 else f"{sheet}_{i + 1}" for i in range(len(chunks))]
    workbook = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook {_NS} {_R_NS}><sheets>'
                + "".join(f'<sheet name="{n}" sheetId="{i + 1}" r:id="rId{i + 1}"/>' for i, n in enumerate(names))
                + "</sheets></workbook>")
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(f'<Relationship Id="rId{i + 1}" Type="{_REL}/worksheet" Target="worksheets/sheet{i + 1}.xml"/>'
                      for i in range(len(chunks)))
            + f'<Relationship Id="rId{len(chunks) + 1}" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
            + f'<Relationship Id="rId{len(chunks) + 2}" Type="{_REL}/styles" Target="styles.xml"/>'
            + "</Relationships>")
    content = _CONTENT_TYPES.format(sheets="".join(_SHEET_TYPE.format(i=i + 1) for i in range(len(chunks))))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", content)
        zf.writestr("_rels/.rels", _ROOT_RELS)
        zf.writestr("xl/workbook.xml", workbook)
        zf.writestr("xl/_rels/workbook.xml.rels", rels)
        zf.writestr("xl/styles.xml", _STYLES)
        for i, chunk in enumerate(chunks):
            with zf.open(f"xl/worksheets/sheet{i + 1}.xml", "w", force_zip64=True) as out:
                for data in _sheet_chunks(chunk, strings):
                    out.write(data)
        zf.writestr("xl/sharedStrings.xml", strings.xml())
