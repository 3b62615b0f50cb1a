"""Structured rule conditions (no expression strings, nothing evaluated) and their vectorised
three-valued evaluation over a facts frame.

A condition is a mapping: `all: [...]`, `any: [...]`, `not: {...}`, or a leaf on one fact:

    {fact: in_redline, is: true}                        boolean facts
    {fact: construction, in: [new, expansion]}          string facts; list facts match any item
    {fact: pm25, gt: {param: pm25_annual_limit}}        lt le gt ge on numbers; eq ne on numbers/strings
    {fact: process, missing: true}                      the fact is unknown (<NA>, blank or absent)

Evaluation follows Kleene logic: a leaf on an unknown fact is <NA> (except `missing:`), `all` is
False as soon as one part is False, `any` True as soon as one part is True, otherwise <NA>.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import reduce
from numbers import Real

import numpy as np
import pandas as pd

from zoning.vocabulary import words

FACT_TYPES = ("boolean", "number", "string", "list")
COMPARISONS = {"lt": "<", "le": "<=", "gt": ">", "ge": ">=", "eq": "==", "ne": "!="}
LEAF_OPS = ("is", "in", "missing", *COMPARISONS)
_TRUE = {w.lower() for w, code in words("boolean").items() if code == "true"}  # rules/vocabulary.yaml
_FALSE = {w.lower() for w, code in words("boolean").items() if code == "false"}


class ConditionError(ValueError):
    """A condition is malformed; `path` says where inside it (e.g. `all[1].any[0]`)."""

    def __init__(self, message: str, path: str = ""):
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)


@dataclass(frozen=True)
class FactSpec:
    """A fact a rule may use: its type, descriptions, neutral default and controlled vocabulary."""

    name: str
    type: str
    zh: str = ""
    en: str = ""
    origin: str = ""
    default: object = None
    values: tuple[str, ...] | None = None


class FactFrame:
    """A facts DataFrame read through the fact registry: typed columns, cached; absent -> all <NA>."""

    def __init__(self, frame: pd.DataFrame, specs: Mapping[str, FactSpec] | None = None):
        self.frame = frame
        self.specs = specs or {}
        self._cache: dict[tuple[str, str], pd.api.extensions.ExtensionArray] = {}

    def __len__(self) -> int:
        return len(self.frame)

    def column(self, name: str, ftype: str):
        """The fact as a nullable array of its type ("boolean", "Float64" or "string")."""
        key = (name, ftype)
        if key not in self._cache:
            raw = self.frame[name] if name in self.frame.columns else None
            self._cache[key] = _typed(raw, ftype, len(self.frame))
        return self._cache[key]

    def missing(self, name: str, ftype: str | None = None) -> np.ndarray:
        """Rows where the fact is unknown, as a numpy bool array (type from the registry unless given)."""
        spec = self.specs.get(name)
        ftype = ftype or (spec.type if spec else "string")
        return np.asarray(pd.isna(self.column(name, ftype)), dtype=bool)


def _typed(raw: pd.Series | None, ftype: str, n: int):
    """Convert a raw column to the nullable array of `ftype`; values that do not fit become <NA>."""
    if ftype == "boolean":
        if raw is None:
            return pd.array([pd.NA] * n, dtype="boolean")
        if isinstance(raw.dtype, pd.BooleanDtype):
            return raw.array
        if raw.dtype == bool:
            return pd.array(raw.to_numpy(), dtype="boolean")
        codes, uniques = pd.factorize(raw.astype(object), use_na_sentinel=True)
        values = np.array([_as_bool(u) for u in uniques] + [None], dtype=object)
        picked = values[np.where(codes < 0, len(uniques), codes)]
        mask = np.array([v is None for v in picked], dtype=bool)
        return pd.arrays.BooleanArray(np.where(mask, False, picked).astype(bool), mask)
    if ftype == "number":
        if raw is None:
            return pd.array([pd.NA] * n, dtype="Float64")
        return pd.to_numeric(raw, errors="coerce").astype("Float64").array
    if raw is None:
        return pd.array([pd.NA] * n, dtype="string")
    text = raw.astype("string")
    if ftype == "string":
        text = text.str.strip().mask(text.str.strip() == "")
    return text.array


def _as_bool(value):
    """True/False for bool-like values (True, 1, "true", "是"); None when unknown."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, Real) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        return True if word in _TRUE else False if word in _FALSE else None
    return None


def _as_frame(facts) -> FactFrame:
    return facts if isinstance(facts, FactFrame) else FactFrame(facts)


class Condition:
    """A parsed condition: `facts` it reads, `evaluate(frame)` -> boolean Series (True/False/<NA>)."""

    facts: tuple[str, ...] = ()

    def evaluate(self, facts) -> pd.Series:
        """Evaluate over a DataFrame or FactFrame; the result has the frame's index."""
        ff = _as_frame(facts)
        return pd.Series(self._eval(ff), index=ff.frame.index, dtype="boolean")

    def _eval(self, ff: FactFrame):
        raise TypeError(f"{type(self).__name__} cannot be evaluated")


@dataclass(frozen=True)
class Group(Condition):
    """`all` (Kleene and) or `any` (Kleene or) of parts."""

    op: str
    parts: tuple[Condition, ...]
    facts: tuple[str, ...] = field(default=())

    def _eval(self, ff):
        combine = (lambda a, b: a & b) if self.op == "all" else (lambda a, b: a | b)
        return reduce(combine, (p._eval(ff) for p in self.parts))

    def __str__(self):
        return "(" + f" {'and' if self.op == 'all' else 'or'} ".join(map(str, self.parts)) + ")"


@dataclass(frozen=True)
class Not(Condition):
    """Kleene negation: unknown stays unknown."""

    part: Condition
    facts: tuple[str, ...] = field(default=())

    def _eval(self, ff):
        return ~self.part._eval(ff)

    def __str__(self):
        return f"not {self.part}"


@dataclass(frozen=True)
class Leaf(Condition):
    """One test on one fact; `param` names the parameter `value` came from, if any."""

    fact: str
    type: str
    op: str
    value: object
    param: str | None = None
    facts: tuple[str, ...] = field(default=())

    def _eval(self, ff):
        if self.op == "missing":
            unknown = ff.missing(self.fact, self.type)
            return pd.array(unknown if self.value else ~unknown, dtype="boolean")
        col = ff.column(self.fact, self.type)
        if self.op == "is":
            return col if self.value else ~col
        if self.op in ("in", "eq", "ne") and self.type in ("string", "list"):
            wanted = self.value if self.op == "in" else (self.value,)
            hit = _member(col, frozenset(wanted), self.type == "list")
            return ~hit if self.op == "ne" else hit
        return {
            "lt": col.__lt__, "le": col.__le__, "gt": col.__gt__,
            "ge": col.__ge__, "eq": col.__eq__, "ne": col.__ne__,
        }[self.op](self.value)

    def __str__(self):
        shown = f"{{param: {self.param}}}" if self.param else repr(self.value)
        return f"{self.fact} {self.op} {shown}"


def _member(col, wanted: frozenset, is_list: bool):
    """Is each value (or, for list facts, any of its `;`-separated items) in `wanted`; <NA> stays <NA>."""
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    if is_list:
        hits = [any(item.strip() in wanted for item in str(u).split(";")) for u in uniques]
    else:
        hits = [u in wanted for u in uniques]
    table = np.array(hits + [False], dtype=bool)
    return pd.arrays.BooleanArray(table[np.where(codes < 0, len(uniques), codes)], codes < 0)


# --- parsing

def parse_condition(raw, facts: Mapping[str, FactSpec], params: Mapping[str, object] | None = None,
                    path: str = "when") -> Condition:
    """Parse a condition mapping, checking fact names, operators, value types and vocabularies.

    >>> spec = {"in_redline": FactSpec("in_redline", "boolean")}
    >>> str(parse_condition({"not": {"fact": "in_redline", "is": True}}, spec))
    'not in_redline is True'
    """
    params = params or {}
    if isinstance(raw, str):
        raise ConditionError(
            f"a condition must be a mapping (all/any/not or a fact leaf), not the text {raw!r}; "
            "expression strings are never evaluated", path)
    if not isinstance(raw, dict):
        raise ConditionError(f"a condition must be a mapping, not {type(raw).__name__}", path)
    keys = set(raw)
    if keys & {"all", "any", "not"}:
        if len(keys) != 1:
            raise ConditionError(f"`all`, `any` and `not` each stand alone; got keys {sorted(keys)}", path)
        (op,) = keys
        body = raw[op]
        if op == "not":
            part = parse_condition(body, facts, params, f"{path}.not")
            return Not(part, facts=part.facts)
        if not isinstance(body, list) or not body:
            raise ConditionError(f"`{op}` needs a non-empty list of conditions", f"{path}.{op}")
        parts = tuple(parse_condition(p, facts, params, f"{path}.{op}[{i}]") for i, p in enumerate(body))
        return Group(op, parts, facts=_union(p.facts for p in parts))
    if "fact" not in keys:
        raise ConditionError(f"expected `all`, `any`, `not` or a leaf with `fact`; got keys {sorted(keys)}", path)
    return _leaf(raw, facts, params, path)


def _union(groups) -> tuple[str, ...]:
    out: dict[str, None] = {}
    for g in groups:
        out.update(dict.fromkeys(g))
    return tuple(out)


def _leaf(raw: dict, facts: Mapping[str, FactSpec], params: Mapping[str, object], path: str) -> Leaf:
    name = raw["fact"]
    if not isinstance(name, str) or name not in facts:
        raise ConditionError(f"unknown fact `{name}` (not in rules/facts.yaml)", path)
    spec = facts[name]
    ops = [k for k in raw if k != "fact"]
    bad = [k for k in ops if k not in LEAF_OPS]
    if bad:
        raise ConditionError(f"unknown operator(s) {bad} on fact `{name}`; use one of {list(LEAF_OPS)}", path)
    if len(ops) != 1:
        raise ConditionError(f"a leaf needs exactly one operator on fact `{name}`, got {ops or 'none'}", path)
    op = ops[0]
    value, param = raw[op], None
    if isinstance(value, dict):
        if set(value) != {"param"}:
            raise ConditionError(f"`{op}` value mapping must be {{param: NAME}}, got {value}", path)
        param = value["param"]
        if param not in params:
            raise ConditionError(f"unknown parameter `{param}` (not in rules/parameters.yaml)", path)
        value = params[param]
    _check(spec, op, value, path)
    if op == "in":
        value = tuple(value)
    return Leaf(name, spec.type, op, value, param, facts=(name,))


def _check(spec: FactSpec, op: str, value, path: str) -> None:
    """Raise ConditionError unless `op value` makes sense for the fact's type and vocabulary."""
    where = f"fact `{spec.name}` ({spec.type})"
    if op in ("is", "missing"):
        if not isinstance(value, bool):
            raise ConditionError(f"`{op}` takes true or false, got {value!r}", path)
        if op == "is" and spec.type != "boolean":
            raise ConditionError(f"`is` works on boolean facts only; {where}", path)
        return
    if op == "in":
        if spec.type not in ("string", "list"):
            raise ConditionError(f"`in` works on string and list facts only; {where}", path)
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise ConditionError(f"`in` takes a non-empty list of words, got {value!r}", path)
        _vocabulary(spec, value, path)
        return
    numeric = isinstance(value, Real) and not isinstance(value, bool)
    if spec.type == "number":
        if not numeric:
            raise ConditionError(f"`{op}` on {where} needs a number or {{param: NAME}}, got {value!r}", path)
    elif op in ("eq", "ne") and spec.type in ("string", "list"):
        if not isinstance(value, str):
            raise ConditionError(f"`{op}` on {where} needs a word, got {value!r}", path)
        _vocabulary(spec, [value], path)
    else:
        hint = "; use `is`" if spec.type == "boolean" else ""
        raise ConditionError(f"`{op}` does not apply to {where}{hint}", path)


def _vocabulary(spec: FactSpec, words: list[str], path: str) -> None:
    if spec.values is None:
        return
    unknown = [w for w in words if w not in spec.values]
    if unknown:
        raise ConditionError(
            f"{unknown} not in the vocabulary of fact `{spec.name}`: {list(spec.values)}", path)
