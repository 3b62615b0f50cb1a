"""Run the YAML rule test cases of `rules/tests/*.yaml` (in the spirit of OpenFisca's YAML tests).

A case gives only the facts that matter; every other fact takes its `default` from facts.yaml and the
sector categories are derived from `sector`. `null` makes a fact unknown.

    cases:
      - name: steel mill outside a park is prohibited
        facts: {sector: "3120", in_compliant_park: false}
        expect:
          decision: prohibited
          fired: [high_pollution_outside_park]
          not_fired: [redline_development]      # evaluated and False
          undecided: []                         # optional: rules that must be <NA>; [] = none may be

Pairing: the cases of the rules in `rules/<topic>.yaml` live in `rules/tests/<topic>.yaml`, the file of
the same name. coverage_gaps (and so `zoning rules test`) fails when a rule file has no test file of its
name, when a test file has no rule file of its name, and when a rule has no case in its own topic's test
file where it fires, or none where it does not (cases elsewhere may name it, but do not count). This is
a failed check rather than a load error: screening needs no cases, and a rulebook copied without its
tests/ folder still loads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from zoning.yamlio import read_yaml
from screening.decide import SEVERITY, decide
from screening.rules import RuleSet, load_rules

_CASE_KEYS = {"name", "facts", "expect", "as_of"}
_EXPECT_KEYS = {"decision", "fired", "not_fired", "undecided"}
_DTYPES = {"boolean": "boolean", "number": "Float64", "string": "string", "list": "string"}


@dataclass(frozen=True)
class CaseResult:
    file: str
    name: str
    passed: bool
    message: str = ""


@dataclass
class Case:
    file: str
    name: str
    facts: dict
    expect: dict
    as_of: dt.date | None = None
    problems: list[str] = field(default_factory=list)


def load_cases(rules_dir: Path | str | None = None, rules: RuleSet | None = None) -> list[Case]:
    """Every case of `<rules_dir>/tests/*.yaml`; malformed cases carry their `problems`."""
    rules = rules or load_rules(rules_dir)
    cases = []
    for path in sorted((rules.directory / "tests").glob("*.yaml")):
        try:
            data = read_yaml(path) or {}
        except yaml.YAMLError as exc:
            cases.append(Case(str(path), "<file>", {}, {}, problems=[f"not valid YAML: {exc}"]))
            continue
        raw_cases = data.get("cases") if isinstance(data, dict) else None
        if not isinstance(raw_cases, list):
            cases.append(Case(str(path), "<file>", {}, {}, problems=["expected `cases:` with a list"]))
            continue
        for i, raw in enumerate(raw_cases):
            cases.append(_case(raw, str(path), i, rules))
    return cases


def _case(raw, file: str, index: int, rules: RuleSet) -> Case:
    if not isinstance(raw, dict):
        return Case(file, f"#{index + 1}", {}, {}, problems=["a case must be a mapping"])
    case = Case(file, str(raw.get("name") or f"#{index + 1}"), raw.get("facts") or {}, raw.get("expect") or {})
    problems = case.problems
    if set(raw) - _CASE_KEYS:
        problems.append(f"unknown field(s) {sorted(set(raw) - _CASE_KEYS)}")
    if not isinstance(case.facts, dict):
        problems.append("`facts` must be a mapping")
        case.facts = {}
    unknown = [f for f in case.facts if f not in rules.facts]
    if unknown:
        problems.append(f"unknown fact(s) {unknown} (not in facts.yaml)")
    if not isinstance(case.expect, dict) or set(case.expect) - _EXPECT_KEYS:
        problems.append(f"`expect` takes only {sorted(_EXPECT_KEYS)}")
        case.expect = {}
    if "decision" not in case.expect or case.expect["decision"] not in SEVERITY:
        problems.append(f"`expect.decision` must be one of {list(SEVERITY)}")
    for key in ("fired", "not_fired", "undecided"):
        ids = case.expect.get(key, [])
        bad = [i for i in ids if i not in rules.ids] if isinstance(ids, list) else [ids]
        if bad:
            problems.append(f"expect.{key}: unknown rule id(s) {bad}")
    if raw.get("as_of") is not None:
        try:
            case.as_of = dt.date.fromisoformat(str(raw["as_of"]))
        except ValueError:
            problems.append(f"`as_of` must be a date, got {raw['as_of']!r}")
    return case


def case_facts(cases: list[Case], rules: RuleSet) -> pd.DataFrame:
    """One typed facts row per case: defaults, then the case's facts, then categories from `sector`."""
    rows = []
    for case in cases:
        row = {n: s.default for n, s in rules.facts.items() if s.origin != "sector"}
        row.update(case.facts)
        rows.append(row)
    frame = pd.DataFrame(rows, index=range(len(cases)))
    derived = rules.sectors.facts(frame["sector"] if "sector" in frame else pd.Series([None] * len(cases)))
    for name in derived.columns:
        given = pd.Series([name in c.facts for c in cases], index=frame.index)
        if name in frame and given.any():
            frame[name] = frame[name].astype(object).where(given, derived[name].astype(object))
        else:
            frame[name] = derived[name]
    for name, spec in rules.facts.items():
        if name in frame:
            values = frame[name].astype(object).where(frame[name].notna(), None)
            frame[name] = pd.array(values.tolist(), dtype=_DTYPES[spec.type])
    return frame


def _ids(text) -> set[str]:
    return set(str(text).split(";")) - {""} if pd.notna(text) else set()


def _check(case: Case, out: pd.Series) -> CaseResult:
    fired, undecided = _ids(out["rule_ids"]), _ids(out["undecided"])
    exp = case.expect
    problems = []
    if out["decision"] != exp["decision"]:
        problems.append(f"decision {out['decision']!r}, expected {exp['decision']!r}")
    if missing := [i for i in exp.get("fired", []) if i not in fired]:
        problems.append(f"did not fire: {missing}")
    if wrong := [i for i in exp.get("not_fired", []) if i in fired or i in undecided]:
        problems.append(f"expected to evaluate to False but fired or was undecided: {wrong}")
    if missing := [i for i in exp.get("undecided", []) if i not in undecided]:
        problems.append(f"expected undecided: {missing}")
    if exp.get("undecided") == [] and undecided:
        problems.append(f"expected nothing undecided, got {sorted(undecided)}")
    if problems:
        problems.append(f"fired={sorted(fired)} undecided={sorted(undecided)} reasons={out['reasons']}")
    return CaseResult(case.file, case.name, not problems, "; ".join(problems))


def run_rule_tests(rules_dir: Path | str | None = None, rules: RuleSet | None = None) -> list[CaseResult]:
    """Run every case; one CaseResult per case (malformed cases fail with their problems)."""
    rules = rules or load_rules(rules_dir)
    cases = load_cases(rules=rules)
    results: list[CaseResult | None] = [None] * len(cases)
    good = [i for i, c in enumerate(cases) if not c.problems]
    for i, case in enumerate(cases):
        if case.problems:
            results[i] = CaseResult(case.file, case.name, False, "; ".join(case.problems))
    for as_of in {cases[i].as_of for i in good}:
        batch = [i for i in good if cases[i].as_of == as_of]
        out = decide(case_facts([cases[i] for i in batch], rules), rules, as_of=as_of)
        for row, i in enumerate(batch):
            results[i] = _check(cases[i], out.iloc[row])
    return results


def paired_test_file(rule_file: Path | str, rules: RuleSet) -> Path:
    """The test file paired with a rule file: `rules/<topic>.yaml` -> `rules/tests/<topic>.yaml`."""
    return rules.directory / "tests" / Path(rule_file).name


def pairing_problems(rules: RuleSet) -> list[str]:
    """Rule files without a same-named test file, and test files without a same-named rule file."""
    problems = []
    topics = {path.name for path in rules.files}
    for path in rules.files:
        if not paired_test_file(path, rules).is_file():
            problems.append(f"{path}: 规则文件没有同名测试文件 tests/{path.name} / "
                            f"rule file has no test file tests/{path.name} of the same name")
    for path in sorted((rules.directory / "tests").glob("*.yaml")):
        if path.name not in topics:
            problems.append(f"{path}: 测试文件没有同名规则文件 {path.name}（其规则在别的文件中）/ "
                            f"test file has no rule file {path.name} of the same name (its rules live in "
                            f"another file: rename it after the rule file it tests)")
    return problems


def coverage_gaps(rules_dir: Path | str | None = None, rules: RuleSet | None = None) -> list[str]:
    """Pairing problems, then rules without a case in their own topic's test file that expects them to
    fire, or without one there that expects them not to."""
    rules = rules or load_rules(rules_dir)
    cases = load_cases(rules=rules)
    fires: dict[str, set[str]] = {}
    quiet: dict[str, set[str]] = {}
    for case in cases:
        fires.setdefault(Path(case.file).name, set()).update(case.expect.get("fired", []) or [])
        quiet.setdefault(Path(case.file).name, set()).update(case.expect.get("not_fired", []) or [])
    gaps = pairing_problems(rules)
    for rule in rules.rules:
        topic = Path(rule.file).name
        if rule.id not in fires.get(topic, ()):
            gaps.append(f"{rule.file}: rule {rule.id} has no test case in tests/{topic} where it fires")
        if rule.id not in quiet.get(topic, ()):
            gaps.append(f"{rule.file}: rule {rule.id} has no test case in tests/{topic} where it does not fire")
    return gaps
