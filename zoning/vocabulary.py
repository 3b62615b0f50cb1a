"""Plain-word labels of coded values (`key` → 重点管控单元, `True` → 是, `new` → 新建) and the words readers accept
for them (改扩建 → expansion, Y → true), from rules/vocabulary.yaml.

The one home of these labels and words: map legends and popups and the single-site verdict read the labels,
the project reader (and every reader of yes/no or construction cells) the words.

Examples
--------
>>> label("unit_category", "key")
('重点管控单元', 'key control')
>>> fact_text("control_unit_categories", "key;general")
'重点管控单元；一般管控单元'
>>> fact_text("in_redline", False), fact_text("construction_type", "new"), fact_text("district", "渝中区")
('否', '新建', '渝中区')
>>> words("construction")["改扩建"], words("boolean")["是"]
('expansion', 'true')
"""

from __future__ import annotations

from functools import lru_cache

from .data import rules_dir
from .errors import ZoningError
from .yamlio import read_yaml

__all__ = ["labels", "label", "fact_kind", "fact_text", "words"]

_FILE = "vocabulary.yaml"


@lru_cache(maxsize=1)
def _read() -> tuple[dict[str, dict[str, tuple[str, str]]], dict[str, str], dict[str, dict[str, str]]]:
    """(labels per kind, fact -> kind, word -> code per kind) of rules/vocabulary.yaml, checked, read once."""
    path = rules_dir() / _FILE
    raw = read_yaml(path)
    try:
        values = {kind: {str(code): (str(v["zh"]), str(v["en"])) for code, v in codes.items()}
                  for kind, codes in raw["values"].items()}
        facts = {str(k): str(v) for k, v in raw["facts"].items()}
    except (KeyError, TypeError, AttributeError) as exc:
        raise ZoningError(f"{path}: 词表格式有误 / malformed vocabulary ({exc}); each value needs zh and en") from exc
    odd = [f"{kind}.{code}" for kind, codes in raw["values"].items() for code, v in codes.items()
           if not (isinstance(v["zh"], str) and isinstance(v["en"], str))]
    if odd:  # YAML reads a bare yes/no/on/off as a boolean: labels must be quoted text
        raise ZoningError(f"{path}: labels that are not text: {odd}; quote them ('yes', 'no')")
    unknown = sorted(set(facts.values()) - set(values))
    if unknown:
        raise ZoningError(f"{path}: facts name unknown value kinds {unknown}")
    return values, facts, _words(path, raw.get("words") or {}, values)


def _words(path, raw, values: dict[str, dict[str, tuple[str, str]]]) -> dict[str, dict[str, str]]:
    """word -> code per kind from the `words:` section; each code must have a label, each word be quoted text
    and belong to one code only."""
    out: dict[str, dict[str, str]] = {}
    try:
        for kind, codes in raw.items():
            if kind not in values:
                raise ZoningError(f"{path}: words.{kind}: 没有这类值的标签 / no labels for this kind of value; "
                                  f"add values.{kind} first")
            table: dict[str, str] = {}
            for code, synonyms in codes.items():
                code = str(code)
                if code not in values[kind]:
                    raise ZoningError(f"{path}: words.{kind}.{code}: 未知代码 / unknown code; expected one of "
                                      f"{sorted(values[kind])}")
                if not isinstance(synonyms, list) or not all(isinstance(w, str) and w.strip() for w in synonyms):
                    raise ZoningError(f"{path}: words.{kind}.{code}: 需要带引号的词列表 / expected a list of quoted "
                                      f"words, got {synonyms!r} (YAML reads a bare yes/no/1 as a boolean or number)")
                for word in synonyms:
                    if table.setdefault(word.strip(), code) != code:
                        raise ZoningError(f"{path}: words.{kind}: {word!r} 同时属于 {table[word.strip()]} 和 {code} / "
                                          f"is a word of both {table[word.strip()]} and {code}")
            out[str(kind)] = table
    except AttributeError as exc:
        raise ZoningError(f"{path}: words 格式有误 / malformed words section ({exc}); expected "
                          "words.<kind>.<code>: [word, ...]") from exc
    return out


def labels(kind: str) -> dict[str, tuple[str, str]]:
    """code → (zh, en) of one kind of value (boolean, unit_category, park_kind, river_class, construction, process)."""
    return dict(_read()[0][kind])


def label(kind: str, code) -> tuple[str, str]:
    """(zh, en) of a code; an unknown code is shown as itself in both languages."""
    text = str(code)
    return _read()[0].get(kind, {}).get(text, (text, text))


def fact_kind(column: str) -> str | None:
    """The kind of value a fact or output column holds, None for free text and numbers."""
    return _read()[1].get(column)


def fact_text(column: str, value, lang: str = "zh") -> str:
    """A fact value in plain words: booleans 是/否, coded values (`;`-joined lists item by item) by label."""
    i = 0 if lang == "zh" else 1
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return label("boolean", "true" if value else "false")[i]
    kind = fact_kind(column)
    if kind is None:
        return str(value)
    sep = "；" if lang == "zh" else "; "
    return sep.join(label(kind, part.strip())[i] for part in str(value).split(";") if part.strip())


def words(kind: str) -> dict[str, str]:
    """word → code of one kind of value (boolean, construction), as written in rules/vocabulary.yaml; callers
    match cells after their own normalisation (the project reader: NFKC, case-folded, no spaces/-/_)."""
    table = _read()[2].get(kind)
    if table is None:
        raise ZoningError(f"rules/vocabulary.yaml 没有 words.{kind} / has no words for {kind!r}; "
                          f"kinds with words: {sorted(_read()[2])}")
    return dict(table)
