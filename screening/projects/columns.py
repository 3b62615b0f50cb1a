"""Column aliases: which input header (项目编号, 经度, X坐标, 范围 ...) feeds which of our columns, finding the header
row of a table, and `_Work`, the table being standardized (text cells and per-row errors and warnings)."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from .base import STRING, ProjectFileError

__all__ = ["ALIASES", "HEADER_SEARCH_ROWS", "resolve_columns"]

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

#: Rows (CSV lines, sheet rows) searched for the header when --header-row is not given.
HEADER_SEARCH_ROWS = 20


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


def _column_text(work: _Work, ours: str) -> pd.Series:
    """Our column as stripped text (<NA> when blank or absent)."""
    values = work.text.get(ours)
    return pd.Series(pd.NA, index=range(work.n), dtype=STRING) if values is None else values


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
