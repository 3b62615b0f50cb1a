"""Admission lists (生态环境准入清单): loading from XLSX and GBK CSV, named errors, matching, CLI output."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import zoning_world as world
from screening.admission import AdmissionError, admission_lists, list_outcomes, unit_table
from screening.cli import main
from screening.projects import read_projects
from screening.rules import load_rules
from screening.screen import project_facts, screen
from zoning.facts import compute_facts
from zoning.layers import load_layers

REPO = Path(__file__).resolve().parents[1]
DEMO_CATALOG = REPO / "layers" / "demo" / "catalog.toml"
DEMO_PROJECTS = REPO / "examples" / "projects.csv"  # its AL- rows exercise the demo list
HEADERS = ["编号", "单元编码", "类别", "区县", "维度", "行业", "建设性质", "类型", "要求", "依据", "生效日期"]
#: a small list over the synthetic world's units ZH001 priority | ZH002 key | ZH003 general
WORLD_ROWS = [
    ["W1", "ZH002", "", "", "空间布局约束", "chemical", "", "仅允许", "单元内仅允许化工项目", "测试清单 第1条", ""],
    ["W2", "ZH002", "", "", "空间布局约束", "化工", "新建", "限制", "新建化工项目须距河流1公里以上", "测试清单 第2条", ""],
    ["W3", "ZH001", "", "", "空间布局约束", "B;C;D", "新建;扩建", "禁止", "优先单元内禁止新建、扩建工业项目", "测试清单 第3条", ""],
    ["W4", "", "一般管控单元", "测试县", "污染物排放管控", "all", "", "要求", "废水须接入城镇污水管网", "测试清单 第4条", ""],
    ["W5", "", "重点管控单元", "", "环境风险防控", "26;-2619", "", "要求", "化工企业须编制应急预案", "测试清单 第5条", ""],
    ["W6", "全市", "", "", "资源开发效率要求", "", "新建", "要求", "新建项目须采用先进节水工艺", "测试清单 第6条", ""],
    ["W7", "", "", "", "环境风险防控", "某些沿江行业", "", "待核", "沿江相关行业须落实岸线管控（未结构化）", "测试清单 第7条", ""],
    ["W8", "ZH003", "", "", "空间布局约束", "all", "", "禁止", "将来生效的禁止条款", "测试清单 第8条", "2099-01-01"],
]
CATALOG = """\
[[layer]]
role = "control_unit"
path = "{folder}/管控单元.shp"
[layer.fields]
id = "单元编码"
name = "单元名称"
category = "管控类别"
[layer.values.category]
"优先保护单元" = "priority"
"重点管控单元" = "key"
"一般管控单元" = "general"

[[layer]]
role = "district"
path = "{folder}/区县.shp"
[layer.fields]
id = "区划代码"
name = "区划名称"

[[layer]]
role = "admission_list"
path = "{list}"
[layer.fields]
id = "编号"
scope_unit = "单元编码"
scope_category = "类别"
scope_district = "区县"
dimension = "维度"
sectors = "行业"
construction = "建设性质"
effect = "类型"
text = "要求"
source = "依据"
valid_from = "生效日期"
"""


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def write_list(folder: Path, name: str, rows: list[list[str]], world_catalog: Path) -> Path:
    """A list file (.xlsx or GBK .csv) and a catalog with the world's units and districts; the catalog path."""
    frame = pd.DataFrame(rows, columns=HEADERS)
    path = folder / name
    if path.suffix == ".xlsx":
        frame.to_excel(path, index=False)
    else:
        frame.to_csv(path, index=False, encoding="gbk")
    catalog = folder / f"{path.stem}.toml"
    catalog.write_text(CATALOG.format(folder=world_catalog.parent.as_posix(), list=path.name), encoding="utf-8")
    return catalog


@pytest.fixture(scope="module")
def world_list(tmp_path_factory, world_catalog):
    """The world's layers plus WORLD_ROWS as a GBK CSV admission list."""
    folder = tmp_path_factory.mktemp("lists")
    return load_layers(write_list(folder, "清单.csv", WORLD_ROWS, world_catalog))


@pytest.mark.parametrize("name", ["list.xlsx", "list_gbk.csv"])
def test_xlsx_and_gbk_csv_load(tmp_path, world_catalog, rules, name):
    layers = load_layers(write_list(tmp_path, name, WORLD_ROWS, world_catalog))
    lst = admission_lists(layers, rules.sectors)
    rows = lst.rows.set_index("id")
    assert list(rows.index) == [r[0] for r in WORLD_ROWS]
    assert rows.loc["W2", "effect"] == "restricted" and rows.loc["W2", "dimension"] == "spatial"
    assert rows.loc["W7", "effect"] == "check" and rows.loc["W7", "sectors_text"] == "某些沿江行业"
    assert dict(rows["scope"]) == {"W1": "unit", "W2": "unit", "W3": "unit", "W4": "district", "W5": "category",
                                   "W6": "city", "W7": "city", "W8": "unit"}
    assert set(lst.sectors.loc[lst.sectors["req"] == 4, "key"]) == {"division:26", "code:2619"}
    assert rows.loc["W4", "row"] == 5  # spreadsheet row numbers: header is row 1


def test_bad_rows_are_named_by_row_and_column(tmp_path, world_catalog, rules):
    bad = [list(r) for r in WORLD_ROWS[:3]]
    bad[0][1] = "ZH999"        # row 2: unknown unit code
    bad[1][5] = "chemcal"      # row 3: unknown sector word
    bad[2][7] = "也许"          # row 4: bad effect
    layers = load_layers(write_list(tmp_path, "bad.csv", bad, world_catalog))
    with pytest.raises(AdmissionError) as err:
        admission_lists(layers, rules.sectors)
    text = str(err.value)
    assert "bad.csv row 2, column 单元编码: unknown unit code 'ZH999'" in text
    assert "bad.csv row 3, column 行业: unknown sector word 'chemcal'" in text
    assert "[layer.values.sectors]" in text
    assert "bad.csv row 4, column 类型: unknown word '也许'" in text
    assert "3 bad cell(s)" in text


def test_missing_column_and_bad_date(tmp_path, world_catalog, rules):
    rows = [list(r) for r in WORLD_ROWS[:2]]
    rows[1][10] = "2024-13-40"
    layers = load_layers(write_list(tmp_path, "dates.csv", rows, world_catalog))
    with pytest.raises(AdmissionError, match=r"row 3, column 生效日期: not a date"):
        admission_lists(layers, rules.sectors)
    frame = pd.DataFrame(WORLD_ROWS, columns=HEADERS).drop(columns=["维度"])
    frame.to_csv(tmp_path / "dates.csv", index=False, encoding="gbk")
    with pytest.raises(AdmissionError, match=r"column '维度' \(our 'dimension'\) not in dates.csv"):
        admission_lists(load_layers(tmp_path / "dates.toml"), rules.sectors)


def world_sites(tmp_path: Path) -> Path:
    """Sites of the world as WKT (local metres -> lon/lat); s6 is a square touching ZH001 from inside ZH002."""
    def point(x, y):
        return "POINT ({} {})".format(*world.lonlat(x, y))

    def square(x0, y0, x1, y1):
        ring = [world.lonlat(x, y) for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0))]
        return "POLYGON ((" + ", ".join(f"{x} {y}" for x, y in ring) + "))"

    rows = [("s1", "2614", "新建", point(8500, 8500)), ("s2", "2110", "新建", point(12000, 10000)),
            ("s3", "2614", "新建", point(3000, 10000)), ("s4", "1391", "扩建", point(17000, 10000)),
            ("s5", "", "新建", point(12000, 11000)), ("s6", "1391", "新建", square(6000, 10000, 6500, 10500)),
            ("s7", "2619", "新建", point(8000, 12000))]
    path = tmp_path / "sites.csv"
    pd.DataFrame(rows, columns=["id", "sector", "construction", "wkt"]).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def world_results(world_list, rules, tmp_path_factory):
    return screen(read_projects(world_sites(tmp_path_factory.mktemp("sites"))), world_list, rules,
                  as_of=dt.date(2026, 11, 26)).set_index("id")


def list_ids(text) -> set[str]:
    return {i.removeprefix("list:") for i in str(text).split(";") if i.startswith("list:")}


def test_unit_scoped_allowed_only_and_restricted(world_results):
    s1 = world_results.loc["s1"]
    assert list_ids(s1["rule_ids"]) == {"W2"}              # W1 allows it (no decision), W2 restricts it
    assert s1["decision"] in ("conditional", "prohibited", "review")
    assert "新建化工项目须距河流1公里以上 [测试清单 第2条]" in s1["obligations"]
    assert "[空间布局约束] 单元内仅允许化工项目 [测试清单 第1条]" in s1["list_requirements"]
    assert "[环境风险防控] 化工企业须编制应急预案 [测试清单 第5条]" in s1["list_requirements"]   # key-unit list
    s2 = world_results.loc["s2"]
    assert s2["decision"] == "prohibited" and list_ids(s2["rule_ids"]) == {"W1"}
    assert "不在生态环境准入清单允许之列" in s2["reasons"] and "测试清单 第1条" in s2["citations"]


def test_priority_unit_prohibition_and_exclusions(world_results):
    s3 = world_results.loc["s3"]
    assert s3["decision"] == "prohibited" and "W3" in list_ids(s3["rule_ids"])
    assert "化工企业须编制应急预案" not in s3["list_requirements"]          # W5 is for key units only
    s7 = world_results.loc["s7"]
    assert "化工企业须编制应急预案" not in s7["list_requirements"]          # 2619 is excluded from W5


def test_category_district_and_city_rows(world_results):
    s4 = world_results.loc["s4"]
    assert "[污染物排放管控] 废水须接入城镇污水管网 [测试清单 第4条]" in s4["list_requirements"]
    assert "节水" not in s4["list_requirements"]                           # W6 is for new construction only
    assert "废水须接入城镇污水管网" in s4["obligations"]
    for site in ("s1", "s2", "s3", "s6"):
        assert "新建项目须采用先进节水工艺" in world_results.loc[site, "list_requirements"]
        assert "废水须接入" not in world_results.loc[site, "list_requirements"]  # not general units of 测试县


def test_requirements_to_check_and_future_rows(world_results):
    for site in world_results.index:
        assert "沿江相关行业须落实岸线管控" in world_results.loc[site, "requirements_to_check"]
        assert "将来生效" not in world_results.loc[site, "list_requirements"]


def test_unknown_sector_fails_closed_naming_the_row(world_results):
    s5 = world_results.loc["s5"]
    assert s5["decision"] == "review"
    assert {"W1", "W2"} <= list_ids(s5["undecided"])
    assert "准入清单条目 W1 无法判定" in s5["reasons"]


def test_touching_unit_gives_none_of_its_requirements(world_results):
    s6 = world_results.loc["s6"]
    assert s6["control_units"] == "ZH002"
    assert "W3" not in list_ids(s6["rule_ids"])
    assert "优先单元内禁止" not in s6["list_requirements"]
    assert s6["decision"] == "prohibited" and list_ids(s6["rule_ids"]) == {"W1"}  # not chemical, in ZH002


def test_batch_matches_one_by_one(demo_layers, rules):
    projects = read_projects(DEMO_PROJECTS).projects
    facts = pd.concat([project_facts(projects, rules), compute_facts(projects.geometry, demo_layers)], axis=1)
    lst, units = admission_lists(demo_layers, rules.sectors), unit_table(demo_layers)
    batch = list_outcomes(facts, lst, units, dt.date(2026, 11, 26))
    for i in range(len(facts)):
        single = list_outcomes(facts.iloc[[i]], lst, units, dt.date(2026, 11, 26))
        assert single.iloc[0].tolist() == batch.iloc[i].tolist()


#: demo project -> (decision, list rows in rule_ids)
DEMO_EXPECTED = {
    "AL-002": ("prohibited", {"DEMO-001"}),               # allowed-only chemical-park unit, furniture
    "AL-005": ("prohibited", {"DEMO-014", "DEMO-037"}),   # priority unit, unit list and category list
    "AL-006": ("conditional", {"DEMO-021"}),              # key unit emission cap
    "AL-008": ("admissible", set()),                      # general unit: requirements only
    "AL-009": ("prohibited", {"DEMO-032", "DEMO-043"}),   # category + district list, category list
    "AL-010": ("prohibited", {"DEMO-027"}),
    "AL-012": ("prohibited", {"DEMO-030"}),
}


@pytest.fixture(scope="module")
def demo_results(demo_layers, rules):
    return screen(read_projects(DEMO_PROJECTS), demo_layers, rules, as_of=dt.date(2026, 11, 26)).set_index("项目编号")


@pytest.mark.parametrize("pid", sorted(DEMO_EXPECTED))
def test_demo_projects_hit_the_demo_list(demo_results, pid):
    decision, ids = DEMO_EXPECTED[pid]
    row = demo_results.loc[pid]
    assert row["decision"] == decision
    assert list_ids(row["rule_ids"]) == ids


def test_demo_list_covers_every_dimension_effect_and_scope(demo_layers, rules):
    rows = admission_lists(demo_layers, rules.sectors).rows
    assert set(rows["dimension"]) == {"spatial", "emission", "risk", "resource"}
    assert set(rows["effect"]) == {"prohibited", "restricted", "allowed_only", "requirement", "check"}
    assert set(rows["scope"]) == {"unit", "district", "category", "city"}
    assert rows["citation"].str.startswith("illustrative demo list (not official)").all()


def test_demo_requirements_and_valid_from(demo_layers, rules, demo_results):
    assert "农副食品、食品和饮料制造项目废水须预处理" in demo_results.loc["AL-008", "obligations"]
    assert "碳排放强度" not in demo_results.loc["AL-008", "list_requirements"]
    later = screen(read_projects(DEMO_PROJECTS), demo_layers, rules, as_of=dt.date(2027, 6, 1)).set_index("项目编号")
    assert "[资源开发效率要求] 新建项目单位产品碳排放强度" in later.loc["AL-008", "list_requirements"]
    review = demo_results.loc["AL-011"]
    assert review["decision"] == "review" and "DEMO-001" in list_ids(review["undecided"])


def test_zoning_screen_writes_list_requirements(tmp_path):
    result = CliRunner().invoke(main, ["screen", str(DEMO_PROJECTS), "-o", str(tmp_path), "--no-map", "-q",
                                       "--catalog", str(DEMO_CATALOG)])
    assert result.exit_code == 0, result.output
    out = pd.read_csv(tmp_path / "results.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    row = out.set_index("项目编号").loc["AL-005"]
    assert "[空间布局约束] 长寿湖水源涵养区内禁止新建、扩建工业项目 [illustrative demo list (not official) 长寿湖单元 一(1)" \
        in row["list_requirements"]
    assert "长江经济带" in row["requirements_to_check"]


def test_single_site_verdict_shows_list_requirements():
    args = ["screen", "--lon", "107.045", "--lat", "29.818", "--sector", "2110", "--construction", "新建",
            "--catalog", str(DEMO_CATALOG)]
    text = CliRunner().invoke(main, args)
    assert text.exit_code == 0, text.output
    assert "准入清单要求 / admission-list requirements" in text.output
    assert "[空间布局约束] 单元内仅允许布局" in text.output
    data = json.loads(CliRunner().invoke(main, [*args, "--json"]).output)
    assert data["decision"] == "prohibited" and "list:DEMO-001" in data["rule_ids"]
    assert any("长寿经开区单元 一(1)" in r for r in data["list_requirements"])
    assert data["requirements_to_check"]


def test_lists_check_cli(tmp_path, world_catalog):
    result = CliRunner().invoke(main, ["lists", "check", "--catalog", str(DEMO_CATALOG)])
    assert result.exit_code == 0, result.output
    assert "54 list row(s) from admission_list.csv" in result.output
    assert "scope: unit" in result.output and "units without a unit-specific list" in result.output
    assert "not yet in force" in result.output
    bad = [list(WORLD_ROWS[0])]
    bad[0][1] = "ZH999"
    failed = CliRunner().invoke(main, ["lists", "check", "--catalog",
                                       str(write_list(tmp_path, "bad.csv", bad, world_catalog))])
    assert failed.exit_code != 0
    assert "bad.csv row 2, column 单元编码: unknown unit code 'ZH999'" in failed.output


def _unit_bbox() -> tuple[float, float, float, float]:
    """A lon/lat box inside unit ZH001 (and district 测试区) only."""
    (x0, y0), (x1, y1) = world.lonlat(500, 9500), world.lonlat(1500, 10500)
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def test_screen_opens_no_layer_file_for_the_lists(tmp_path, world_catalog, rules, monkeypatch):
    """Units and districts come from the layers as loaded: screening re-reads no layer file (it used to
    read the unit and district files again, with pyogrio, on every list load)."""
    import pyogrio

    layers = load_layers(write_list(tmp_path, "清单.csv", WORLD_ROWS, world_catalog))
    real, calls = pyogrio.read_dataframe, []
    monkeypatch.setattr(pyogrio, "read_dataframe", lambda *a, **kw: calls.append(a) or real(*a, **kw))
    results = screen(read_projects(world_sites(tmp_path)), layers, rules, as_of=dt.date(2026, 11, 26))
    assert calls == []
    assert list_ids(results.set_index("id").loc["s2", "rule_ids"]) == {"W1"}


def test_lists_are_loaded_once_per_file_version(tmp_path, world_catalog, rules):
    catalog = write_list(tmp_path, "清单.csv", WORLD_ROWS, world_catalog)
    layers = load_layers(catalog)
    first = admission_lists(layers, rules.sectors)
    assert admission_lists(layers, rules.sectors) is first
    pd.DataFrame(WORLD_ROWS[:3], columns=HEADERS).to_csv(tmp_path / "清单.csv", index=False, encoding="gbk")
    again = admission_lists(layers, rules.sectors)
    assert again is not first and list(again.rows["id"]) == ["W1", "W2", "W3"]


def test_a_load_near_one_site_still_knows_every_unit(tmp_path, world_catalog, rules):
    layers = load_layers(write_list(tmp_path, "清单.csv", WORLD_ROWS, world_catalog), bbox=_unit_bbox())
    assert list(layers.frame("control_unit")["id"]) == ["ZH001"]
    assert list(layers.attributes("control_unit", ("id", "district"))["id"]) == ["ZH001", "ZH002", "ZH003"]
    assert list(layers.attributes("district", ("id", "name"))["name"]) == ["测试区", "测试县"]
    lst = admission_lists(layers, rules.sectors)  # W2 names ZH002, W8 ZH003: far from the box, yet known
    assert set(lst.units["unit"]) == {"ZH001", "ZH002", "ZH003"}
    assert set(lst.areas.loc[lst.areas["district"] != "*", "district"]) == {"测试县"}


def test_the_list_columns_are_checked_by_screening_not_by_the_catalog(tmp_path, world_catalog, rules):
    from zoning.catalog import read_catalog
    from zoning.errors import CatalogError

    catalog = write_list(tmp_path, "清单.csv", WORLD_ROWS, world_catalog)
    catalog.write_text(catalog.read_text(encoding="utf-8") + 'colour = "颜色"\n', encoding="utf-8")
    entry = read_catalog(catalog).by_role("admission_list")[0]  # zoning keeps the entry as it is
    assert entry.fields["colour"] == "颜色"
    with pytest.raises(CatalogError, match=r"\[layer.fields\] has unknown name\(s\) colour; for role admission_list"):
        admission_lists(load_layers(catalog), rules.sectors)
