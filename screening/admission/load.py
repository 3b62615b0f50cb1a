"""Read admission lists (生态环境准入清单) from XLSX/CSV through the catalog, validating every row.

One row per requirement; the columns and words are screening.admission.schema, documented in
docs/admission_lists.md. Errors name the file, the spreadsheet row and the column, and are collected for
the whole file before raising.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from zoning.catalog import LayerSpec, source_field
from zoning.errors import ZoningError
from zoning.separators import ITEM_SEPARATOR

from ..sectors import SectorCatalog, normalize_code
from .schema import (ALL_SECTOR_WORDS, ANY, CATEGORY_WORDS, CELL_WORD_SPLIT, CITY_WORDS, CONSTRUCTION_WORDS,
                     DIMENSIONS, EFFECT_WORDS, EXCLUDE_PREFIX, OPTIONAL, REQUIRED, check_entry, key)


class AdmissionError(ZoningError):
    """An admission list cannot be used; the message names file, row and column of every bad cell."""


@dataclass
class AdmissionList:
    """Validated list rows plus the long tables matching joins on; `req` is the row position in `rows`."""

    rows: pd.DataFrame          # id, file, row, scope, dimension, effect, text, citation, valid_from, ...
    units: pd.DataFrame         # req, unit                      (unit-scoped rows)
    areas: pd.DataFrame         # req, category, district        ('*' = any; category/district/city rows)
    sectors: pd.DataFrame       # req, key ('code:2614', 'division:26', 'category:chemical', 'all:*'), exclude
    construction: pd.DataFrame  # req, construction              (rows not for every kind of construction)
    unit_codes: pd.Index        # every unit of the control-unit layer (for `zoning lists check`)

    def __len__(self) -> int:
        return len(self.rows)


def _table(words: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {key(w): ours for ours, ws in words.items() for w in ws}


class _Sheet:
    """One list file: its text cells under our field names, and the errors found so far."""

    def __init__(self, spec: LayerSpec):
        self.spec = spec
        self.name = Path(spec.path).name
        raw = read_cells(spec)
        self.headers: dict[str, str] = {}
        columns = {key(c): c for c in raw.columns}
        for ours in (*REQUIRED, *OPTIONAL):
            theirs = source_field(self.spec, ours)
            actual = theirs if theirs in raw.columns else columns.get(key(theirs))
            if actual is None and (ours in REQUIRED or ours in spec.fields):
                raise AdmissionError(
                    f"{spec.where}: column {theirs!r} (our '{ours}') not in {self.name}; it has: "
                    f"{', '.join(map(str, raw.columns))}. Fix [layer.fields] {ours} = \"...\"")
            if actual is not None:
                self.headers[ours] = actual
        cells = raw[list(self.headers.values())].astype(str).apply(lambda s: s.str.strip())
        filled = (cells != "").any(axis=1).to_numpy()
        self.cells = cells[filled].set_axis(list(self.headers), axis=1)
        self.cells.index = pd.Index(np.flatnonzero(filled) + 2, name="row")  # the spreadsheet's row number
        self.errors: list[tuple[int, int, str]] = []

    def column(self, ours: str) -> pd.Series:
        """Cells of our field (blank when the file has no such column), whole-cell [layer.values] applied."""
        if ours not in self.cells:
            return pd.Series("", index=self.cells.index)
        mapping = {key(k): v for k, v in self.spec.values.get(ours, {}).items()}
        col = self.cells[ours]
        if not mapping or ours in ("sectors", "construction", "scope_unit"):
            return col
        return col.map(lambda c: str(mapping.get(key(c), c)).strip())

    def tokens(self, ours: str) -> pd.DataFrame:
        """(row, word) for every word of a list cell, per-word [layer.values] applied (may give several)."""
        mapping = {key(k): v for k, v in self.spec.values.get(ours, {}).items()}
        words = self.column(ours).str.split(CELL_WORD_SPLIT).explode()
        words = words[words.fillna("") != ""]
        if mapping:
            def mapped(word: str) -> str:
                excl = EXCLUDE_PREFIX.match(word)
                bare = word[excl.end():] if excl else word
                target = mapping.get(key(bare))
                if target is None:
                    return word
                parts = target if isinstance(target, list) else re.split(CELL_WORD_SPLIT, str(target))
                return ITEM_SEPARATOR.join(("-" if excl else "") + str(p) for p in parts if str(p))
            words = words.map(mapped).str.split(ITEM_SEPARATOR).explode()
        return pd.DataFrame({"row": words.index.to_numpy(), "word": words.to_numpy(dtype=object)})

    def error(self, rows, ours: str, message: str) -> None:
        """Record `message` for each row (spreadsheet numbers) in the column of our field `ours`."""
        header = self.headers.get(ours, source_field(self.spec, ours))
        order = (*REQUIRED, *OPTIONAL).index(ours)
        for row in np.unique(np.asarray(rows)):
            self.errors.append((int(row), order, f"{self.name} row {row}, column {header}: {message}"))


def read_cells(spec: LayerSpec) -> pd.DataFrame:
    """Every cell as text: XLSX (sheet `layer` or the first) or CSV (UTF-8 with or without BOM, else GB18030)."""
    path = Path(spec.path)
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            frame = pd.read_excel(path, sheet_name=spec.layer or 0, dtype=str, keep_default_na=False,
                                  engine="openpyxl")
        elif suffix in (".csv", ".txt", ".tsv"):
            frame = _read_csv(path, spec.encoding, "\t" if suffix == ".tsv" else ",")
        else:
            raise AdmissionError(f"{spec.where}: an admission list must be .xlsx or .csv, not {path.suffix!r}")
    except (OSError, ValueError, KeyError) as exc:
        raise AdmissionError(f"{spec.where}: cannot read {path.name}: {exc}") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.fillna("")


def _read_csv(path: Path, encoding: str | None, sep: str) -> pd.DataFrame:
    for enc in ([encoding] if encoding else ["utf-8-sig", "gb18030"]):
        try:
            return pd.read_csv(path, dtype=str, keep_default_na=False, encoding=enc, sep=sep,
                               skip_blank_lines=False)
        except UnicodeDecodeError:
            continue
    raise ValueError("neither UTF-8 nor GB18030 text; save it as UTF-8 CSV or set encoding in the catalog")


@dataclass
class Context:
    """What a list is validated against: the control units, district names and the sector catalog."""

    units: pd.DataFrame                 # unit, category, district ('' when the unit layer has no district)
    districts: dict[str, str]           # any accepted spelling (name or code) -> the name units carry
    sectors: SectorCatalog


def load_list(spec: LayerSpec, ctx: Context) -> AdmissionList:
    """One catalog entry of role admission_list, validated; CatalogError for a mapping our schema does not
    have (schema.check_entry), AdmissionError listing every bad cell."""
    check_entry(spec)
    sheet = _Sheet(spec)
    rows = _rows(sheet)
    units, areas = _scopes(sheet, ctx, rows)
    sectors = _sector_tokens(sheet, ctx.sectors, rows)
    construction = _construction(sheet, rows)
    if sheet.errors:
        shown = "\n  ".join(e[2] for e in sorted(sheet.errors)[:25])
        more = f"\n  ... and {len(sheet.errors) - 25} more" if len(sheet.errors) > 25 else ""
        raise AdmissionError(f"{spec.where}: {len(sheet.errors)} bad cell(s) in the admission list:\n  {shown}{more}")
    rows["scope"] = "city"
    rows.loc[rows.index.isin(areas.loc[areas["category"] != ANY, "row"]), "scope"] = "category"
    rows.loc[rows.index.isin(areas.loc[areas["district"] != ANY, "row"]), "scope"] = "district"
    rows.loc[rows.index.isin(units["row"]), "scope"] = "unit"
    req = pd.Series(np.arange(len(rows)), index=rows.index)
    tables = [t.assign(req=req[t.pop("row")].to_numpy()) for t in (units, areas, sectors, construction)]
    rows = rows.reset_index()
    text = [c for c in rows.columns if c not in ("row", "valid_from")]
    return AdmissionList(rows.astype({c: object for c in text}), *tables, pd.Index(ctx.units["unit"]))


def combine(lists: list[AdmissionList]) -> AdmissionList:
    """Several list files as one (row positions renumbered); ids must stay unique across files."""
    if len(lists) == 1:
        return lists[0]
    offsets = np.cumsum([0, *[len(x) for x in lists[:-1]]])
    rows = pd.concat([x.rows for x in lists], ignore_index=True)
    dup = rows.loc[rows["id"].duplicated(keep=False)]
    if len(dup):
        where = ", ".join(f"{f} row {r}" for f, r in zip(dup["file"], dup["row"]))
        raise AdmissionError(f"admission lists: row id(s) {', '.join(dup['id'].unique()[:5])} used in several "
                             f"files ({where}); give each row its own id")
    tables = [pd.concat([getattr(x, n).assign(req=getattr(x, n)["req"] + o) for x, o in zip(lists, offsets)],
                        ignore_index=True) for n in ("units", "areas", "sectors", "construction")]
    return AdmissionList(rows, *tables, lists[0].unit_codes)


def _rows(sheet: _Sheet) -> pd.DataFrame:
    """The per-row scalar fields: id, dimension, effect, text, citation, edition, valid_from."""
    spec = sheet.spec
    out = pd.DataFrame(index=sheet.cells.index)
    out["file"] = sheet.name
    ids = sheet.column("id")
    out["id"] = ids.where(ids != "", Path(spec.path).stem + "-" + ids.index.astype(str))
    dup = out["id"].duplicated(keep=False)
    sheet.error(out.index[dup], "id", "row id used more than once; give each row its own id")
    out["dimension"] = _vocabulary(sheet, "dimension", {o: w[2] for o, w in DIMENSIONS.items()},
                                   "one of 空间布局约束, 污染物排放管控, 环境风险防控, 资源开发效率要求")
    out["effect"] = _vocabulary(sheet, "effect", EFFECT_WORDS,
                                "禁止 prohibited, 限制 restricted, 仅允许 allowed_only, 要求 requirement, 待核 check")
    text = sheet.column("text").str.replace("|", "｜", regex=False)
    sheet.error(text.index[text == ""], "text", "the requirement text is empty; copy it as issued")
    out["text"] = text
    source = sheet.column("source").replace("", spec.source or "")
    sheet.error(source.index[source == ""], "source",
                "no source: cite the document, edition and clause (or set source in the catalog entry)")
    edition = sheet.column("edition").replace("", spec.version or "")
    cite = source.str.replace(";", "；", regex=False)
    with_edition = (edition != "") & ~np.array([e in s for e, s in zip(edition, source)], dtype=bool)
    out["citation"] = cite.where(~with_edition, cite + " (" + edition + ")")
    out["edition"] = edition
    out["valid_from"] = _dates(sheet, spec.valid_from)
    out["sectors_text"] = sheet.column("sectors")
    out["construction_text"] = sheet.column("construction")
    return out


def _vocabulary(sheet: _Sheet, ours: str, words: dict[str, tuple[str, ...]], expected: str) -> pd.Series:
    col = sheet.column(ours)
    table = _table(words)
    mapped = col.map(lambda c: table.get(key(c)))
    bad = mapped.isna()
    for value in col[bad].unique():
        sheet.error(col.index[bad & (col == value)], ours,
                    f"unknown word {value!r} (expected {expected}); fix the cell or map it in [layer.values.{ours}]")
    return mapped.fillna("")


def _dates(sheet: _Sheet, default: str | None) -> pd.Series:
    col = sheet.column("valid_from").replace("", default or "")
    text = (col.str.replace(r"[年月/.]", "-", regex=True).str.replace("日", "", regex=False)
            .str.split(r"[ T]").str[0])
    dates = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    bad = dates.isna() & (col != "")
    sheet.error(col.index[bad], "valid_from", "not a date like 2024-01-31")
    return dates


def _scopes(sheet: _Sheet, ctx: Context, rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(row, unit) for unit-scoped rows; (row, category, district) with '*' wildcards for the others."""
    words = sheet.tokens("scope_unit")
    city = words["word"].map(key).isin(CITY_WORDS)
    units = words[~city].rename(columns={"word": "unit"})
    bad = ~units["unit"].isin(ctx.units["unit"])
    hint = ("a code of the control-unit layer" if len(ctx.units)
            else "a control-unit layer in the catalog to check codes against")
    for code in units.loc[bad, "unit"].unique():
        sheet.error(units.loc[bad & (units["unit"] == code), "row"], "scope_unit",
                    f"unknown unit code {code!r} (expected {hint}, or 全市 for the whole city)")
    units = units[~bad].drop_duplicates().reset_index(drop=True)
    rest = rows.index[~rows.index.isin(words.loc[~city, "row"])]
    category = sheet.column("scope_category").map(lambda c: _table(CATEGORY_WORDS).get(key(c)))
    bad_cat = category.isna()
    raw = sheet.column("scope_category")
    for value in raw[bad_cat & category.index.isin(rest)].unique():
        sheet.error(raw.index[bad_cat & category.index.isin(rest) & (raw == value)], "scope_category",
                    f"unknown unit category {value!r} (expected 优先保护单元, 重点管控单元, 一般管控单元 or 全部); "
                    f"fix the cell or map it in [layer.values.scope_category]")
    district = sheet.column("scope_district")
    named = district.map(lambda d: ANY if key(d) in CITY_WORDS or not d else ctx.districts.get(key(d)))
    bad_d = named.isna() & named.index.isin(rest)
    shown = ", ".join(sorted(set(ctx.districts.values()))[:6])
    for value in district[bad_d].unique():
        sheet.error(district.index[bad_d & (district == value)], "scope_district",
                    f"unknown district {value!r} (expected a district of the unit or district layer, e.g. {shown})")
    areas = pd.DataFrame({"row": rest, "category": category.reindex(rest).fillna(ANY).to_numpy(),
                          "district": named.reindex(rest).fillna(ANY).to_numpy()})
    return units, areas


def _sector_tokens(sheet: _Sheet, sectors: SectorCatalog, rows: pd.DataFrame) -> pd.DataFrame:
    """(row, key, exclude) per sector word; a blank cell means all. Check rows may keep unparsed words."""
    words = sheet.tokens("sectors")
    parsed = {w: _sector_word(w, sectors) for w in words["word"].unique()}
    keys = words["word"].map(lambda w: parsed[w][0])
    unknown = keys.map(len) == 0
    check = rows.loc[words["row"], "effect"].to_numpy() == "check"
    for word in words.loc[unknown & ~check, "word"].unique():
        sheet.error(words.loc[unknown & ~check & (words["word"] == word), "row"], "sectors",
                    f"unknown sector word {word!r} (expected a GB/T 4754 code, a division, a category of "
                    f"rules/sectors.yaml, or 'all'); fix the cell or map it in [layer.values.sectors]")
    words = words.assign(key=keys, exclude=words["word"].map(lambda w: parsed[w][1]))[~unknown]
    words = words.explode("key")
    blank = rows.index[~rows.index.isin(words.loc[~words["exclude"], "row"])]
    filler = pd.DataFrame({"row": blank, "key": "all:*", "exclude": False})
    return pd.concat([words[["row", "key", "exclude"]], filler], ignore_index=True)


def _sector_word(word: str, sectors: SectorCatalog) -> tuple[list[str], bool]:
    """(token keys, exclude) of one sector word; no keys when it is not understood."""
    excl = EXCLUDE_PREFIX.match(word)
    bare = unicodedata.normalize("NFKC", word[excl.end():] if excl else word).strip()
    low = bare.lower()
    if low in ALL_SECTOR_WORDS:
        return ["all:*"], bool(excl)
    m = re.fullmatch(r"([A-Ta-t])?(\d{2,4})", bare)
    if re.fullmatch(r"[A-Ta-t]", bare) and bare.upper() in sectors.sections:
        first, last = sectors.sections[bare.upper()]
        return [f"division:{d}" for d in sectors.divisions if first <= d <= last], bool(excl)
    if m and m.group(2)[:2] in sectors.divisions:
        digits = m.group(2)
        if len(digits) == 4 and not sectors.is_valid(bare):
            return [], bool(excl)
        kind = {2: "division", 3: "group", 4: "code"}[len(digits)]
        return [f"{kind}:{normalize_code(digits) if kind == 'code' else digits}"], bool(excl)
    for name, entry in sectors.entries.items():
        if low == name or bare == entry.zh:
            return [f"category:{name}"], bool(excl)
    return [], bool(excl)


def _construction(sheet: _Sheet, rows: pd.DataFrame) -> pd.DataFrame:
    """(row, construction) for rows that name kinds of construction; blank or 全部 means every kind."""
    words = sheet.tokens("construction")
    table = _table(CONSTRUCTION_WORDS)
    kinds = words["word"].map(lambda w: table.get(key(w)))
    every = words["word"].map(key).isin(ALL_SECTOR_WORDS)
    bad = kinds.isna() & ~every
    check = rows.loc[words["row"], "effect"].to_numpy() == "check"
    for word in words.loc[bad & ~check, "word"].unique():
        sheet.error(words.loc[bad & ~check & (words["word"] == word), "row"], "construction",
                    f"unknown kind of construction {word!r} (expected 新建, 扩建, 改建, 迁建 or 全部); "
                    f"fix the cell or map it in [layer.values.construction]")
    named = words.assign(construction=kinds.str.split(ITEM_SEPARATOR))[kinds.notna()].explode("construction")
    open_rows = words.loc[every | (bad & check), "row"]
    named = named[~named["row"].isin(open_rows)]
    return named[["row", "construction"]].drop_duplicates().reset_index(drop=True)
