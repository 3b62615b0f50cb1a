"""Apply a rule set to a facts frame: one decision per row, with the fired rules, reasons,
obligations, citations and the rules that could not be decided.

The decision is the most severe outcome among fired rules (prohibited > review > conditional >
admissible; a `note` adds a reason but no severity).

Fail closed, defined once: `RuleSet.admissibility_facts(as_of)` is the single list of what an admissible
answer needs — every blocking (prohibited/review/conditional) rule in force with the facts its condition
reads. A row is admissible only when each of those rules is decided (True/False); one that is <NA> for a
row (a fact it reads is unknown, e.g. a spatial fact of a site partly outside the coverage) makes the row
at least `review`, with a reason naming the rule and the unknown facts. Undecided note/admissible rules
cannot change the decision; they are only listed in `undecided`. Data rules (unknown sector, outside
the coverage, unrecognised construction) apply on every date, and an `as_of` before the rulebook's
earliest effective date is an AsOfError (RuleError, ValueError), never an empty rulebook.

    >>> from screening.rules import load_rules
    >>> rules = load_rules()
    >>> facts = rules.sectors.facts(pd.Series(["3911"])).assign(in_redline=True, major=False)
    >>> decide(facts, rules).loc[0, ["decision", "decision_zh"]].tolist()
    ['prohibited', '禁止准入']
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from screening.conditions import FactFrame
from zoning.vocabulary import labels
from screening.rules import RuleSet

#: decision -> severity; higher is more severe. `note` has none.
SEVERITY = {"admissible": 0, "conditional": 1, "review": 2, "prohibited": 3}
DECISIONS = tuple(sorted(SEVERITY, key=SEVERITY.get))
#: decision -> Chinese label; `invalid` is added by screening.screen for unreadable rows, never here.
DECISION_ZH = {code: zh for code, (zh, _) in labels("decision").items()}
COLUMNS = ("decision", "decision_zh", "rule_ids", "reasons", "obligations", "citations", "undecided")
_TEXT = pd.StringDtype("python")


def _outcomes(ff: FactFrame, rules: list) -> tuple[np.ndarray, np.ndarray]:
    """Row x rule matrices: fired (True) and undecided (<NA>), one column per rule."""
    n = len(ff)
    fired = np.zeros((n, len(rules)), dtype=bool)
    unknown = np.zeros((n, len(rules)), dtype=bool)
    for j, rule in enumerate(rules):
        result = rule.when.evaluate(ff)
        unknown[:, j] = result.isna().to_numpy()
        fired[:, j] = result.fillna(False).to_numpy(dtype=bool)
    return fired, unknown


def _patterns(*matrices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of the side-by-side boolean matrices, and each row's pattern number."""
    key = np.concatenate([np.ones((matrices[0].shape[0], 1), dtype=bool), *matrices], axis=1)
    packed = np.ascontiguousarray(np.packbits(key, axis=1))
    view = packed.view(np.dtype((np.void, packed.shape[1]))).ravel()
    _, first, inverse = np.unique(view, return_index=True, return_inverse=True)
    return key[first, 1:], inverse.ravel()


def _texts(pattern: np.ndarray, rules: list, names: list[str], needs: dict[str, tuple[str, ...]],
           labels: dict[str, tuple[str, str]]) -> list[str]:
    """The output strings (COLUMNS order) of one pattern of fired | undecided rules | unknown facts;
    `needs` is RuleSet.admissibility_facts: an undecided rule in it makes the pattern review; a review
    reason names the rule by its title and the unknown facts by their labels (`labels`: fact → (zh, en))."""
    r, k = len(rules), len(names)
    fired, unknown, missing = pattern[:r], pattern[r:2 * r], pattern[2 * r:2 * r + k]
    severity, ids, reasons, duties, cites, undecided = 0, [], [], [], [], []
    gone = {names[i] for i in np.flatnonzero(missing)}
    for j, rule in enumerate(rules):
        if fired[j]:
            ids.append(rule.id)
            reasons.append(rule.reason)
            duties.extend(str(o) for o in rule.obligations)
            if rule.citation not in cites:
                cites.append(rule.citation)
            severity = max(severity, SEVERITY.get(rule.outcome, 0))
        elif unknown[j]:
            undecided.append(rule.id)
            if rule.id in needs:
                facts = [f for f in needs[rule.id] if f in gone]
                zh = "、".join(labels[f][0] for f in facts)
                en = "; ".join(labels[f][1] for f in facts)
                reasons.append(f"规则「{rule.title_zh}」无法判定：{zh}未知 "
                               f"(rule \"{rule.title_en}\" could not be decided: {en} unknown)")
                severity = max(severity, SEVERITY["review"])
    decision = DECISIONS[severity]
    return [decision, DECISION_ZH[decision], ";".join(ids), " | ".join(reasons),
                      " | ".join(duties), ";".join(cites), ";".join(undecided)]


def fact_label(spec, name: str) -> tuple[str, str]:
    """(zh, en) words for a fact in a reason: its rules/facts.yaml label, the name when it has none."""
    if spec is None:
        return name, name
    return spec.zh or name, spec.en or name


def decide(facts: pd.DataFrame, rules: RuleSet, as_of: dt.date | None = None) -> pd.DataFrame:
    """Decision columns for every row of `facts` (same index); policy rules not in force on `as_of`
    (default today) are skipped, data rules never; `as_of` before the rulebook is an AsOfError.

    Rules are evaluated column-wise into a row x rule matrix. Rows with the same fired / undecided /
    unknown-fact pattern share their strings, so the strings are built once per distinct pattern and
    gathered with one `take` per column.
    """
    as_of = as_of or dt.date.today()
    active = rules.in_force(as_of)
    needs = rules.admissibility_facts(as_of)
    ff = FactFrame(facts, rules.facts)
    fired, unknown = _outcomes(ff, active)
    names = list(dict.fromkeys(f for facts_ in needs.values() for f in facts_))
    blocked = unknown[:, [j for j, r in enumerate(active) if r.id in needs]].any(axis=1)
    missing = np.zeros((len(facts), len(names)), dtype=bool)
    for i, name in enumerate(names):
        missing[:, i] = ff.missing(name) & blocked
    patterns, inverse = _patterns(fired, unknown, missing)
    labels = {n: fact_label(rules.facts.get(n), n) for n in names}
    table = [_texts(p, active, names, needs, labels) for p in patterns]
    out = pd.DataFrame(index=facts.index)
    for i, column in enumerate(COLUMNS):
        # python-backed strings: rows sharing a pattern share one str object instead of a copy each
        out[column] = pd.array([row[i] for row in table], dtype=_TEXT).take(inverse)
    return out
