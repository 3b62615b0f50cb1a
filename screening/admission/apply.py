"""Admission lists (生态环境准入清单) applied to decisions: the fired rows of each site joined into its columns.

    >>> lst = admission_lists(layers, rules.sectors)                                      # doctest: +SKIP
    >>> decisions = apply_admission(decide(facts, rules), facts, lst, unit_table(layers))   # doctest: +SKIP

Fired list rows join the decision like rules: severity max; `list:<id>` in rule_ids (rows that decide:
prohibited, restricted, allowed-only violated) or undecided (unknown facts), their reasons and citations;
obligations from restricted and requirement rows. Every fired row is in `list_requirements`, rows to
check in `requirements_to_check` ("[dimension] text [source]", " | ").
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from zoning.separators import OUTPUT_SEPARATORS

from ..decide import DECISION_ZH, DECISIONS
from ..decide import SEVERITY as DECISION_SEVERITY
from .load import AdmissionList
from .match import (CHECK, CONDITIONAL, EXCLUDED, OBLIGATION, OUTCOME_SEVERITY, PROHIBITED, REVIEW, Fired,
                    area_candidates, area_keys, evaluate, signatures, site_units, unit_candidates)
from .schema import DIMENSIONS

#: the columns only admission lists write (after the decision columns they also join into)
LIST_COLUMNS = ("list_requirements", "requirements_to_check")
_DIM_ORDER = {d: i for i, d in enumerate(DIMENSIONS)}
#: python-backed strings: list texts make long cells, which pyarrow would re-encode at a high cost
_TEXT = pd.StringDtype("python")


def _texts(lst: AdmissionList, fired: Fired) -> dict[str, np.ndarray]:
    """The output strings of every fired pair, built once per distinct (row, outcome, unknown facts)."""
    combo = (fired.req.astype(np.int64) * 8 + fired.outcome) * 4 + fired.sector_unknown * 2 + fired.construction_unknown
    uniq, back = np.unique(combo, return_inverse=True)
    req, outcome = uniq // 32, (uniq // 4) % 8
    sector_unknown, construction_unknown = (uniq // 2) % 2 == 1, uniq % 2 == 1
    rows = lst.rows.iloc[req].reset_index(drop=True)
    lid, text, cite = rows["id"].astype(object), rows["text"].astype(object), rows["citation"].astype(object)
    dim_zh = rows["dimension"].map({d: v[0] for d, v in DIMENSIONS.items()}).astype(object)
    dim_en = rows["dimension"].map({d: v[1] for d, v in DIMENSIONS.items()}).astype(object)
    shown = "[" + dim_zh + "] " + text + " [" + cite + "]"
    tail = " (admission list " + lid + ", " + dim_en
    unknown = np.where(sector_unknown & construction_unknown, "行业代码、建设性质 / sector, construction",
                       np.where(sector_unknown, "行业代码 / sector", "建设性质 / construction"))
    reason = pd.Series("", index=rows.index, dtype=object)
    for code, prefix, suffix in (
            (PROHIBITED, "生态环境准入清单禁止：", ": prohibited)"),
            (EXCLUDED, "项目行业不在生态环境准入清单允许之列：", ": only the listed sectors are allowed)"),
            (CONDITIONAL, "生态环境准入清单限制类要求适用，须满足其条件：", ": restricted, see obligations)")):
        mine = outcome == code
        body = lid[mine] if code == CONDITIONAL else text[mine]
        reason[mine] = prefix + body + tail[mine] + suffix + " [" + cite[mine] + "]"
    review = outcome == REVIEW
    reason[review] = ("准入清单条目 " + lid[review] + " 无法判定：" + pd.Series(unknown, dtype=object)[review]
                      + " 未知 (admission list row " + lid[review] + " could not be decided) [" + cite[review] + "]")
    deciding = np.isin(outcome, (PROHIBITED, EXCLUDED, CONDITIONAL))
    table = {
        "rule_ids": np.where(deciding, "list:" + lid, ""),
        "reasons": reason.to_numpy(dtype=object),
        "obligations": np.where(np.isin(outcome, (CONDITIONAL, OBLIGATION)), text + " [" + cite + "]", ""),
        "citations": np.where(deciding | review, cite, ""),
        "undecided": np.where(review, "list:" + lid, ""),
        "list_requirements": np.where(outcome != CHECK, shown, ""),
        "requirements_to_check": np.where(outcome == CHECK, shown, ""),
    }
    out = {}
    for column, values in table.items():
        values = np.asarray(values, dtype=object)
        glued = np.where(values != "", OUTPUT_SEPARATORS[column] + values, "").astype(object)
        out[column] = (values[back], glued[back])
    return out


def _join(group: np.ndarray, texts: tuple[np.ndarray, np.ndarray], n: int, unique: bool = False) -> np.ndarray:
    """Per group (0..n-1, `group` sorted), the non-empty texts joined: the first plain, the rest with their
    separator already glued on (built once per distinct text), concatenated by a C-level reduceat."""
    plain, glued = texts
    out = np.full(n, "", dtype=object)
    keep = plain != ""
    if unique and keep.any():
        codes, _ = pd.factorize(plain)
        _, first = np.unique(group.astype(np.int64) * (codes.max() + 1) + codes, return_index=True)
        keep &= np.isin(np.arange(len(plain)), first)
    g = group[keep]
    if len(g):
        head = np.r_[True, g[1:] != g[:-1]]
        starts = np.flatnonzero(head)
        out[g[starts]] = np.add.reduceat(np.where(head, plain[keep], glued[keep]), starts)
    return out


def assemble(lst: AdmissionList, fired: Fired, n: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Per group 0..n-1 (fired.row): the most severe outcome (-1 none) and the joined strings of each column."""
    dim = lst.rows["dimension"].map(_DIM_ORDER).to_numpy()[fired.req]
    order = np.lexsort((fired.req, dim, fired.row))
    fired = Fired(*(getattr(fired, f)[order] for f in ("row", "req", "outcome", "sector_unknown",
                                                        "construction_unknown")))
    severity = np.full(n, -1, dtype=np.int8)
    np.maximum.at(severity, fired.row, OUTCOME_SEVERITY[fired.outcome])
    empty = np.array([], dtype=object)
    texts = _texts(lst, fired) if len(fired.row) else {c: (empty, empty) for c in OUTPUT_SEPARATORS}
    return severity, {c: _join(fired.row, texts[c], n, unique=c == "citations") for c in OUTPUT_SEPARATORS}


def _combos(pairs: pd.DataFrame, key: np.ndarray, n: int) -> tuple[np.ndarray, pd.DataFrame]:
    """Each site's set of area keys numbered (-1: in no unit), and the (combo, key) members of every set."""
    sk = pd.DataFrame({"site": pairs["site"].to_numpy(), "key": key}).drop_duplicates().sort_values(["site", "key"])
    site = sk["site"].to_numpy()
    starts = np.flatnonzero(np.r_[True, site[1:] != site[:-1]])
    label = np.add.reduceat(sk["key"].astype(str).to_numpy(dtype=object) + ",", starts)
    combo_id, _ = pd.factorize(label)
    combo = np.full(n, -1, dtype=np.int64)
    combo[site[starts]] = combo_id
    members = pd.DataFrame({"combo": combo[site], "key": sk["key"].to_numpy()}).drop_duplicates(ignore_index=True)
    return combo, members


def _area_fired(fired: Fired, members: pd.DataFrame) -> Fired:
    """Fired pairs of area keys lifted to the key sets (combos) of sites, each list row once per combo."""
    frame = pd.DataFrame({"key": fired.row, "req": fired.req, "outcome": fired.outcome,
                          "su": fired.sector_unknown, "cu": fired.construction_unknown})
    lifted = members.merge(frame, on="key").drop_duplicates(["combo", "req"])
    return Fired(lifted["combo"].to_numpy(), lifted["req"].to_numpy(), lifted["outcome"].to_numpy(np.int8),
                 lifted["su"].to_numpy(bool), lifted["cu"].to_numpy(bool))


def list_outcomes(facts: pd.DataFrame, lst: AdmissionList | None, units: pd.DataFrame,
                  as_of: dt.date | None = None) -> pd.DataFrame:
    """Per site (same index as `facts`): `severity` (-1 none) and the list's strings for each decision column.

    Unit rows are evaluated per site signature; category, district and city rows per area key and lifted to
    each signature's set of keys; the two string parts are then concatenated (unit rows first).
    """
    n = len(facts)
    out = pd.DataFrame(index=facts.index)
    if lst is None or not len(lst) or n == 0 or "control_units" not in facts:
        out["severity"] = np.full(n, -1, dtype=np.int8)
        for column in OUTPUT_SEPARATORS:
            out[column] = pd.Series("", index=facts.index, dtype=object)
        return out
    day = as_of or dt.date.today()
    sig, first = signatures(facts)
    work = facts.iloc[first].reset_index(drop=True)
    k = len(work)
    pairs = site_units(work)
    severity, strings = assemble(lst, evaluate(work, unit_candidates(pairs, lst), lst, day), k)
    if len(lst.areas) and len(pairs):
        keys, key = area_keys(work, pairs, units, lst)
        combo, members = _combos(pairs, key, k)
        area = _area_fired(evaluate(keys, area_candidates(keys, lst), lst, day), members)
        a_sev, a_strings = assemble(lst, area, int(combo.max()) + 1)
        has = combo >= 0
        severity = np.where(has, np.maximum(severity, a_sev[np.maximum(combo, 0)]), severity)
        at = np.maximum(combo, 0)
        for column in OUTPUT_SEPARATORS:
            tail = a_strings[column]
            glued = np.where(tail != "", OUTPUT_SEPARATORS[column] + tail, "").astype(object)
            head = strings[column]
            strings[column] = np.where(has & (head == ""), tail[at],
                                       np.where(has, head + glued[at], head)).astype(object)
    out["severity"] = severity[sig]
    for column in OUTPUT_SEPARATORS:
        out[column] = pd.Series(strings[column][sig], index=facts.index, dtype=object)
    return out


def merge_decisions(decisions: pd.DataFrame, lists: pd.DataFrame) -> pd.DataFrame:
    """Decision = the more severe of the rules' and the list's; strings appended; list columns added.

    Rows share few distinct (rules text, list text) pairs, so each pair is joined once and the rows
    point at that one string (joining per row would copy megabytes of identical text per thousand rows).
    """
    out = decisions.copy()
    base = out["decision"].map(DECISION_SEVERITY).to_numpy(dtype=np.int8)
    severity = np.maximum(base, lists["severity"].to_numpy())
    out["decision"] = pd.array(np.asarray(DECISIONS, dtype=object)[severity], dtype="string")
    out["decision_zh"] = out["decision"].map(DECISION_ZH).astype("string")
    for column, sep in OUTPUT_SEPARATORS.items():
        right = lists[column].fillna("")
        out[column] = _joined(out[column].fillna(""), right, sep) if column in out else \
            pd.array(right.to_numpy(dtype=object), dtype=_TEXT)
    return out


def _joined(left: pd.Series, right: pd.Series, sep: str):
    """left + sep + right per row (either side alone when the other is empty), built per distinct pair."""
    lc, lu = pd.factorize(left.to_numpy(dtype=object))
    rc, ru = pd.factorize(right.to_numpy(dtype=object))
    pair, first = np.unique(lc.astype(np.int64) * max(len(ru), 1) + rc, return_index=True)
    a = np.asarray(lu, dtype=object)[lc[first]]
    b = np.asarray(ru, dtype=object)[rc[first]]
    texts = np.where(a == "", b, np.where(b == "", a, a + sep + b)).astype(object)
    inverse = np.searchsorted(pair, lc.astype(np.int64) * max(len(ru), 1) + rc)
    return pd.array(texts, dtype=_TEXT).take(inverse)


def apply_admission(decisions: pd.DataFrame, facts: pd.DataFrame, lst: AdmissionList | None, units: pd.DataFrame,
                    as_of: dt.date | None = None) -> pd.DataFrame:
    """The decision columns with the admission lists `lst` (screening.admission.lists) applied over the
    control units `units` (unit_table); unchanged, plus empty list columns, when there are none."""
    return merge_decisions(decisions, list_outcomes(facts, lst, units, as_of))
