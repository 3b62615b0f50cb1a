"""Plain words for coded values: rules/vocabulary.yaml is their one home, read by the verdict and the maps
(issue 11, item 7)."""

from __future__ import annotations

import pandas as pd
import pytest

from maps.popups import decision_popup
from maps.styles import CATEGORY_LABELS
from screening.rules import load_rules
from zoning.data import rules_dir
from zoning.vocabulary import fact_text, label, labels


def test_controlled_words_of_the_facts_all_have_labels():
    facts = load_rules(rules_dir()).facts
    for fact in ("construction", "process"):
        assert set(facts[fact].values) == set(labels(fact)), fact


def test_map_category_labels_are_the_vocabulary():
    for kind in ("unit_category", "park_kind", "river_class"):
        for code, pair in labels(kind).items():
            assert CATEGORY_LABELS[code] == pair


def test_fact_text():
    assert fact_text("control_unit_categories", "key;priority") == "重点管控单元；优先保护单元"
    assert fact_text("control_unit_categories", "key;priority", "en") == "key control; priority protection"
    assert fact_text("in_urban_area", True) == "是" and fact_text("in_urban_area", False, "en") == "no"
    assert fact_text("construction_type", "relocation") == "迁建"
    assert fact_text("construction_type", "其他") == "其他"  # an unknown word shows as itself
    assert label("process", "clinker")[0] == "水泥熟料生产线"


def test_decision_popup_in_plain_words():
    row = pd.Series({"id": "P1", "name": "某厂", "decision": "review", "control_unit_categories": "key;general",
                     "construction_type": "expansion", "in_redline": False, "in_urban_area": True})
    html = decision_popup(row)
    assert "重点管控单元；一般管控单元" in html and "扩建" in html and "否 no" in html and "是 yes" in html
    assert ">key" not in html and "expansion" not in html


def test_decision_labels_have_one_home():
    """Map legends, popups, the verdict and results.csv's decision_zh read the same labels: they cannot drift."""
    from maps.styles import DECISION_LABELS, DECISION_ORDER
    from screening.decide import DECISION_ZH, DECISIONS

    assert set(DECISION_ORDER) == set(DECISION_LABELS) == set(DECISION_ZH) == {*DECISIONS, "invalid"}
    assert all(DECISION_ZH[d] == DECISION_LABELS[d][0] for d in DECISION_ORDER)
    assert DECISION_ZH["review"] == "需人工复核" and DECISION_LABELS["invalid"] == ("输入无效", "invalid input")


def test_reader_words_have_one_home():
    """Construction and yes/no words are rules/vocabulary.yaml `words:`, read by the project reader (issue 12)."""
    from screening.projects import construction_words, major_words, standardize
    from zoning.vocabulary import words

    construction = words("construction")
    assert construction["改扩建"] == "expansion"  # the stricter reading for (四)'s 新建、扩建 rules
    assert {construction[w] for w in ("新建", "扩建", "改建", "迁建")} == {"new", "expansion", "renovation",
                                                                       "relocation"}
    assert set(construction.values()) == set(labels("construction"))
    assert construction_words() == construction
    assert major_words()["是"] is True and major_words()["0"] is False
    assert set(words("boolean").values()) == set(labels("boolean"))
    frame = pd.DataFrame({"经度": ["106.55"] * 4, "纬度": ["29.56"] * 4, "建设性质": ["改扩建", "技改", "新建 项目", "大修"],
                          "国家重大项目": ["Y", "否", "TRUE", "也许"]})
    out = standardize(frame)
    assert out["construction"].tolist() == ["expansion", "renovation", "new", "大修"]
    assert out["major"].tolist() == [True, False, True, pd.NA]


def _vocabulary_with(tmp_path, monkeypatch, text: str):
    """zoning.vocabulary reading a copy of rules/vocabulary.yaml with `text` appended to its words."""
    import zoning.vocabulary as vocabulary

    (tmp_path / "vocabulary.yaml").write_text((rules_dir() / "vocabulary.yaml").read_text(encoding="utf-8") + text,
                                              encoding="utf-8")
    monkeypatch.setattr(vocabulary, "rules_dir", lambda: tmp_path)
    vocabulary._read.cache_clear()
    return vocabulary


@pytest.mark.parametrize("extra, message", [
    ("  park_kind:\n    chemical: [化工]\n    industrial: [化工]\n", "化工.*both chemical and industrial"),
    ("  park_kind:\n    chemical: [yes]\n", "quoted"),
    ("  park_kind:\n    refinery: ['炼化']\n", "unknown code"),
    ("  colour:\n    red: ['红']\n", "no labels for this kind"),
])
def test_malformed_words_are_refused(tmp_path, monkeypatch, extra, message):
    from zoning.errors import ZoningError

    vocabulary = _vocabulary_with(tmp_path, monkeypatch, extra)
    try:
        with pytest.raises(ZoningError, match=message):
            vocabulary.words("construction")
    finally:
        vocabulary._read.cache_clear()


def test_words_of_an_unknown_kind(monkeypatch):
    from zoning.errors import ZoningError
    from zoning.vocabulary import words

    with pytest.raises(ZoningError, match="has no words for 'colour'"):
        words("colour")
