"""The full GB/T 4754-2017 class table (rules/gbt4754_2017.csv): structure, counts, validity and names."""

import pandas as pd
import pytest

from screening.sectors import DEFAULT_TABLE, RULES_DIR, SectorError, load_class_table, load_sectors
from zoning.yamlio import read_yaml

TABLE = load_class_table()
CAT = load_sectors()
SPANS = {"A": ("01", "05"), "B": ("06", "12"), "C": ("13", "43"), "D": ("44", "46"), "E": ("47", "50"),
         "F": ("51", "52"), "G": ("53", "60"), "H": ("61", "62"), "I": ("63", "65"), "J": ("66", "69"),
         "K": ("70", "70"), "L": ("71", "72"), "M": ("73", "75"), "N": ("76", "79"), "O": ("80", "82"),
         "P": ("83", "83"), "Q": ("84", "85"), "R": ("86", "90"), "S": ("91", "96"), "T": ("97", "97")}


def test_counts_of_the_amended_standard():
    # 20 门类, 97 大类, 473 中类; 1381 小类 in the 2017 text plus 9231 监察委员会 from amendment No. 1
    assert (len(TABLE.sections), len(TABLE.divisions), len(TABLE.groups), len(TABLE.classes)) == (20, 97, 473, 1382)


def test_every_code_has_its_parents():
    assert all(c[:3] in TABLE.groups for c in TABLE.classes)
    assert all(g[:2] in TABLE.divisions for g in TABLE.groups)
    assert all(any(c[:3] == g for c in TABLE.classes) for g in TABLE.groups)  # no empty group
    assert sorted(TABLE.divisions) == [f"{i:02d}" for i in range(1, 98)]  # numbered 01-97 without gaps


def test_divisions_fall_in_the_section_ranges():
    assert set(TABLE.sections) == set(SPANS) and CAT.sections == SPANS
    for division in TABLE.divisions:
        letters = [k for k, (a, b) in SPANS.items() if a <= division <= b]
        assert letters == [CAT.section_of[division]], division
    assert TABLE.sections["C"] == "制造业" and TABLE.sections["D"] == "电力、热力、燃气及水生产和供应业"


def test_the_file_holds_each_code_once_in_order():
    frame = pd.read_csv(RULES_DIR / DEFAULT_TABLE, comment="#", dtype=str, keep_default_na=False)
    assert list(frame.columns) == ["code", "name"] and not frame["code"].duplicated().any()
    digits = frame.loc[frame["code"].str.isdigit(), "code"]
    assert list(digits) == sorted(digits)
    head = (RULES_DIR / DEFAULT_TABLE).read_text(encoding="utf-8").split("\ncode,name\n")[0]
    assert "source:" in head and "qwer-of-div/1frontEnd" in head and "NOT" in head  # the source note


@pytest.mark.parametrize("code, name", [
    ("0810", "铁矿采选"), ("3011", "水泥制造"), ("2614", "有机化学原料制造"), ("3110", "炼铁"), ("3120", "炼钢"),
    ("4411", "火力发电"), ("4416", "太阳能发电"), ("3216", "铝冶炼"), ("0722", "海洋天然气及可燃冰开采"),
    ("2521", "炼焦"), ("3041", "平板玻璃制造"), ("3741", "飞机制造"), ("6560", "信息技术咨询服务"),
    ("7010", "房地产开发经营"), ("9700", "国际组织"), ("9231", "监察委员会"), ("9233", "人民检察院"),
])
def test_known_classes_are_valid_with_their_names(code, name):
    assert TABLE.classes[code] == name
    assert CAT.is_valid(code) and CAT.name(code) == name


@pytest.mark.parametrize("raw", ["3098", "0899", "9999", "0100", "2610", "9234", "C3098", 3098, "3011x"])
def test_classes_that_do_not_exist_are_not_valid(raw):
    assert not CAT.is_valid(raw) and CAT.name(raw) is None


def test_group_and_division_codes_are_not_project_codes():
    assert "301" in TABLE.groups and "30" in TABLE.divisions
    assert not CAT.is_valid("301") and not CAT.is_valid("30")


def test_facts_of_a_made_up_class_are_unknown():
    f = CAT.facts(pd.Series(["3098", "3011", "C3098"]))
    assert f["sector"].tolist() == ["3098", "3011", "3098"]
    assert f["sector_valid"].tolist() == [False, True, False]
    assert f.loc[0, CAT.categories].isna().all() and f.loc[2, CAT.categories].isna().all()


def test_names_come_from_the_table_for_every_class():
    codes = pd.Series(list(TABLE.classes) + ["3098", None])
    names = CAT.names(codes)
    assert names.iloc[:-2].tolist() == list(TABLE.classes.values())
    assert names.iloc[-2:].isna().all()
    assert all(CAT.name(c) == n for c, n in TABLE.classes.items())


def test_names_in_screening_output():
    from screening.rules import load_rules
    from screening.screen import _sector_names

    rules = load_rules()
    facts = rules.sectors.facts(pd.Series(["0810", "2614", "3098", "3741"]))
    assert _sector_names(facts["sector"], rules).tolist() == ["铁矿采选", "有机化学原料制造", pd.NA, "飞机制造"]


def test_membership_covers_every_class_and_matches_the_entries():
    table = CAT._members
    assert list(table.index) == list(TABLE.classes) and list(table.columns) == CAT.categories
    for code in TABLE.classes:  # the isin table agrees with the entry-by-entry walk for every class
        walked: dict[str, bool] = {}
        for name, entry in CAT.entries.items():
            walked[name] = entry.contains(code, walked)
        assert CAT.member(code) == walked, code


def test_a_broken_table_is_refused(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text("# note\ncode,name\nC,制造业\n30,非金属矿物制品业\n3011,水泥制造\n", encoding="utf-8")
    with pytest.raises(SectorError, match=r"data row 3 `3011,水泥制造`: .*group"):
        load_class_table(path)
    path.write_text("code,name\nC,制造业\n30,非金属矿物制品业\n301,水泥、石灰和石膏制造\n301,重复\n", encoding="utf-8")
    with pytest.raises(SectorError, match="listed twice"):
        load_class_table(path)
    path.write_text("code,title\n30,x\n", encoding="utf-8")
    with pytest.raises(SectorError, match="code,name"):
        load_class_table(path)


def test_names_in_sectors_yaml_are_refused(tmp_path):
    import yaml

    data = read_yaml(RULES_DIR / "sectors.yaml")
    data["classes"] = {"3011": "水泥制造"}
    path = tmp_path / "sectors.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(SectorError, match="`classes`"):
        load_sectors(path)


def test_a_table_beside_sectors_yaml_is_used(tmp_path):
    import shutil

    shutil.copy(RULES_DIR / "sectors.yaml", tmp_path / "sectors.yaml")
    text = (RULES_DIR / DEFAULT_TABLE).read_text(encoding="utf-8").replace("3011,水泥制造", "3011,水泥制造（本地）")
    (tmp_path / DEFAULT_TABLE).write_text(text, encoding="utf-8")
    assert load_sectors(tmp_path / "sectors.yaml").name("3011") == "水泥制造（本地）"
