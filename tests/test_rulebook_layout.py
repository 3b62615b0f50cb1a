"""The rulebook's layout: one rule file per topic, ordered by rules/index.yaml, each paired with the test
file of the same name in rules/tests/ (docs/rules.md)."""

import shutil
import textwrap
from pathlib import Path

import pytest

from screening.rules import INDEX_FILE, RULES_DIR, RuleError, load_rules, rule_files
from screening.ruletests import coverage_gaps, pairing_problems
from zoning.yamlio import read_yaml

#: the rule order before the rulebook was split by topic; it decides the order of ids and reasons
ORDER = ["sector_unknown", "outside_coverage", "construction_unrecognised", "redline_development",
         "redline_linear_or_major", "redline_touching_note", "high_pollution_outside_park",
         "park_straddles_note", "chemical_near_river", "priority_unit_two_high", "priority_unit_access_list",
         "urban_high_pollution", "cement_grinding_station", "cement_process_unstated", "national_layout_review",
         "capacity_replacement", "two_high_requirements", "carbon_assessment", "two_high_air_pm25",
         "two_high_air_other", "steel_eaf_note", "process_unrecognised", "clean_power_siting_note",
         "carbon_pilot_park_note"]
TOPICS = ["data.yaml", "redline.yaml", "parks_rivers.yaml", "units_urban.yaml", "cement_capacity.yaml",
          "two_high.yaml", "notes.yaml"]

RULE = """\
rules:
  - id: {id}
    title_zh: 测试
    title_en: test
    source: {{document: 渝环〔2023〕71号, clause: (四)}}
    effective: 2023-08-18
    when: {{fact: in_key_unit, is: true}}
    outcome: note
    reason_zh: 原因
    reason_en: reason
"""


def copy_rules(tmp_path) -> Path:
    shutil.copytree(RULES_DIR, tmp_path / "rules")
    return tmp_path / "rules"


def add_topic(rules: Path, name: str, rule_id: str, listed: bool = True) -> None:
    """A rule file `name` with one note rule, appended to index.yaml when `listed`."""
    (rules / name).write_text(RULE.format(id=rule_id), encoding="utf-8")
    if listed:
        with (rules / INDEX_FILE).open("a", encoding="utf-8") as index:
            index.write(f"  - {name}\n")


def test_rule_order_is_unchanged_by_the_split():
    assert load_rules().ids == ORDER


def test_one_file_per_topic_in_index_order():
    rs = load_rules()
    assert [p.name for p in rs.files] == TOPICS
    assert read_yaml(RULES_DIR / INDEX_FILE)["rule_files"] == TOPICS
    assert not (RULES_DIR / "baseline.yaml").exists()
    by_file = [Path(r.file).name for r in rs.rules]
    assert by_file == sorted(by_file, key=TOPICS.index)  # rules come file by file, in index order


def test_every_rule_file_has_its_test_file_and_back():
    rs = load_rules()
    assert pairing_problems(rs) == []
    assert sorted(p.name for p in (RULES_DIR / "tests").glob("*.yaml")) == sorted(TOPICS)


def test_the_index_not_the_names_sets_the_order(tmp_path):
    rules = copy_rules(tmp_path)
    index = rules / INDEX_FILE
    text = index.read_text(encoding="utf-8")
    index.write_text(text.replace("  - notes.yaml", "").replace("rule_files:\n", "rule_files:\n  - notes.yaml\n"),
                     encoding="utf-8")
    ids = load_rules(rules).ids
    assert ids[:4] == ["steel_eaf_note", "process_unrecognised", "clean_power_siting_note",
                       "carbon_pilot_park_note"]
    assert sorted(ids) == sorted(ORDER)


def test_a_rule_file_missing_from_the_index_is_an_error(tmp_path):
    rules = copy_rules(tmp_path)
    add_topic(rules, "extra.yaml", "extra_rule", listed=False)
    with pytest.raises(RuleError, match=r"index\.yaml: 规则文件 \['extra.yaml'\] 未列入 rule_files / .*not listed"):
        load_rules(rules)


@pytest.mark.parametrize("entry, message", [
    ("ghost.yaml", r"规则文件 ghost\.yaml 不存在 / rule file ghost\.yaml does not exist"),
    ("redline.yaml", r"rule file redline\.yaml is listed twice"),
    ("facts.yaml", r"`facts\.yaml` is not a rule file name"),
    ("tests/redline.yaml", r"`tests/redline\.yaml` is not a rule file name"),
])
def test_bad_index_entries(tmp_path, entry, message):
    rules = copy_rules(tmp_path)
    with (rules / INDEX_FILE).open("a", encoding="utf-8") as index:
        index.write(f"  - {entry}\n")
    with pytest.raises(RuleError, match=message):
        load_rules(rules)


def test_without_an_index_rule_files_are_read_in_name_order(tmp_path):
    for name in ("facts.yaml", "sectors.yaml", "parameters.yaml"):
        shutil.copy(RULES_DIR / name, tmp_path / name)
    (tmp_path / "b.yaml").write_text(RULE.format(id="second"), encoding="utf-8")
    (tmp_path / "a.yaml").write_text(RULE.format(id="first"), encoding="utf-8")
    assert [p.name for p in rule_files(tmp_path)] == ["a.yaml", "b.yaml"]
    assert load_rules(tmp_path).ids == ["first", "second"]


def test_a_rule_file_without_its_test_file_fails_the_rule_tests(tmp_path):
    rules = copy_rules(tmp_path)
    add_topic(rules, "extra.yaml", "extra_rule")
    gaps = coverage_gaps(rules)
    assert any("extra.yaml: 规则文件没有同名测试文件 tests/extra.yaml / rule file has no test file" in g
               for g in gaps)


def test_a_test_file_whose_rules_live_elsewhere_fails_the_rule_tests(tmp_path):
    rules = copy_rules(tmp_path)
    (rules / "tests" / "sectors.yaml").write_text(textwrap.dedent("""\
        cases:
          - name: grinding station
            facts: {sector: "3011", process: grinding_station}
            expect: {decision: prohibited, fired: [cement_grinding_station]}
        """), encoding="utf-8")
    gaps = coverage_gaps(rules)
    assert [g for g in gaps if "sectors.yaml" in g] == [
        f"{rules / 'tests' / 'sectors.yaml'}: 测试文件没有同名规则文件 sectors.yaml（其规则在别的文件中）/ test "
        "file has no rule file sectors.yaml of the same name (its rules live in another file: rename it after "
        "the rule file it tests)"]


def test_cases_count_for_coverage_only_in_their_own_topic_file(tmp_path):
    rules = copy_rules(tmp_path)
    add_topic(rules, "extra.yaml", "extra_rule")
    (rules / "tests" / "extra.yaml").write_text(textwrap.dedent("""\
        cases:
          - name: key unit gets the note
            facts: {in_key_unit: true}
            expect: {decision: admissible, fired: [extra_rule]}
        """), encoding="utf-8")
    notes = rules / "tests" / "notes.yaml"
    notes.write_text(notes.read_text(encoding="utf-8") + "\n  - name: no key unit, no note\n"
                     "    facts: {in_key_unit: false}\n"
                     "    expect: {decision: admissible, not_fired: [extra_rule]}\n", encoding="utf-8")
    gaps = coverage_gaps(rules)
    assert gaps == [f"{rules / 'extra.yaml'}: rule extra_rule has no test case in tests/extra.yaml where it "
                    "does not fire"]
