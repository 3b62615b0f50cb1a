"""zoning.yamlio.read_yaml rejects duplicate mapping keys (PyYAML would keep the last one silently)."""

import re
import shutil
from pathlib import Path

import pytest
import yaml

from screening.rules import RULES_DIR, RuleError, load_rules
from zoning.yamlio import DuplicateKeyError, UniqueKeyLoader, read_yaml

REPO = Path(__file__).resolve().parents[1]


def write(tmp_path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_duplicate_key_names_file_line_and_key_chinese_first(tmp_path):
    path = write(tmp_path, "dup.yaml", "rules:\n  - id: a\n    outcome: prohibited\n    outcome: note\n")
    with pytest.raises(DuplicateKeyError) as info:
        read_yaml(path)
    assert str(info.value) == "dup.yaml 第 4 行：重复的键 'outcome' / line 4: duplicate key 'outcome'"
    assert (info.value.file, info.value.line, info.value.key) == ("dup.yaml", 4, "outcome")
    assert isinstance(info.value, yaml.YAMLError)  # callers catching YAMLError still catch it


def test_duplicate_top_level_and_flow_keys(tmp_path):
    with pytest.raises(DuplicateKeyError, match="第 3 行：重复的键 'rules'"):
        read_yaml(write(tmp_path, "top.yaml", "rules: []\nx: 1\nrules: []\n"))
    with pytest.raises(DuplicateKeyError, match="line 1: duplicate key 'fact'"):
        read_yaml(write(tmp_path, "flow.yaml", "when: {fact: pm25, fact: pm10, gt: 3}\n"))


def test_equal_keys_of_other_types_are_duplicates(tmp_path):
    with pytest.raises(DuplicateKeyError, match="duplicate key 2024"):
        read_yaml(write(tmp_path, "num.yaml", "values:\n  2024: 1\n  2024: 2\n"))


def test_distinct_keys_and_merge_overrides_load(tmp_path):
    path = write(tmp_path, "ok.yaml", "base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  x: 3\nn: {a: 1, b: 2}\n")
    assert read_yaml(path) == {"base": {"x": 1, "y": 2}, "m": {"x": 3, "y": 2}, "n": {"a": 1, "b": 2}}


def test_loader_stays_safe_and_uses_libyaml_when_present(tmp_path):
    if hasattr(yaml, "CSafeLoader"):
        assert issubclass(UniqueKeyLoader, yaml.CSafeLoader)
    assert issubclass(UniqueKeyLoader, yaml.constructor.SafeConstructor)
    with pytest.raises(yaml.YAMLError):
        read_yaml(write(tmp_path, "tag.yaml", "x: !!python/object/apply:os.system ['true']\n"))


def test_a_rule_with_two_outcomes_is_a_load_error(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules)
    path = rules / "redline.yaml"
    text = path.read_text(encoding="utf-8")
    head = "    outcome: prohibited\n"
    assert text.count(head) == 1
    path.write_text(text.replace(head, head + "    outcome: note\n"), encoding="utf-8")
    with pytest.raises(RuleError, match=r"redline\.yaml 第 \d+ 行：重复的键 'outcome' / line \d+"):
        load_rules(rules)


def test_every_yaml_reader_of_the_code_goes_through_read_yaml():
    """No module outside zoning/yamlio.py parses YAML itself (it would skip the duplicate-key check)."""
    direct = re.compile(r"yaml\.(safe_load|load|full_load|unsafe_load|load_all|safe_load_all)\(")
    offenders = [str(p.relative_to(REPO)) for folder in ("screening", "zoning", "scripts", "benchmarks")
                 for p in sorted((REPO / folder).rglob("*.py"))
                 if p.name != "yamlio.py" and direct.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
