"""Process words, read from `rules/process_words.yaml`: the 工艺 column's vocabulary and words in project names.

An explicit 工艺 cell is matched whole (after normalisation) against each process's `column` words; when the
cell is empty, the project name is searched for each process's `name` words (substrings), one vectorised
regex pass per process. One process found sets it, with a warning saying so; words of two processes in one
name leave it unknown, with a warning naming them.

    >>> words = load_process_words()
    >>> process, notes = from_names(pd.Series(["年产200万吨水泥熟料生产线", "独立粉磨站项目", "仓储物流园"]), words)
    >>> process.tolist()
    ['clinker', 'grinding_station', <NA>]
    >>> notes[0]
    '工艺由项目名称中的“水泥熟料”识别为 熟料 / process read from the name (‘水泥熟料’): clinker'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from zoning.data import rules_dir
from zoning.yamlio import read_yaml

PROCESS_WORDS_FILE = "process_words.yaml"
_FIELDS = {"zh", "en", "column", "name"}


class ProcessWordError(ValueError):
    """`rules/process_words.yaml` is malformed; the message names the file, the process and the field."""


@dataclass(frozen=True)
class Process:
    """One controlled process word: its labels, its 工艺-column words and its project-name words."""

    key: str
    zh: str
    en: str
    column: tuple[str, ...]
    name: tuple[str, ...]


def load_process_words(path: Path | str | None = None) -> dict[str, Process]:
    """The processes of `rules/process_words.yaml` (or `path`), in file order; read once per file and mtime."""
    path = Path(path) if path is not None else rules_dir() / PROCESS_WORDS_FILE
    try:
        stamp = path.stat().st_mtime_ns
    except OSError as exc:
        raise ProcessWordError(f"{path}: 工艺词表无法读取 / the process word list cannot be read: {exc}") from exc
    return dict(_load(str(path), stamp))


@lru_cache(maxsize=8)
def _load(path: str, _stamp: int) -> tuple[tuple[str, Process], ...]:
    """(key, Process) pairs of the file at `path` (cached on path and modification time)."""
    try:
        data = read_yaml(Path(path))
    except yaml.YAMLError as exc:
        raise ProcessWordError(f"{path}: not valid YAML: {exc}") from exc
    raw = data.get("processes") if isinstance(data, dict) else None
    if not (isinstance(raw, dict) and raw):
        raise ProcessWordError(f"{path}: `processes` must be a non-empty mapping: process word -> zh, en, column, name")
    out, owner = [], {}
    for key, spec in raw.items():
        where = f"{path}: processes: {key}"
        if not re.fullmatch(r"[a-z][a-z0-9_]*", str(key)):
            raise ProcessWordError(f"{where}: the process word must be lower_snake_case")
        if not isinstance(spec, dict) or set(spec) != _FIELDS:
            raise ProcessWordError(f"{where}: expected exactly the fields {sorted(_FIELDS)}")
        words = {}
        for field in ("column", "name"):
            values = spec[field]
            if not (isinstance(values, list) and values and all(isinstance(w, str) and w.strip() for w in values)):
                raise ProcessWordError(f"{where}: {field}: expected a non-empty list of words")
            words[field] = tuple(unicodedata.normalize("NFKC", w).strip() for w in values)
        for field in ("zh", "en"):
            if not (isinstance(spec[field], str) and spec[field].strip()):
                raise ProcessWordError(f"{where}: {field}: expected a label")
        for word in words["column"]:
            other = owner.setdefault(column_key(word), key)
            if other != key:
                raise ProcessWordError(f"{where}: column: {word!r} is already a word of {other}")
        out.append((str(key), Process(str(key), spec["zh"].strip(), spec["en"].strip(), words["column"],
                                      words["name"])))
    return tuple(out)


def column_key(word: str) -> str:
    """A 工艺 cell or column word reduced for matching: NFKC, case-folded, no spaces/-/_, no trailing 项目."""
    key = re.sub(r"[\s\-_]+", "", unicodedata.normalize("NFKC", word).casefold())
    return re.sub(r"项目$", "", key)


def column_words(processes: dict[str, Process]) -> dict[str, tuple[str, ...]]:
    """{process word: its 工艺-column words}, the vocabulary the project reader translates cells with."""
    return {key: p.column for key, p in processes.items()}


def known_words(processes: dict[str, Process]) -> str:
    """The first column word of each process, for messages ('粉磨站, 熟料, ...')."""
    return ", ".join(p.column[0] for p in processes.values())


def _pattern(words: tuple[str, ...]) -> str:
    """A regex matching any of `words` (longest first, so the reported word is the longest at its place)."""
    ordered = sorted({w.casefold() for w in words}, key=len, reverse=True)
    return "(" + "|".join(re.escape(w) for w in ordered) + ")"


def from_names(names: pd.Series, processes: dict[str, Process]) -> tuple[pd.Series, np.ndarray]:
    """(process word or <NA>, warning text or '') per project name, from the processes' `name` words.

    One str.extract pass over the whole column per process. A name with words of one process gets that
    process and a warning quoting the word; words of two or more processes give <NA> and a warning naming
    the conflicting words; a name without words (or no name) gives <NA> and no warning.
    """
    text = pd.Series(names, dtype="string").str.normalize("NFKC").str.casefold()
    n = len(text)
    found = np.zeros(n, dtype=int)
    process = np.full(n, None, dtype=object)
    read = np.full(n, "", dtype=object)
    conflict_zh = np.full(n, "", dtype=object)
    conflict_en = np.full(n, "", dtype=object)
    for key, p in processes.items():
        word = text.str.extract(_pattern(p.name), expand=False).to_numpy(dtype=object, na_value=None)
        hit = word != None  # noqa: E711 - elementwise over an object array
        if not hit.any():
            continue
        found += hit
        process[hit] = key
        zh_word, en_word = "“" + word[hit] + "”", "‘" + word[hit] + "’"  # elementwise over the hit rows
        read[hit] = "工艺由项目名称中的" + zh_word + f"识别为 {p.zh} / process read from the name (" + en_word + f"): {p.en}"
        zh, en = zh_word + f"（{p.zh}）", en_word + f" ({p.en})"
        conflict_zh[hit] = np.where(conflict_zh[hit] == "", zh, conflict_zh[hit] + "、" + zh)
        conflict_en[hit] = np.where(conflict_en[hit] == "", en, conflict_en[hit] + ", " + en)
    several = found > 1
    process[several] = None
    notes = np.where(found == 1, read, "")
    notes[several] = ("项目名称中的工艺词冲突：" + conflict_zh[several] + "，工艺未定 / process words in the name "
                      "conflict: " + conflict_en[several] + "; the process is left unknown")
    return pd.Series(pd.array(process, dtype="string"), index=text.index), notes.astype(object)
