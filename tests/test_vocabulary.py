"""Plain words for coded values: rules/vocabulary.yaml is their one home, read by the verdict and the maps
(issue 11, item 7)."""

from __future__ import annotations

import pandas as pd

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
