"""GB/T 4754-2017 sector codes -> categories and flags, read from `rules/sectors.yaml`.

    >>> cat = load_sectors()
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
from numbers import Integral, Real
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .yamlio import read_yaml

RULES_DIR = Path(__file__).resolve().parents[1] / "rules"
_CODE = re.compile(r"^([A-Ta-t])?\s*(\d{4})(?:\.0+)?$")
_SPEC_KEYS = {"zh", "en", "codes", "groups", "divisions", "categories", "source"}


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
    """Names of divisions and classes, categories and flags; turns code columns into fact columns."""

    def __init__(self, data: dict, path: Path | str = "<sectors>"):
        self.path = str(path)
        if not isinstance(data, dict):
            raise SectorError(f"{self.path}: expected a mapping with divisions, categories and flags")
        self.divisions = self._names(data, "divisions", 2)
        self.groups = self._names(data, "groups", 3, required=False)
        self.classes = self._names(data, "classes", 4, required=False)
        self.sections = self._sections(data.get("sections") or {})
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

    # --- loading helpers
    def _mapping(self, data: dict, key: str, required: bool = True) -> dict:
        value = data.get(key)
        if value is None and not required:
            return {}
        if not isinstance(value, dict) or (required and not value):
            raise SectorError(f"{self.path}: `{key}` must be a non-empty mapping")
        return value

    def _names(self, data: dict, key: str, width: int, required: bool = True) -> dict[str, str]:
        names = {}
        for code, name in self._mapping(data, key, required).items():
            code = str(code)
            if not (code.isdigit() and len(code) == width) or not isinstance(name, str) or not name:
                raise SectorError(f"{self.path}: {key}: `{code}` must be a {width}-digit code with a name")
            names[code] = name
        return names

    def _sections(self, raw: dict) -> dict[str, tuple[str, str]]:
        out = {}
        for letter, span in raw.items():
            if not (isinstance(span, list) and len(span) == 2 and all(str(s) in self.divisions for s in span)):
                raise SectorError(f"{self.path}: sections: {letter} must be [first, last] known divisions")
            out[str(letter).upper()] = (str(span[0]), str(span[1]))
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
        for field, width, table in (("codes", 4, None), ("groups", 3, None), ("divisions", 2, self.divisions)):
            values = [str(v) for v in spec.get(field) or []]
            for v in values:
                if not (v.isdigit() and len(v) == width) or v[:2] not in self.divisions:
                    raise SectorError(f"{where}: {field}: `{v}` is not a {width}-digit code of a known division")
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

    # --- lookups
    def is_valid(self, raw) -> bool:
        """Is `raw` a 4-digit code of a real division, with a matching section letter if it has one."""
        letter, code = _split(raw)
        if code is None or code[:2] not in self.divisions:
            return False
        if letter is None:
            return True
        span = self.sections.get(letter)
        return span is not None and span[0] <= code[:2] <= span[1]

    def name(self, code) -> str | None:
        """Chinese name of the class if the catalog holds it, else of the division; None if invalid."""
        if not self.is_valid(code):
            return None
        code = normalize_code(code)
        return self.classes.get(code) or self.groups.get(code[:3]) or self.divisions[code[:2]]

    def member(self, code) -> dict[str, bool]:
        """Category and flag membership of one valid code, e.g. member("3216")["two_high"] is True."""
        code = normalize_code(code)
        out: dict[str, bool] = {}
        for name, entry in self.entries.items():
            out[name] = entry.contains(code, out)
        return out

    def facts(self, codes) -> pd.DataFrame:
        """Fact columns for a Series of raw codes: sector, sector_valid and one boolean per category.

        Works once per distinct code. A missing code has sector_valid False; a missing or invalid code
        has every category <NA> (unknown, not "no"). A well-formed code of an unknown division keeps
        its digits in `sector` with sector_valid False.
        """
        codes = pd.Series(codes) if not isinstance(codes, pd.Series) else codes
        position, uniques = pd.factorize(codes.astype(object), use_na_sentinel=True)
        n = len(uniques) + 1  # the last slot stands for missing values (position -1)
        sector = np.full(n, None, dtype=object)
        valid = np.zeros(n, dtype=bool)
        table = {c: np.zeros(n, dtype=bool) for c in self.categories}
        known = np.zeros(n, dtype=bool)
        for i, raw in enumerate(uniques):
            sector[i] = normalize_code(raw)
            valid[i] = self.is_valid(raw)
            if valid[i]:
                known[i] = True
                for name, flag in self.member(raw).items():
                    table[name][i] = flag
        take = np.where(position < 0, n - 1, position)
        out = pd.DataFrame(index=codes.index)
        out["sector"] = pd.array(sector[take], dtype="string")
        out["sector_valid"] = pd.array(valid[take], dtype="boolean")
        unknown = ~known[take]
        for name in self.categories:
            out[name] = pd.arrays.BooleanArray(table[name][take], unknown)
        return out


def load_sectors(path: Path | str | None = None) -> SectorCatalog:
    """Read the sector catalog (default `rules/sectors.yaml` of this repository)."""
    path = Path(path) if path is not None else RULES_DIR / "sectors.yaml"
    try:
        data = read_yaml(path)
    except yaml.YAMLError as exc:
        raise SectorError(f"{path}: not valid YAML: {exc}") from exc
    except OSError as exc:
        raise SectorError(f"{path}: cannot be read: {exc}") from exc
    return SectorCatalog(data, path)
