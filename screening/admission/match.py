"""Match admission-list rows to sites with joins: (site, unit) x scope, then sector and construction tokens.

States are three-valued int8 arrays: 0 no, 1 yes, 2 unknown (a fact the row depends on is missing).
Unit-scoped rows are matched per site signature (same units, district, sector, construction); category,
district and city rows per *area key* (unit category, district, sector, construction), which many sites share.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from zoning.separators import ITEM_SEPARATOR

from .load import AdmissionList
from .schema import ANY, CONSTRUCTIONS

NO, YES, UNKNOWN = 0, 1, 2
#: outcome codes of a fired (row, list row) pair and their severity (decide.SEVERITY numbers)
ALLOWED, OBLIGATION, CONDITIONAL, REVIEW, PROHIBITED, EXCLUDED, CHECK = 1, 2, 3, 4, 5, 6, 7
OUTCOME_SEVERITY = np.array([0, 0, 0, 1, 2, 3, 3, 0], dtype=np.int8)
PROJECT = ("sector", "sector_valid", "construction")
_SIGNATURE = ("control_units", "district", *PROJECT)
_DENSE_LIMIT = 50_000_000


@dataclass
class Fired:
    """Fired pairs: `row` indexes the frame matched (site signatures or area keys), `req` the list rows."""

    row: np.ndarray
    req: np.ndarray
    outcome: np.ndarray
    sector_unknown: np.ndarray
    construction_unknown: np.ndarray


def factorize(frame: pd.DataFrame, columns) -> tuple[np.ndarray, np.ndarray]:
    """(group number of every row, position of the first row of each group) over `columns`."""
    parts = [frame[c].astype("string").fillna("\x00") for c in columns if c in frame]
    if not parts:
        return np.zeros(len(frame), dtype=np.int64), np.zeros(min(len(frame), 1), dtype=np.int64)
    joined = parts[0].str.cat(parts[1:], sep="\x1f") if len(parts) > 1 else parts[0]
    group, _ = pd.factorize(joined.to_numpy(dtype=object))
    _, first = np.unique(group, return_index=True)
    return group, first


def signatures(facts: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Site signature (units, district, sector, construction) of every site, and each signature's first site."""
    return factorize(facts, _SIGNATURE)


def _and(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.where((a == NO) | (b == NO), NO, np.where((a == YES) & (b == YES), YES, UNKNOWN)).astype(np.int8)


def _not(a: np.ndarray) -> np.ndarray:
    return np.where(a == UNKNOWN, UNKNOWN, 1 - a).astype(np.int8)


def site_units(work: pd.DataFrame) -> pd.DataFrame:
    """(site, unit) for every unit a site is in (the `control_units` fact, ';'-joined; touching units are absent)."""
    codes = work["control_units"].astype("string").fillna("").str.split(ITEM_SEPARATOR).explode()
    pairs = pd.DataFrame({"site": codes.index.to_numpy(), "unit": codes.to_numpy(dtype=object)})
    return pairs[pairs["unit"] != ""].reset_index(drop=True)


def unit_candidates(pairs: pd.DataFrame, lst: AdmissionList) -> pd.DataFrame:
    """(site, req) of unit-scoped rows for the units each site is in."""
    found = pairs.merge(lst.units, on="unit")[["site", "req"]].rename(columns={"site": "row"})
    return found.drop_duplicates(ignore_index=True)


def area_keys(work: pd.DataFrame, pairs: pd.DataFrame, units: pd.DataFrame, lst: AdmissionList
              ) -> tuple[pd.DataFrame, np.ndarray]:
    """Distinct (category, district, project facts) of the (site, unit) pairs, and each pair's key number.

    A unit's district is the unit layer's `district`; when the layer has none, the site's district. The
    sector categories the list uses ride along (they follow from the sector, so they are not part of the key).
    """
    info = pairs.merge(units, on="unit", how="left")
    own = info["district"].fillna("").to_numpy(dtype=object)
    site = info["site"].to_numpy()
    district = np.where(own == "", work["district"].astype("string").fillna("").to_numpy(dtype=object)[site], own)
    frame = pd.DataFrame({"category": info["category"].fillna("").to_numpy(dtype=object), "district": district,
                          "site": site})
    used = [k.split(":", 1)[1] for k in lst.sectors["key"].unique() if k.startswith("category:")]
    for column in (*PROJECT, *used):
        if column in work:
            frame[column] = work[column].array.take(site)
    key, first = factorize(frame, ("category", "district", *PROJECT))
    keys = frame.iloc[first].reset_index(drop=True)
    return keys, key


def area_candidates(keys: pd.DataFrame, lst: AdmissionList) -> pd.DataFrame:
    """(key, req) of category / district / city rows, joining each key with and without its category and district."""
    wanted = lst.areas[["category", "district"]].eq(ANY).drop_duplicates().itertuples(index=False)
    rows = np.arange(len(keys))
    variants = pd.concat([pd.DataFrame({"row": rows,
                                        "category": ANY if any_cat else keys["category"].to_numpy(dtype=object),
                                        "district": ANY if any_dist else keys["district"].to_numpy(dtype=object)})
                          for any_cat, any_dist in wanted], ignore_index=True)
    found = variants.merge(lst.areas, on=["category", "district"])[["row", "req"]]
    return found.drop_duplicates(ignore_index=True)


def construction_state(rows: pd.DataFrame, lst: AdmissionList, row: np.ndarray, req: np.ndarray) -> np.ndarray:
    """Does the project's kind of construction fall under the list row: yes / no / unknown (not given)."""
    limited = np.zeros(len(lst), dtype=bool)
    limited[lst.construction["req"].to_numpy()] = True
    vocab = pd.Index(CONSTRUCTIONS)
    kind = vocab.get_indexer(rows["construction"].astype(object).where(rows["construction"].notna(), None))
    listed = np.zeros((len(lst), len(vocab)), dtype=bool)
    listed[lst.construction["req"].to_numpy(), vocab.get_indexer(lst.construction["construction"])] = True
    k = kind[row]
    named = listed[req, np.maximum(k, 0)]
    return np.where(~limited[req], YES, np.where(k < 0, UNKNOWN, np.where(named, YES, NO))).astype(np.int8)


def _project_tokens(rows: pd.DataFrame, vocab: pd.Index) -> tuple[np.ndarray, np.ndarray]:
    """(row, token) for every token a valid-sector project has: code, group, division, all, its categories."""
    valid = rows["sector_valid"].fillna(False).to_numpy(dtype=bool) & rows["sector"].notna().to_numpy()
    at = np.flatnonzero(valid)
    sector = rows["sector"].astype(str).to_numpy()[at].astype("U4")
    parts = [(at, vocab.get_indexer(pd.Index(np.char.add(prefix, sector.astype(f"U{width}")))))
             for prefix, width in (("code:", 4), ("group:", 3), ("division:", 2))]
    parts.append((at, np.full(len(at), vocab.get_indexer(["all:*"])[0])))
    for name in vocab[vocab.str.startswith("category:")]:
        column = name.split(":", 1)[1]
        if column in rows:
            yes = np.flatnonzero(rows[column].fillna(False).to_numpy(dtype=bool) & valid)
            parts.append((yes, np.full(len(yes), vocab.get_loc(name))))
    row = np.concatenate([p[0] for p in parts])
    token = np.concatenate([p[1] for p in parts])
    return row[token >= 0], token[token >= 0]


def sector_state(rows: pd.DataFrame, lst: AdmissionList, row: np.ndarray, req: np.ndarray) -> np.ndarray:
    """Does the project's sector match the list row's words (includes minus exclusions): yes / no / unknown."""
    tok = lst.sectors.sort_values("req", kind="stable")
    vocab = pd.Index(tok["key"].unique())
    tok_req, tok_id = tok["req"].to_numpy(), vocab.get_indexer(tok["key"])
    exclude = tok["exclude"].to_numpy(dtype=bool)
    n = len(lst)
    is_all = tok_id == vocab.get_indexer(["all:*"])[0]
    includes_all = np.bincount(tok_req[is_all & ~exclude], minlength=n) > 0
    open_row = includes_all & ~(np.bincount(tok_req[exclude], minlength=n) > 0)
    valid = (rows["sector_valid"].fillna(False).to_numpy(dtype=bool) & rows["sector"].notna().to_numpy())[row]
    state = np.where(open_row[req], YES, np.where(valid, NO, UNKNOWN)).astype(np.int8)
    need = np.flatnonzero(~open_row[req] & valid)
    if not len(need):
        return state
    counts = np.bincount(tok_req, minlength=n)
    starts = np.cumsum(counts) - counts
    reps = counts[req[need]]
    pair = np.repeat(np.arange(len(need)), reps)
    idx = starts[req[need]][pair] + np.arange(reps.sum()) - np.repeat(np.cumsum(reps) - reps, reps)
    p_row, p_tok = _project_tokens(rows, vocab)
    if len(rows) * len(vocab) <= _DENSE_LIMIT:
        has = np.zeros((len(rows), len(vocab)), dtype=bool)
        has[p_row, p_tok] = True
        hit = has[row[need][pair], tok_id[idx]]
    else:
        hit = np.isin(row[need][pair].astype(np.int64) * len(vocab) + tok_id[idx],
                      p_row.astype(np.int64) * len(vocab) + p_tok)
    included = np.bincount(pair[hit & ~exclude[idx]], minlength=len(need)) > 0
    excluded = np.bincount(pair[hit & exclude[idx]], minlength=len(need)) > 0
    state[need] = np.where(included & ~excluded, YES, NO)
    return state


def evaluate(rows: pd.DataFrame, cand: pd.DataFrame, lst: AdmissionList, as_of: dt.date) -> Fired:
    """Outcome of every candidate (row, req) in force on `as_of`; only pairs with an outcome are kept."""
    valid_from = lst.rows["valid_from"].to_numpy(dtype="datetime64[ns]")
    active = np.isnat(valid_from) | (valid_from <= np.datetime64(as_of, "ns"))
    row, req = cand["row"].to_numpy(), cand["req"].to_numpy()
    row, req = row[active[req]], req[active[req]]
    cons, sec = construction_state(rows, lst, row, req), sector_state(rows, lst, row, req)
    applies, violates = _and(cons, sec), _and(cons, _not(sec))
    effect = pd.Index(("prohibited", "restricted", "requirement", "allowed_only", "check")).get_indexer(
        lst.rows["effect"])[req]
    code = np.array([PROHIBITED, CONDITIONAL, OBLIGATION], dtype=np.int8)
    outcome = np.zeros(len(req), dtype=np.int8)
    plain = effect <= 2
    outcome[plain & (applies == YES)] = code[effect[plain & (applies == YES)]]
    outcome[plain & (applies == UNKNOWN)] = REVIEW
    only = effect == 3
    outcome[only & (violates == YES)] = EXCLUDED
    outcome[only & (violates == UNKNOWN)] = REVIEW
    outcome[only & (violates == NO) & (sec == YES)] = ALLOWED
    outcome[(effect == 4) & (applies != NO)] = CHECK
    keep = outcome > 0
    return Fired(row[keep], req[keep], outcome[keep], sec[keep] == UNKNOWN, cons[keep] == UNKNOWN)
