"""Load and validate the rules-as-data directory: facts.yaml (fact registry), sectors.yaml (sector
catalog), parameters.yaml (cited limits), index.yaml (the order of the rule files) and the rule files,
one per topic (data.yaml, redline.yaml, ...: every other *.yaml, each holding `rules:`). The writer's
guide is docs/rules.md.

    >>> rs = load_rules()
    >>> rs.rule("redline_development").outcome
    'prohibited'

Every mistake is a RuleError naming the file, the rule id and the field.

Rule kinds (`kind:`): a `policy` rule (the default) carries the law's `effective` (and optional `expires`)
date and applies only on the days it is in force; a `data` rule (`kind: data`: unknown sector, outside
the coverage, unrecognised construction) guards the facts the policy rules need, so it has no dates and
applies on every `as_of`. An `as_of` before the earliest `effective` date of the policy rules is an
AsOfError: no rulebook was in force, and an empty rulebook would call every row admissible.

Rule order: rules are read file by file in the order of `rule_files` in index.yaml, top to bottom within
a file; that order is the order of rule ids and reasons in every output. A rule file missing from
index.yaml is a RuleError. A directory without index.yaml (a small test rulebook) reads its rule files
in name order.

Parameters may change over time (OpenFisca style): `values: {2012-02-29: 75, 2024-01-01: 35}` gives
each value from its date on; a plain `value` applies on every date (or, beside `values`, before the
first of them). RuleSet.in_force(as_of) returns the rules with the values in force on `as_of`; an
`as_of` before the first date of a parameter without a plain `value` is an AsOfError naming that date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

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
#: the file that orders the rule files (`rule_files:`); see load_rules
INDEX_FILE = "index.yaml"
RESERVED_FILES = ("facts.yaml", "sectors.yaml", "parameters.yaml", "process_words.yaml", "vocabulary.yaml",
                  INDEX_FILE)
_SOURCE_KEYS = {"document", "clause", "note", "reference"}
_PARAMETER_KEYS = {"name", "value", "values", "unit", "zh", "en", "source"}
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
    """Where a rule or parameter comes from: document, clause, an optional note and an optional
    `reference`, the http(s) address of the official text (kept and shown, never fetched)."""

    document: str
    clause: str
    note: str = ""
    reference: str = ""

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
    """A cited limit a rule compares with, e.g. pm25_annual_limit = 35 µg/m³ (GB 3095-2012).

    `value` applies on every date when there are no `values`; `values` are (date, value) pairs, oldest
    first, each in force from its date until the next; beside them `value` (if any) applies before the
    first date.
    """

    name: str
    value: float | None
    unit: str
    source: Source
    zh: str = ""
    en: str = ""
    values: tuple[tuple[dt.date, float], ...] = ()

    @property
    def dated(self) -> bool:
        """Does the value depend on the date?"""
        return bool(self.values)

    @property
    def latest(self) -> float:
        """The newest value: the last dated one, else `value`."""
        return self.values[-1][1] if self.values else self.value

    @property
    def every_value(self) -> tuple[float, ...]:
        """Every value the parameter ever takes."""
        plain = () if self.value is None else (self.value,)
        return plain + tuple(v for _, v in self.values)

    def value_on(self, day: dt.date) -> float:
        """The value in force on `day`; before the first dated value without a plain `value`: AsOfError."""
        started = [value for since, value in self.values if since <= day]
        if started:
            return started[-1]
        if self.value is None:
            first = self.values[0][0].isoformat()
            raise AsOfError(f"参数 {self.name} 最早的取值日期为 {first}，--as-of {day.isoformat()} 早于该日期 / "
                            f"parameter {self.name} has no value before {first}; "
                            f"--as-of {day.isoformat()} is before it")
        return self.value


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
    """Rules in file order, the parameters and fact registry they use, and the sector catalog.

    The conditions of `rules` hold each parameter's newest value; `in_force(day)` gives them the values
    in force on `day`. `files` are the rule files read, in order.
    """

    rules: list[Rule]
    parameters: dict[str, Parameter]
    facts: dict[str, FactSpec]
    sectors: SectorCatalog
    directory: Path
    files: tuple[Path, ...] = ()

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
        rules in force, their parameters holding the values in force on `day`. A day before
        `first_effective` is an AsOfError naming both dates; so is a day before the first value of a
        dated parameter (without a plain `value`) that a rule in force compares with."""
        day = day or dt.date.today()
        first = self.first_effective
        if first is not None and day < first:
            raise AsOfError(f"规则最早生效日期为 {first.isoformat()}，--as-of {day.isoformat()} 早于该日期 / "
                            f"the rulebook's earliest effective date is {first.isoformat()}; "
                            f"--as-of {day.isoformat()} is before it")
        return [self._on(rule, day) for rule in self.rules if rule.active_on(day)]

    def parameter_value(self, name: str, day: dt.date | None = None) -> float:
        """The value of parameter `name` in force on `day` (default today); see Parameter.value_on."""
        return self.parameters[name].value_on(day or dt.date.today())

    def _on(self, rule: Rule, day: dt.date) -> Rule:
        """`rule` with the values of its dated parameters in force on `day` (the rule itself when none)."""
        dated = {leaf.param for leaf in _leaves(rule.when) if leaf.param and self.parameters[leaf.param].dated}
        if not dated:
            return rule
        values = {name: self.parameters[name].value_on(day) for name in dated}
        return replace(rule, when=_bind(rule.when, values))

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
        """Number fact -> the largest |number| any rule compares it with (lt le gt ge eq ne), any date
        (every value of a dated parameter counts).

        A distance must be computed exactly at least this far whatever the reporting cap
        (`max_distance_m`), or capping it would change decisions.
        """
        out: dict[str, float] = {}
        for rule in self.rules:
            for leaf in _leaves(rule.when):
                if leaf.type == "number" and leaf.op in _THRESHOLD_OPS:
                    numbers = self.parameters[leaf.param].every_value if leaf.param else (leaf.value,)
                    out[leaf.fact] = max([out.get(leaf.fact, 0.0)] + [abs(float(v)) for v in numbers])
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


def _bind(cond: Condition, values: dict[str, float]) -> Condition:
    """A copy of `cond` whose leaves naming a parameter of `values` compare with that value."""
    if isinstance(cond, Leaf):
        return replace(cond, value=values[cond.param]) if cond.param in values else cond
    if isinstance(cond, Group):
        return replace(cond, parts=tuple(_bind(part, values) for part in cond.parts))
    if isinstance(cond, Not):
        return replace(cond, part=_bind(cond.part, values))
    return cond


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
    extra = set(raw) - _SOURCE_KEYS
    if extra:
        raise RuleError(f"{where}: source: unknown field(s) {sorted(extra)}")
    return Source(_text(raw.get("document"), where, "source.document"),
                  _text(raw.get("clause"), where, "source.clause"),
                  _text(raw.get("note"), where, "source.note", required=False),
                  _reference(raw.get("reference"), where))


def _reference(value, where: str) -> str:
    """`source.reference`: an http(s) address of the official text, checked as text only (never fetched)."""
    if value is None:
        return ""
    text = value.strip() if isinstance(value, str) else ""
    if not _is_web_address(text):
        raise RuleError(f"{where}: `source.reference` 须为 http(s) 网址，得到 {value!r} / "
                        f"`source.reference` must be an http(s) URL, got {value!r}")
    return text


def _date(value, where: str, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise RuleError(f"{where}: `{field}` must be a date like 2023-08-18, got {value!r}") from None


def _is_web_address(text: str) -> bool:
    """Is `text` an absolute http(s) URL with a host and no whitespace?"""
    if not text or re.search(r"\s", text):
        return False
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. an unclosed [IPv6] bracket
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


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
        extra = set(item) - _PARAMETER_KEYS
        if extra:
            raise RuleError(f"{where}: 未知字段 {sorted(extra)} / unknown field(s) {sorted(extra)}")
        values = _dated_values(item.get("values"), where)
        value = item.get("value")
        if value is not None or not values:
            value = _number(value, where, "value")
        out[name] = Parameter(name, value, _text(item.get("unit"), where, "unit"),
                              _source(item.get("source"), where), str(item.get("zh") or ""),
                              str(item.get("en") or ""), values)
    return out


def _number(value, where: str, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RuleError(f"{where}: `{field}` 须为数字，得到 {value!r} / `{field}` must be a number, got {value!r}")
    return float(value)


def _dated_values(raw, where: str) -> tuple[tuple[dt.date, float], ...]:
    """`values: {2012-02-29: 75, 2024-01-01: 35}` -> ((date, value), ...) oldest first; absent -> ()."""
    if raw is None:
        return ()
    if not isinstance(raw, dict) or not raw:
        raise RuleError(f"{where}: `values` 须为“日期: 数值”的映射 / `values` must be a mapping of date: number, "
                        f"e.g. {{2012-02-29: 75, 2024-01-01: 35}}, got {raw!r}")
    out = {}
    for day, value in raw.items():
        since = _date(day, where, "values")
        if since in out:
            raise RuleError(f"{where}: `values` 中日期 {since} 出现两次 / date {since} is given twice in `values`")
        out[since] = _number(value, where, f"values[{since}]")
    return tuple(sorted(out.items()))


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
        when = parse_condition(raw["when"], facts, {k: p.latest for k, p in params.items()}, "when")
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


def rule_files(directory: Path) -> list[Path]:
    """The rule files of `directory` in rule order: as listed by `rule_files` in index.yaml, or, without
    an index, every non-reserved *.yaml in name order. A rule file the index leaves out, or an index
    entry that is no rule file, is a RuleError."""
    present = sorted(p for p in directory.glob("*.yaml") if p.name not in RESERVED_FILES)
    index = directory / INDEX_FILE
    if not index.exists():
        return present
    listed = _read(index).get("rule_files")
    if not isinstance(listed, list) or not listed or not all(isinstance(n, str) for n in listed):
        raise RuleError(f"{index}: `rule_files` 须为规则文件名列表 / `rule_files` must be a list of rule file names")
    for name in listed:
        if name in RESERVED_FILES or Path(name).name != name or not name.endswith(".yaml"):
            raise RuleError(f"{index}: `{name}` 不是规则文件名 / `{name}` is not a rule file name (topic.yaml)")
        if not (directory / name).is_file():
            raise RuleError(f"{index}: 规则文件 {name} 不存在 / rule file {name} does not exist")
        if listed.count(name) > 1:
            raise RuleError(f"{index}: 规则文件 {name} 列出两次 / rule file {name} is listed twice")
    unlisted = [p.name for p in present if p.name not in listed]
    if unlisted:
        raise RuleError(f"{index}: 规则文件 {unlisted} 未列入 rule_files / rule file(s) {unlisted} are not "
                        "listed in `rule_files` (the list sets the rule order)")
    return [directory / name for name in listed]


def load_rules(rules_dir: Path | str | None = None) -> RuleSet:
    """Load a rules directory (default: this repository's `rules/`); rule files in index.yaml order."""
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
    files = rule_files(directory)
    for path in files:
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
    return RuleSet(rules, params, facts, sectors, directory, tuple(files))
