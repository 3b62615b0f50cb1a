"""GB/T 4754-2017 sector codes -> names, categories and flags.

The names and the list of classes that exist come from the full class table `rules/gbt4754_2017.csv`
(20 sections, 97 divisions, 473 groups, 1382 classes, with amendment No. 1); the categories and flags come
from `rules/sectors.yaml`. A code is valid only when its four-digit class is in the table (3098 is not).

    >>> cat = load_sectors()
    >>> cat.name("3011"), cat.is_valid("3098")
    ('水泥制造', False)
    >>> normalize_code(" c3011 ")
    '3011'
    >>> cat.facts(pd.Series(["3011", None]))[["sector", "cement"]].to_dict("list")
    {'sector': ['3011', None], 'cement': [True, None]}
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from numbers import Integral, Real
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from zoning.data import rules_dir

from zoning.yamlio import read_yaml

RULES_DIR = rules_dir()  # rules/ in a checkout, the screening.rulebook package data when installed
_CODE = re.compile(r"^([A-Ta-t])?\s*(\d{4})(?:\.0+)?$")
_SPEC_KEYS = {"zh", "en", "codes", "groups", "divisions", "categories", "source"}
#: The class table sectors.yaml uses when it names none (`table:`).
DEFAULT_TABLE = "gbt4754_2017.csv"
#: Keys sectors.yaml must not hold any more: the names live once, in the class table.
_TABLE_KEYS = ("divisions", "groups", "classes")


class SectorError(ValueError):
    """`rules/sectors.yaml` is malformed; the message names the file, the entry and the field."""


def _split(raw) -> tuple[str | None, str | None]:
    """(section letter or None, 4-digit code) of a raw code, or (None, None) when it is not one."""
    if raw is None or isinstance(raw, bool) or raw is pd.NA:
        return None, None
    if isinstance(raw, Integral):
        return (None, f"{int(raw):04d}") if 100 <= int(raw) <= 9999 else (None, None)
    if isinstance(raw, Real):
        value = float(raw)
        if math.isnan(value) or not value.is_integer():
            return None, None
        return _split(int(value))
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    match = _CODE.match(text)
    if not match:
        return None, None
    letter = match.group(1).upper() if match.group(1) else None
    return letter, match.group(2)


def normalize_code(raw) -> str | None:
    """The 4-digit class code of `raw`, or None when empty or not a code.

    Accepts "3011", "C3011", " c3011 ", 3011, 3011.0, "3011.0" and full-width digits. Numbers lose
    leading zeros in spreadsheets, so a number below 1000 is zero-padded (611 -> "0611"); a text of
    three digits is refused (it may be a 3-digit group code).
    """
    return _split(raw)[1]


@dataclass(frozen=True)
class ClassTable:
    """The GB/T 4754-2017 table: code -> Chinese name for each level (section letter, 2, 3 and 4 digits)."""

    path: str
    sections: dict[str, str]
    divisions: dict[str, str]
    groups: dict[str, str]
    classes: dict[str, str]


def load_class_table(path: Path | str | None = None) -> ClassTable:
    """Read the class table (default `rules/gbt4754_2017.csv`); read once per file and modification time.

    The table is a CSV with `#` comment lines (its source note) and the columns code,name. Every class must
    sit in a group of the table and every group in a division, or SectorError names the row.
    """
    path = Path(path) if path is not None else RULES_DIR / DEFAULT_TABLE
    try:
        stamp = path.stat().st_mtime_ns
    except OSError as exc:
        raise SectorError(f"{path}: 行业分类表无法读取 / the GB/T 4754 class table cannot be read: {exc}") from exc
    return _read_class_table(str(path), stamp)


@lru_cache(maxsize=8)
def _read_class_table(path: str, _stamp: int) -> ClassTable:
    """The table at `path` (cached on path and modification time)."""
    try:
        frame = pd.read_csv(path, comment="#", dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise SectorError(f"{path}: 行业分类表不是可读的 CSV / the class table is not a readable CSV: {exc}") from exc
    if list(frame.columns) != ["code", "name"]:
        raise SectorError(f"{path}: 行业分类表的列应为 code,name / the class table needs the columns code,name "
                          f"(found {', '.join(map(str, frame.columns))})")
    code, name = frame["code"].str.strip(), frame["name"].str.strip()
    width = code.str.len()
    shape = code.str.fullmatch(r"[A-T]|\d{2,4}")
    _refuse(path, frame, ~shape | (name == ""), "代码应为门类字母或 2–4 位数字且有名称 / code must be a section "
                                                "letter or 2-4 digits, with a name")
    _refuse(path, frame, code.duplicated(keep="first"), "代码重复 / code listed twice")
    for size, parent in ((4, "中类 / group"), (3, "大类 / division")):
        rows = (width == size).to_numpy()
        missing = rows & ~code.str[:size - 1].isin(code[width == size - 1]).to_numpy()
        _refuse(path, frame, missing, f"上级{parent}不在表中 / its {parent.split(' / ')[1]} is not in the table")
    levels = {w: dict(zip(code[width == w], name[width == w])) for w in (1, 2, 3, 4)}
    return ClassTable(path, levels[1], levels[2], levels[3], levels[4])


def _refuse(path: str, frame: pd.DataFrame, bad, message: str) -> None:
    """SectorError naming the first offending row of the class table (its line in the data, after the header)."""
    bad = np.asarray(bad, dtype=bool)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise SectorError(f"{path}: data row {i + 1} `{frame.iat[i, 0]},{frame.iat[i, 1]}`: {message}")


@dataclass(frozen=True)
class Entry:
    """A category or flag: its members by class, group and division, and the source it rests on."""

    name: str
    zh: str
    en: str
    codes: frozenset[str]
    groups: frozenset[str]
    divisions: frozenset[str]
    categories: tuple[str, ...]
    source: dict

    def contains(self, code: str, member: dict[str, bool]) -> bool:
        """Is the valid 4-digit `code` in this entry (`member` holds the categories already decided)."""
        return (
            code in self.codes
            or code[:3] in self.groups
            or code[:2] in self.divisions
            or any(member[c] for c in self.categories)
        )


class SectorCatalog:
    """Names of sections, divisions, groups and classes, categories and flags; turns code columns into facts.

    `table` is the GB/T 4754-2017 class table; by default the file sectors.yaml names (`table:`, default
    gbt4754_2017.csv), looked up beside sectors.yaml and else in the shipped rules folder.
    """

    def __init__(self, data: dict, path: Path | str = "<sectors>", table: ClassTable | None = None):
        self.path = str(path)
        if not isinstance(data, dict):
            raise SectorError(f"{self.path}: expected a mapping with sections, categories and flags")
        held = [k for k in _TABLE_KEYS if k in data]
        if held:
            raise SectorError(f"{self.path}: `{'`, `'.join(held)}`: 名称只在 GB/T 4754 分类表中维护 / names live in "
                              f"the class table ({DEFAULT_TABLE}); remove these keys")
        self.table = table if table is not None else load_class_table(self._table_path(data.get("table")))
        self.divisions = dict(self.table.divisions)
        self.groups = dict(self.table.groups)
        self.classes = dict(self.table.classes)
        self.sections = self._sections(data.get("sections") or {})
        #: division -> its section letter
        self.section_of = {d: letter for letter, (first, last) in self.sections.items()
                           for d in self.divisions if first <= d <= last}
        entries = [self._entry(n, s, "categories", ()) for n, s in self._mapping(data, "categories").items()]
        done = tuple(e.name for e in entries)
        for name, spec in self._mapping(data, "flags", required=False).items():
            entries.append(self._entry(name, spec, "flags", done))
            done += (name,)
        self.entries = {e.name: e for e in entries}
        self.flags = [n for n in self._mapping(data, "flags", required=False)]
        #: every boolean column `facts` adds: the categories, then the flags
        self.categories = list(self.entries)
        self.columns = ["sector", "sector_valid", *self.categories]
        self._members = self._membership()

    # --- loading helpers
    def _table_path(self, name) -> Path:
        """The class table file: `name` beside sectors.yaml when it is there, else in the shipped rules folder."""
        name = DEFAULT_TABLE if name is None else str(name)
        beside = Path(self.path).parent / name
        return beside if Path(self.path).is_file() and beside.is_file() else RULES_DIR / name

    def _mapping(self, data: dict, key: str, required: bool = True) -> dict:
        value = data.get(key)
        if value is None and not required:
            return {}
        if not isinstance(value, dict) or (required and not value):
            raise SectorError(f"{self.path}: `{key}` must be a non-empty mapping")
        return value

    def _sections(self, raw: dict) -> dict[str, tuple[str, str]]:
        """Section letter -> (first, last) division; the spans must cover every division of the table once."""
        out = {}
        for letter, span in raw.items():
            if not (isinstance(span, list) and len(span) == 2 and all(str(s) in self.divisions for s in span)):
                raise SectorError(f"{self.path}: sections: {letter} must be [first, last] known divisions")
            out[str(letter).upper()] = (str(span[0]), str(span[1]))
        if set(out) != set(self.table.sections):
            raise SectorError(f"{self.path}: sections: the letters must be those of the class table "
                              f"({''.join(sorted(self.table.sections))})")
        count = {d: sum(first <= d <= last for first, last in out.values()) for d in self.divisions}
        wrong = [d for d, n in count.items() if n != 1]
        if wrong:
            raise SectorError(f"{self.path}: sections: division(s) {', '.join(wrong)} must fall in exactly one span")
        return out

    def _entry(self, name: str, spec, kind: str, known: tuple[str, ...]) -> Entry:
        where = f"{self.path}: {kind}: {name}"
        if not re.fullmatch(r"[a-z][a-z0-9_]*", str(name)):
            raise SectorError(f"{where}: the name must be lower_snake_case")
        if not isinstance(spec, dict):
            raise SectorError(f"{where}: expected a mapping")
        unknown = set(spec) - _SPEC_KEYS
        if unknown:
            raise SectorError(f"{where}: unknown field(s) {sorted(unknown)}")
        source = spec.get("source")
        if not (isinstance(source, dict) and str(source.get("document") or "").strip()
                and str(source.get("clause") or "").strip()):
            raise SectorError(f"{where}: `source` with a non-empty document and clause is required")
        if set(source) - {"document", "clause", "note"}:
            raise SectorError(f"{where}: source: unknown field(s) {sorted(set(source) - {'document', 'clause', 'note'})}")
        members = {}
        for field, level, table in (("codes", "class", self.classes), ("groups", "group", self.groups),
                                    ("divisions", "division", self.divisions)):
            values = [str(v) for v in spec.get(field) or []]
            for v in values:
                if v not in table:
                    raise SectorError(f"{where}: {field}: `{v}` is not a {level} of GB/T 4754-2017 "
                                      f"({Path(self.table.path).name})")
            members[field] = frozenset(values)
        parents = tuple(spec.get("categories") or ())
        if parents and kind == "categories":
            raise SectorError(f"{where}: only flags may list `categories`")
        for parent in parents:
            if parent not in known:
                raise SectorError(f"{where}: categories: `{parent}` is not a category defined above")
        if not any(members.values()) and not parents:
            raise SectorError(f"{where}: no codes, groups, divisions or categories")
        return Entry(name, str(spec.get("zh", "")), str(spec.get("en", "")), members["codes"],
                     members["groups"], members["divisions"], parents, dict(source))

    def _membership(self) -> pd.DataFrame:
        """One row per class of the table, one boolean column per category and flag (decided once, by isin)."""
        codes = pd.Index(list(self.classes), dtype=object)
        text = pd.Series(codes, index=codes, dtype=object).str
        table = pd.DataFrame(index=codes)
        for name, entry in self.entries.items():
            column = (codes.isin(list(entry.codes)) | text[:3].isin(list(entry.groups)).to_numpy()
                      | text[:2].isin(list(entry.divisions)).to_numpy())
            for parent in entry.categories:
                column = column | table[parent].to_numpy()
            table[name] = np.asarray(column, dtype=bool)
        return table

    # --- lookups
    def is_valid(self, raw) -> bool:
        """Is `raw` a class of GB/T 4754-2017 (C3011, 3011, 3011.0), with a matching section letter if it has one.

        Only four-digit class codes can be valid: a class missing from the table (3098) is not; three-digit
        group and two-digit division codes are not codes a project can carry (normalize_code refuses them),
        so they are not valid either (as before the full table).
        """
        letter, code = _split(raw)
        if code is None or code not in self.classes:
            return False
        return letter is None or self.section_of.get(code[:2]) == letter

    def name(self, code) -> str | None:
        """Chinese name of the class (from the GB/T 4754-2017 table); None if the code is not a valid class."""
        if not self.is_valid(code):
            return None
        return self.classes[normalize_code(code)]

    def names(self, codes) -> pd.Series:
        """Chinese class names of a Series of normalized 4-digit codes (<NA> where not a class), one map."""
        codes = pd.Series(codes) if not isinstance(codes, pd.Series) else codes
        return codes.map(self.classes).astype("string")

    def member(self, code) -> dict[str, bool]:
        """Category and flag membership of one valid code, e.g. member("3216")["two_high"] is True."""
        code = normalize_code(code)
        if code in self._members.index:
            return {k: bool(v) for k, v in self._members.loc[code].items()}
        out: dict[str, bool] = {}
        for name, entry in self.entries.items():  # a code outside the table: decided by its digits only
            out[name] = entry.contains(code, out)
        return out

    def facts(self, codes) -> pd.DataFrame:
        """Fact columns for a Series of raw codes: sector, sector_valid and one boolean per category.

        Each distinct raw value is normalized once; validity is one isin against the class table and the
        categories one lookup in the precomputed membership table, then both are spread to the rows. A missing
        code has sector_valid False; a missing or invalid code has every category <NA> (unknown, not "no"). A
        well-formed code that is not a class (3098, 9999) keeps its digits in `sector` with sector_valid False.
        """
        codes = pd.Series(codes) if not isinstance(codes, pd.Series) else codes
        position, uniques = pd.factorize(codes.astype(object), use_na_sentinel=True)
        split = pd.Series(list(uniques) + [None], dtype=object).map(_split)
        letter = split.str[0]
        digits = split.str[1]
        section = digits.str[:2].map(self.section_of)
        valid = (digits.isin(list(self.classes)) & (letter.isna() | (letter == section))).to_numpy(bool)
        table = self._members.reindex(digits.where(valid)).fillna(False).to_numpy(bool)
        take = np.where(position < 0, len(uniques), position)  # the last slot stands for missing values
        out = pd.DataFrame(index=codes.index)
        out["sector"] = pd.array(digits.to_numpy(object)[take], dtype="string")
        out["sector_valid"] = pd.array(valid[take], dtype="boolean")
        unknown = ~valid[take]
        for j, name in enumerate(self._members.columns):
            out[name] = pd.arrays.BooleanArray(table[take, j], unknown)
        return out


def load_sectors(path: Path | str | None = None) -> SectorCatalog:
    """Read the sector catalog (default `rules/sectors.yaml` of this repository) and its class table."""
    path = Path(path) if path is not None else RULES_DIR / "sectors.yaml"
    try:
        data = read_yaml(path)
    except yaml.YAMLError as exc:
        raise SectorError(f"{path}: not valid YAML: {exc}") from exc
    except OSError as exc:
        raise SectorError(f"{path}: cannot be read: {exc}") from exc
    return SectorCatalog(data, path)
