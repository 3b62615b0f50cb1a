"""Every YAML rule test case in rules/tests/ as its own pytest test, plus rule coverage."""

import shutil
from pathlib import Path

import pytest

from screening.rules import RULES_DIR
from screening.ruletests import coverage_gaps, run_rule_tests

RESULTS = run_rule_tests()


@pytest.mark.parametrize("result", RESULTS, ids=[f"{Path(r.file).stem}::{r.name}" for r in RESULTS])
def test_rule_case(result):
    assert result.passed, result.message


def test_there_are_cases():
    assert len(RESULTS) >= 50


def test_every_rule_has_a_firing_and_a_non_firing_case():
    assert coverage_gaps() == []


def copy_rules(tmp_path):
    d = tmp_path / "rules"
    shutil.copytree(RULES_DIR, d)
    return d


def test_coverage_check_catches_a_rule_without_cases(tmp_path):
    d = copy_rules(tmp_path)
    (d / "extra.yaml").write_text(
        "rules:\n"
        "  - id: extra_rule\n"
        "    title_zh: 额外\n"
        "    title_en: extra\n"
        "    source: {document: 渝环〔2023〕71号, clause: (四)}\n"
        "    effective: 2023-08-18\n"
        "    when: {fact: in_key_unit, is: true}\n"
        "    outcome: note\n"
        "    reason_zh: 额外\n"
        "    reason_en: extra\n", encoding="utf-8")
    with (d / "index.yaml").open("a", encoding="utf-8") as index:
        index.write("  - extra.yaml\n")
    gaps = coverage_gaps(d)
    assert any("extra_rule has no test case in tests/extra.yaml where it fires" in g for g in gaps)
    assert any("extra_rule has no test case in tests/extra.yaml where it does not fire" in g for g in gaps)
    assert any("rule file has no test file tests/extra.yaml" in g for g in gaps)


def test_a_wrong_expectation_fails(tmp_path):
    d = copy_rules(tmp_path)
    (d / "tests" / "wrong.yaml").write_text(
        "cases:\n"
        "  - name: wrong decision\n"
        "    facts: {sector: '3120', in_compliant_park: false}\n"
        "    expect: {decision: admissible, fired: [redline_development], not_fired: [high_pollution_outside_park]}\n"
        "  - name: unknown fact\n"
        "    facts: {in_redlines: true}\n"
        "    expect: {decision: admissible}\n"
        "  - name: unknown rule id\n"
        "    facts: {}\n"
        "    expect: {decision: admissible, fired: [no_such_rule]}\n"
        "  - name: nothing undecided\n"
        "    facts: {pm25: null, sector: '3120'}\n"
        "    expect: {decision: review, undecided: []}\n", encoding="utf-8")
    results = {r.name: r for r in run_rule_tests(d) if r.file.endswith("wrong.yaml")}
    assert not any(r.passed for r in results.values())
    msg = results["wrong decision"].message
    assert "decision 'prohibited', expected 'admissible'" in msg
    assert "did not fire: ['redline_development']" in msg
    assert "high_pollution_outside_park" in msg
    assert "unknown fact(s) ['in_redlines']" in results["unknown fact"].message
    assert "unknown rule id(s) ['no_such_rule']" in results["unknown rule id"].message
    assert "expected nothing undecided" in results["nothing undecided"].message
