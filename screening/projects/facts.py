"""Project facts from the non-spatial columns: id, name, sector as written, construction (新建/扩建/改建/迁建
and their synonyms, rules/vocabulary.yaml), process (工艺 cell or words in the name, rules/process_words.yaml),
national-major flag (是/否 words, rules/vocabulary.yaml) and the park claimed."""

from __future__ import annotations

import numpy as np
import pandas as pd

from zoning.vocabulary import words

from .base import STRING, _quote
from .columns import _column_text, _Work
from .process_words import column_key as _word_key
from .process_words import column_words, from_names, known_words, load_process_words

__all__ = ["construction_words", "major_words"]


def construction_words() -> dict[str, str]:
    """word → construction code (新建 → new, 改扩建 → expansion, 技改 → renovation …): rules/vocabulary.yaml."""
    return words("construction")


def major_words() -> dict[str, bool]:
    """word → national-major flag (是/Y/yes/true/1 → True, 否/N/no/false/0 → False): rules/vocabulary.yaml."""
    return {word: code == "true" for word, code in words("boolean").items()}


def _attributes(work: _Work) -> dict[str, pd.Series]:
    """The non-spatial standard columns."""
    construction, construction_raw = _vocabulary(work, "construction", construction_words(),
                                                 "expected 新建/扩建/改建/迁建 (new/expansion/renovation/relocation)")
    # an unknown word is kept as written (not blanked) so the rules see it and send the row to a person
    construction = construction.fillna(construction_raw)
    process, process_known = _process(work)
    return {
        "id": _ids(work),
        "name": _column_text(work, "name"),
        "sector_raw": _column_text(work, "sector"),
        "construction": construction,
        "construction_raw": construction_raw,
        "process": process,
        "process_known": process_known,
        "major": _major(work),
        "park_claim": _column_text(work, "park"),
    }


def _ids(work: _Work) -> pd.Series:
    """Project ids, 'row 3' where the id is blank or missing; duplicates get a warning."""
    ids = _column_text(work, "id").copy()
    filled = ids.notna()
    duplicate = (ids.duplicated(keep=False) & filled).to_numpy(bool)
    if duplicate.any():
        work.add("warning", duplicate, [f"{work.column('id')} {_quote(v)} is used by more than one row / 编号重复"
                                        for v in ids[duplicate]])
    missing = np.flatnonzero(~filled.to_numpy(bool))
    ids.iloc[missing] = ("row " + pd.Series(missing + 1).astype(str)).to_numpy(object)
    return ids


def _translate(raw: pd.Series, vocabulary: dict) -> pd.Series:
    """Map cells through a {word: code} vocabulary, matching after _word_key (NFKC, case-folded, no spaces/-/_,
    no trailing 项目) and reducing each distinct cell once (unknown -> NaN)."""
    lookup = {_word_key(w): code for w, code in vocabulary.items()}
    table = {cell: lookup.get(_word_key(cell)) for cell in raw.dropna().unique()}
    return raw.map(table)


def _vocabulary(work: _Work, ours: str, vocabulary: dict, expected: str) -> tuple[pd.Series, pd.Series]:
    """(controlled word or <NA>, raw text) for a column; unknown words get a warning naming the value."""
    raw = _column_text(work, ours)
    mapped = _translate(raw, vocabulary).astype(STRING)
    unknown = (raw.notna() & mapped.isna()).to_numpy(bool)
    if unknown.any():
        work.add("warning", unknown, [f"{work.column(ours)} {_quote(v)} not recognised; {expected}"
                                      for v in raw[unknown]])
    return mapped, raw


def _process(work: _Work) -> tuple[pd.Series, pd.Series]:
    """(process word, known flag): unknown words kept lower-cased with a warning; <NA> when empty.

    The 工艺 cell wins; when it is empty, words in the project name set the process (known True) with a
    warning saying so, and words of two processes leave it <NA> with a warning naming them
    (rules/process_words.yaml, screening/projects/process_words.py).
    """
    processes = load_process_words()
    raw = _column_text(work, "process")
    by_word = {word: key for key, group in column_words(processes).items() for word in group}
    mapped = _translate(raw, by_word).astype(STRING)
    known = mapped.notna().astype("boolean").mask(raw.isna())
    unknown = (raw.notna() & mapped.isna()).to_numpy(bool)
    if unknown.any():
        work.add("warning", unknown, [f"{work.column('process')} {_quote(v)} not recognised; kept as written "
                                      f"(known: {known_words(processes)})" for v in raw[unknown]])
    process = mapped.fillna(raw.str.lower())
    empty = raw.isna().to_numpy(bool)
    if empty.any() and "name" in work.column_map:
        named, notes = from_names(_column_text(work, "name"), processes)
        work.add("warning", empty & (notes != ""), notes[empty & (notes != "")])
        use = empty & named.notna().to_numpy(bool)
        process = process.mask(use, named)
        known = known.mask(use, True)
    return process, known


def _major(work: _Work) -> pd.Series:
    """National-major-project flag from 是/否, yes/no, true/false, 1/0, Y/N; blank or no column -> not flagged
    (False); other words -> <NA> + warning, so rules that need the flag send the row to review."""
    raw = _column_text(work, "major")
    major = _translate(raw, major_words()).astype("boolean").mask(raw.isna(), False)
    unknown = (raw.notna() & major.isna()).to_numpy(bool)
    if unknown.any():
        work.add("warning", unknown, [f"{work.column('major')} {_quote(v)} not recognised; expected 是/否 (yes/no)"
                                      for v in raw[unknown]])
    return major
