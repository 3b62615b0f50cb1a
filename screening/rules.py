"""Load and validate the rules-as-data directory: facts.yaml (fact registry), sectors.yaml (sector
catalog), parameters.yaml (cited limits) and every other *.yaml holding `rules:`.

    >>> rs = load_rules()
    >>> rs.rule("redline_development").outcome
    'prohibited'

Every mistake is a RuleError naming the file, the rule id and the field.

Rule kinds (`kind:`): a `policy` rule (the default) carries the law's `effective` (and optional `expires`)
date and applies only on the days it is in force; a `data` rule (`kind: data`: unknown sector, outside
the coverage, unrecognised construction) guards the facts the policy rules need, so it has no dates and
applies on every `as_of`. An `as_of` before the earliest `effective` date of the policy rules is an
AsOfError: no rulebook was in force, and an empty rulebook would call every row admissible.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from zoning.yamlio import read_yaml
from screening.conditions import (
    FACT_TYPES,
    Condition,
    ConditionError,
    FactSpec,
    Group,
    Leaf,
    Not,
    parse_condition,
)
from screening.sectors import RULES_DIR, SectorCatalog, SectorError, load_sectors

OUTCOMES = ("prohibited", "review", "conditional", "admissible", "note")
#: outcomes that make a row other than admissible: when such a rule cannot be decided, neither can the row
BLOCKING = ("prohibited", "review", "conditional")
KINDS = ("policy", "data")
#: comparison operators whose number a fact must be known up to (see RuleSet.thresholds)
_THRESHOLD_OPS = ("lt", "le", "gt", "ge", "eq", "ne")
RESERVED_FILES = ("facts.yaml", "sectors.yaml", "parameters.yaml", "process_words.yaml", "vocabulary.yaml")
_RULE_KEYS = {"id", "kind", "title_zh", "title_en", "source", "effective", "expires", "when", "outcome",
              "reason_zh", "reason_en", "obligations"}
_REQUIRED = ("id", "title_zh", "title_en", "source", "when", "outcome", "reason_zh", "reason_en")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class RuleError(Exception):
    """A rule file is wrong; the message names file, rule id and field."""


class AsOfError(RuleError, ValueError):
    """`as_of` is before the rulebook's earliest effective date: no rule set was in force on that day."""


@dataclass(frozen=True)
class Source:
    """Where a rule or parameter comes from: document, clause and an optional note."""

    document: str
    clause: str
    note: str = ""

    @property
    def citation(self) -> str:
        return f"{self.document} {self.clause}"


@dataclass(frozen=True)
class Obligation:
    zh: str
    en: str

    def __str__(self) -> str:
        return f"{self.zh} ({self.en})"


@dataclass(frozen=True)
class Parameter:
    """A cited limit a rule compares with, e.g. pm25_annual_limit = 35 µg/m³ (GB 3095-2012)."""

    name: str
    value: float
    unit: str
    source: Source
    zh: str = ""
    en: str = ""


@dataclass(frozen=True)
class Rule:
    """One rule: when its condition holds for a row, the row gets its outcome, reason and obligations.

    `effective` is None for a data rule (`kind == "data"`), which applies on every date.
    """

    id: str
    title_zh: str
    title_en: str
    source: Source
    effective: dt.date | None
    expires: dt.date | None
    when: Condition
    outcome: str
    reason_zh: str
    reason_en: str
    obligations: tuple[Obligation, ...]
    file: str
    kind: str = "policy"

    @property
    def facts(self) -> tuple[str, ...]:
        return self.when.facts

    @property
    def citation(self) -> str:
        return self.source.citation

    @property
    def reason(self) -> str:
        """`reason_zh (reason_en) [document clause]`, the text decide() puts in `reasons`."""
        return f"{self.reason_zh} ({self.reason_en}) [{self.citation}]"

    @property
    def blocking(self) -> bool:
        """Can this rule make a row other than admissible (prohibited, review, conditional)?"""
        return self.outcome in BLOCKING

    def active_on(self, day: dt.date) -> bool:
        """In force on `day`: a data rule always; else effective <= day, and day before `expires` (the first
        day it no longer applies)."""
        if self.kind == "data":
            return True
        return self.effective <= day and (self.expires is None or day < self.expires)


@dataclass
class RuleSet:
    """Rules in file order, the parameters and fact registry they use, and the sector catalog."""

    rules: list[Rule]
    parameters: dict[str, Parameter]
    facts: dict[str, FactSpec]
    sectors: SectorCatalog
    directory: Path

    @property
    def required_facts(self) -> tuple[str, ...]:
        """Every fact some rule reads, in order of first use."""
        seen: dict[str, None] = {}
        for rule in self.rules:
            seen.update(dict.fromkeys(rule.facts))
        return tuple(seen)

    @property
    def first_effective(self) -> dt.date | None:
        """The earliest `effective` date of the policy rules (None when there are only data rules)."""
        dates = [r.effective for r in self.rules if r.kind != "data"]
        return min(dates) if dates else None

    def in_force(self, day: dt.date | None = None) -> list[Rule]:
        """The rules that apply on `day` (default today), in file order: every data rule, and the policy
        rules in force. A day before `first_effective` is an AsOfError naming both dates."""
        day = day or dt.date.today()
        first = self.first_effective
        if first is not None and day < first:
            raise AsOfError(f"规则最早生效日期为 {first.isoformat()}，--as-of {day.isoformat()} 早于该日期 / "
                            f"the rulebook's earliest effective date is {first.isoformat()}; "
                            f"--as-of {day.isoformat()} is before it")
        return [r for r in self.rules if r.active_on(day)]

    def admissibility_facts(self, day: dt.date | None = None) -> dict[str, tuple[str, ...]]:
        """What an admissible answer needs, defined once: rule id -> the facts its condition reads, for
        every blocking rule (prohibited, review, conditional) in force on `day`.

        A row is admissible only when every one of these rules could be decided (True or False, not <NA>)
        from its facts; a fact is known only when it holds for the WHOLE site (zoning.facts makes spatial
        facts <NA> for a site with any part outside the coverage). screening.decide reads this mapping
        both to send undecided rows to review and to name the unknown facts in the reason.
        """
        return {r.id: r.facts for r in self.in_force(day) if r.blocking}

    @property
    def thresholds(self) -> dict[str, float]:
        """Number fact -> the largest |number| any rule compares it with (lt le gt ge eq ne), any date.

        A distance must be computed exactly at least this far whatever the reporting cap
        (`max_distance_m`), or capping it would change decisions.
        """
        out: dict[str, float] = {}
        for rule in self.rules:
            for leaf in _leaves(rule.when):
                if leaf.type == "number" and leaf.op in _THRESHOLD_OPS:
                    out[leaf.fact] = max(out.get(leaf.fact, 0.0), abs(float(leaf.value)))
        return out

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    @property
    def ids(self) -> list[str]:
        return [r.id for r in self.rules]


def _leaves(cond: Condition):
    """Every leaf of a condition tree, depth first."""
    if isinstance(cond, Leaf):
        yield cond
    elif isinstance(cond, Group):
        for part in cond.parts:
            yield from _leaves(part)
    elif isinstance(cond, Not):
        yield from _leaves(cond.part)


def _read(path: Path) -> dict:
    try:
        data = read_yaml(path)
    except yaml.YAMLError as exc:
        raise RuleError(f"{path}: not valid YAML: {exc}") from exc
    except OSError as exc:
        raise RuleError(f"{path}: cannot be read: {exc}") from exc
    if not isinstance(data, dict):
        raise RuleError(f"{path}: expected a mapping at the top level")
    return data


def _text(value, where: str, field: str, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise RuleError(f"{where}: `{field}` must be non-empty text, got {value!r}")
    return value.strip()


def _source(raw, where: str) -> Source:
    if not isinstance(raw, dict):
        raise RuleError(f"{where}: `source` is required: a mapping with document and clause (the citation)")
    extra = set(raw) - {"document", "clause", "note"}
    if extra:
        raise RuleError(f"{where}: source: unknown field(s) {sorted(extra)}")
    return Source(_text(raw.get("document"), where, "source.document"),
                  _text(raw.get("clause"), where, "source.clause"),
                  _text(raw.get("note"), where, "source.note", required=False))


def _date(value, where: str, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise RuleError(f"{where}: `{field}` must be a date like 2023-08-18, got {value!r}") from None


def load_facts(path: Path) -> dict[str, FactSpec]:
    """Read the fact registry (`facts.yaml`)."""
    raw = _read(path).get("facts")
    if not isinstance(raw, dict) or not raw:
        raise RuleError(f"{path}: `facts` must be a non-empty mapping")
    out = {}
    for name, spec in raw.items():
        where = f"{path}: fact {name}"
        if not isinstance(spec, dict):
            raise RuleError(f"{where}: expected a mapping with type, zh, en")
        extra = set(spec) - {"type", "origin", "default", "values", "zh", "en"}
        if extra:
            raise RuleError(f"{where}: unknown field(s) {sorted(extra)}")
        if spec.get("type") not in FACT_TYPES:
            raise RuleError(f"{where}: `type` must be one of {list(FACT_TYPES)}, got {spec.get('type')!r}")
        values = spec.get("values")
        if values is not None and not (isinstance(values, list) and all(isinstance(v, str) for v in values)):
            raise RuleError(f"{where}: `values` must be a list of words")
        out[name] = FactSpec(name, spec["type"], _text(spec.get("zh"), where, "zh"),
                             _text(spec.get("en"), where, "en"), str(spec.get("origin") or ""),
                             spec.get("default"), tuple(values) if values is not None else None)
    return out


def load_parameters(path: Path) -> dict[str, Parameter]:
    """Read the cited parameters (`parameters.yaml`); a missing file means no parameters."""
    if not path.exists():
        return {}
    raw = _read(path).get("parameters") or []
    if not isinstance(raw, list):
        raise RuleError(f"{path}: `parameters` must be a list of {{name, value, unit, source}}")
    out = {}
    for i, item in enumerate(raw):
        name = item.get("name") if isinstance(item, dict) else None
        where = f"{path}: parameter {name or f'#{i + 1}'}"
        if not isinstance(name, str) or not _ID.match(name):
            raise RuleError(f"{where}: `name` must be lower_snake_case text")
        if name in out:
            raise RuleError(f"{where}: defined twice")
        value = item.get("value")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise RuleError(f"{where}: `value` must be a number, got {value!r}")
        out[name] = Parameter(name, float(value), _text(item.get("unit"), where, "unit"),
                              _source(item.get("source"), where), str(item.get("zh") or ""),
                              str(item.get("en") or ""))
    return out


def _check_sector_facts(facts: dict[str, FactSpec], sectors: SectorCatalog, path: Path) -> None:
    """Every category/flag of sectors.yaml is a boolean fact, and every `origin: sector` fact exists there."""
    for name in sectors.categories:
        if name not in facts or facts[name].type != "boolean":
            raise RuleError(f"{path}: sector category/flag `{name}` of {sectors.path} must be a boolean fact")
    for name, spec in facts.items():
        if spec.origin == "sector" and name not in sectors.categories:
            raise RuleError(f"{path}: fact {name} has origin sector but {sectors.path} has no such category")


def parse_rule(raw, facts: dict[str, FactSpec], params: dict[str, Parameter], file: str, index: int) -> Rule:
    """Validate one rule mapping from `file` (the `index`-th, for messages when it has no id)."""
    rid = raw.get("id") if isinstance(raw, dict) else None
    where = f"{file}: rule {rid}" if isinstance(rid, str) else f"{file}: rule #{index + 1}"
    if not isinstance(raw, dict):
        raise RuleError(f"{where}: expected a mapping")
    missing = [k for k in _REQUIRED if k not in raw]
    if missing:
        hint = " (every rule cites document and clause)" if "source" in missing else ""
        raise RuleError(f"{where}: missing field(s) {missing}{hint}")
    extra = set(raw) - _RULE_KEYS
    if extra:
        raise RuleError(f"{where}: unknown field(s) {sorted(extra)}")
    if not isinstance(rid, str) or not _ID.match(rid):
        raise RuleError(f"{where}: `id` must be lower_snake_case text")
    outcome = raw["outcome"]
    if outcome not in OUTCOMES:
        raise RuleError(f"{where}: `outcome` must be one of {list(OUTCOMES)}, got {outcome!r}")
    try:
        when = parse_condition(raw["when"], facts, {k: p.value for k, p in params.items()}, "when")
    except ConditionError as exc:
        raise RuleError(f"{where}: {exc}") from None
    obligations = _obligations(raw.get("obligations"), where)
    if outcome == "conditional" and not obligations:
        raise RuleError(f"{where}: `obligations` (a list of {{zh, en}}) is required for a conditional rule")
    kind = raw.get("kind", "policy")
    if kind not in KINDS:
        raise RuleError(f"{where}: `kind` must be one of {list(KINDS)}, got {kind!r}")
    effective, expires = _dates(raw, kind, where)
    return Rule(rid, _text(raw["title_zh"], where, "title_zh"), _text(raw["title_en"], where, "title_en"),
                _source(raw["source"], where), effective, expires, when, outcome,
                _text(raw["reason_zh"], where, "reason_zh"), _text(raw["reason_en"], where, "reason_en"),
                obligations, file, kind)


def _dates(raw: dict, kind: str, where: str) -> tuple[dt.date | None, dt.date | None]:
    """(effective, expires): a policy rule needs `effective`; a data rule applies on every date, so has neither."""
    if kind == "data":
        dated = [k for k in ("effective", "expires") if k in raw]
        if dated:
            raise RuleError(f"{where}: a data rule (kind: data) applies on every date; remove {dated}")
        return None, None
    if "effective" not in raw:
        raise RuleError(f"{where}: missing field(s) ['effective'] (a policy rule needs the date it took effect)")
    effective = _date(raw["effective"], where, "effective")
    expires = _date(raw["expires"], where, "expires") if raw.get("expires") is not None else None
    if expires is not None and expires <= effective:
        raise RuleError(f"{where}: `expires` ({expires}) must come after `effective` ({effective})")
    return effective, expires


def _obligations(raw, where: str) -> tuple[Obligation, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise RuleError(f"{where}: `obligations` must be a list of {{zh, en}}")
    out = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or set(item) != {"zh", "en"}:
            raise RuleError(f"{where}: obligations[{i}] must be a mapping with exactly zh and en")
        out.append(Obligation(_text(item["zh"], where, f"obligations[{i}].zh"),
                              _text(item["en"], where, f"obligations[{i}].en")))
    return tuple(out)


def load_rules(rules_dir: Path | str | None = None) -> RuleSet:
    """Load a rules directory (default: this repository's `rules/`); rule files in name order."""
    directory = Path(rules_dir) if rules_dir is not None else RULES_DIR
    facts = load_facts(directory / "facts.yaml")
    try:
        sectors = load_sectors(directory / "sectors.yaml")
    except SectorError as exc:
        raise RuleError(str(exc)) from None
    _check_sector_facts(facts, sectors, directory / "facts.yaml")
    params = load_parameters(directory / "parameters.yaml")
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for path in sorted(directory.glob("*.yaml")):
        if path.name in RESERVED_FILES:
            continue
        raw = _read(path).get("rules")
        if not isinstance(raw, list):
            raise RuleError(f"{path}: expected `rules:` with a list of rules")
        for i, item in enumerate(raw):
            rule = parse_rule(item, facts, params, str(path), i)
            if rule.id in seen:
                raise RuleError(f"{path}: rule {rule.id}: id already used in {seen[rule.id]}")
            seen[rule.id] = str(path)
            rules.append(rule)
    if not rules:
        raise RuleError(f"{directory}: no rule files (*.yaml with `rules:`)")
    return RuleSet(rules, params, facts, sectors, directory)
