"""Process words (rules/process_words.yaml): the 工艺 column vocabulary and process words in project names."""

import inspect

import pandas as pd
import pytest

import screening.projects as projects
from screening.projects.process_words import ProcessWordError, column_words, from_names, load_process_words
from screening.projects import standardize
from screening.sectors import RULES_DIR

WORDS = load_process_words()


def _read(names, process=None):
    frame = pd.DataFrame({"项目名称": names, "经度": ["106.55"] * len(names), "纬度": ["29.56"] * len(names)})
    if process is not None:
        frame["工艺"] = process
    return standardize(frame)


def test_clinker_from_the_name_with_a_warning():
    p = _read(["年产200万吨水泥熟料生产线"])
    assert p.loc[0, "process"] == "clinker" and bool(p.loc[0, "process_known"]) is True
    assert "工艺由项目名称中的“水泥熟料”识别为 熟料" in p.loc[0, "warnings"]
    assert "process read from the name (‘水泥熟料’): clinker" in p.loc[0, "warnings"]


@pytest.mark.parametrize("name, process", [
    ("独立粉磨站项目", "grinding_station"), ("水泥粉磨生产线技改", "grinding_station"),
    ("短流程电弧炉炼钢项目", "eaf"), ("高炉大修及转炉配套工程", "bf_bof"), ("铅锌矿尾矿库扩容", "tailings_pond"),
    ("光伏压延玻璃生产线", "pv_rolled_glass"), ("年产60万吨煤制烯烃项目", "coal_chemical"),
    ("煤制乙二醇一期", "coal_chemical"),
])
def test_processes_from_names(name, process):
    p = _read([name])
    assert p.loc[0, "process"] == process and bool(p.loc[0, "process_known"]) is True, name
    assert f"{WORDS[process].en}" in p.loc[0, "warnings"]


def test_an_explicit_column_wins_over_the_name():
    p = _read(["水泥熟料生产线", "水泥熟料生产线"], process=["粉磨站", ""])
    assert p["process"].tolist() == ["grinding_station", "clinker"]
    assert p.loc[0, "warnings"] == ""  # the name is not read when the column says
    unknown = _read(["水泥熟料生产线"], process=["湿法"])
    assert unknown.loc[0, "process"] == "湿法" and bool(unknown.loc[0, "process_known"]) is False
    assert "识别为" not in unknown.loc[0, "warnings"]


def test_conflicting_name_words_leave_the_process_unknown():
    p = _read(["水泥熟料及粉磨站项目", "高炉改电炉"])
    assert p["process"].isna().all() and p["process_known"].isna().all()
    assert "工艺词冲突" in p.loc[0, "warnings"] and "“粉磨站”（水泥粉磨站）" in p.loc[0, "warnings"]
    assert "“水泥熟料”（熟料）" in p.loc[0, "warnings"] and "left unknown" in p.loc[0, "warnings"]
    assert "“高炉”" in p.loc[1, "warnings"] and "“电炉”" in p.loc[1, "warnings"]


def test_a_name_without_words_is_unchanged():
    p = _read(["仓储物流园", None])
    assert p["process"].isna().all() and p["process_known"].isna().all()
    assert p["warnings"].tolist() == ["", ""]
    no_name = standardize(pd.DataFrame({"经度": ["106.55"], "纬度": ["29.56"]}))
    assert pd.isna(no_name.loc[0, "process"]) and no_name.loc[0, "warnings"] == ""


def test_many_rows_in_one_pass():
    names = pd.Series(["年产200万吨水泥熟料生产线", "独立粉磨站项目", "仓储物流园", "熟料及粉磨站"] * 25_000)
    process, notes = from_names(names, WORDS)
    assert process.iloc[:4].tolist() == ["clinker", "grinding_station", pd.NA, pd.NA]
    assert process.notna().sum() == 50_000 and (notes != "").sum() == 75_000


def test_words_exist_once():
    assert not hasattr(projects, "PROCESS_WORDS")
    assert "熟料生产线" not in inspect.getsource(projects)  # the words are read from rules/process_words.yaml
    assert set(column_words(WORDS)) >= {"grinding_station", "clinker", "eaf", "bf_bof", "tailings_pond",
                                        "pv_rolled_glass", "coal_chemical"}
    assert all(p.zh and p.en and p.column and p.name for p in WORDS.values())


def test_the_baseline_process_words_are_all_listed():
    import re

    rules = "\n".join(path.read_text(encoding="utf-8") for path in sorted(RULES_DIR.glob("*.yaml")))
    used = set()
    for listed in re.findall(r"fact: process, in: \[([^\]]*)\]", rules):
        used |= {w.strip() for w in listed.split(",")}
    assert used and used <= set(WORDS)


def test_a_column_word_of_two_processes_is_refused(tmp_path):
    path = tmp_path / "process_words.yaml"
    path.write_text("processes:\n"
                    "  clinker: {zh: 熟料, en: clinker, column: [熟料], name: [熟料]}\n"
                    "  eaf: {zh: 电炉, en: eaf, column: [电炉, ' 熟 料 '], name: [电炉]}\n", encoding="utf-8")
    with pytest.raises(ProcessWordError, match="already a word of clinker"):
        load_process_words(path)
    path.write_text("processes:\n  clinker: {zh: 熟料, en: clinker, column: [熟料]}\n", encoding="utf-8")
    with pytest.raises(ProcessWordError, match="exactly the fields"):
        load_process_words(path)
