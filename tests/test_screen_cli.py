"""`zoning screen` end to end on the GK/GBK world: GBK CSV, XLSX and GeoPackage inputs, row by row."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
from click.testing import CliRunner

import zoning_world as w
from screening.cli import main
from zoning.coords import from_cgcs2000

# id, name, sector, construction, local x, y (m), process -> decision, rule ids that must fire
CASES = [
    ("A", "孔内电子厂", "3911", "新建", 2500, 2500, "", "conditional", {"priority_unit_access_list"}),
    ("B", "红线内电子厂", "C3911", "新建", 1500, 1500, "", "prohibited", {"redline_development"}),
    ("C", "园区化工", "2614", "新建", 8000, 8000, "", "conditional", {"two_high_requirements", "carbon_assessment"}),
    ("D", "城区化工", "2614", "扩建", 18500, 3000, "", "prohibited",
     {"high_pollution_outside_park", "chemical_near_river", "urban_high_pollution", "two_high_air_pm25"}),
    ("E", "粉磨站", "3011", "新建", 12000, 3000, "粉磨站", "prohibited", {"cement_grinding_station"}),
    ("F", "非合规园区炼铁", "3110", "新建", 16000, 16000, "", "prohibited",
     {"high_pollution_outside_park", "capacity_replacement"}),
    ("G", "高速公路", "4812", "新建", 1500, 1500, "", "review", {"redline_linear_or_major"}),
    ("H", "界外", "3911", "新建", -5000, 5000, "", "review", {"outside_coverage"}),
    ("I", "无坐标", "3911", "新建", None, None, "", "invalid", set()),
]
# facts per id: in_redline, district, control_unit_categories
FACTS = {"A": (False, "测试区", "priority"), "B": (True, "测试区", "priority"), "C": (False, "测试区", "key"),
         "D": (False, "测试县", "general"), "F": (False, "测试县", "general")}


def _rows(location):
    out = []
    for id_, name, sector, cons, x, y, process, *_ in CASES:
        row = {"项目编号": id_, "项目名称": name, "行业代码": sector, "建设性质": cons, "工艺": process}
        row.update(location(x, y))
        out.append(row)
    return pd.DataFrame(out)


def _lonlat(x, y):
    if x is None:
        return {"经度": "", "纬度": ""}
    lon, lat = w.lonlat(x, y)
    return {"经度": f"{lon:.8f}", "纬度": f"{lat:.8f}"}


def _gk(x, y):
    return {"X坐标": "" if x is None else f"{w.X0 + x:.2f}", "Y坐标": "" if y is None else f"{w.Y0 + y:.2f}"}


def _run(args):
    result = CliRunner().invoke(main, args, env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result


def _check(outdir, river_m=500):
    res = pd.read_csv(outdir / "results.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(res["项目编号"]) == [c[0] for c in CASES]          # every row, in order
    for case, (_, row) in zip(CASES, res.iterrows()):
        assert row["decision"] == case[7], (case[0], row["decision"], row["rule_ids"], row["undecided"])
        assert case[8] <= set(row["rule_ids"].split(";")) - {""}, (case[0], row["rule_ids"])
        if case[0] in FACTS:
            red, district, cat = FACTS[case[0]]
            assert row["in_redline"] == str(red) and row["district"] == district
            assert row["control_unit_categories"] == cat
    assert "no location" in res.loc[8, "error"] and res.loc[8, "decision_zh"] == "输入无效"
    assert res.loc[3, "river_distance_m"] and float(res.loc[3, "river_distance_m"]) == pytest.approx(river_m, rel=2e-3)
    assert float(res.loc[2, "pm25"]) == 30.0 and float(res.loc[3, "pm25"]) == 40.0
    summary = json.loads((outdir / "summary.json").read_text(encoding="utf-8"))
    assert summary["rows"] == 9 and summary["by_decision"]["prohibited"] == 4
    assert summary["layer_editions"]["redline"].startswith("test-1")
    xlsx = pd.read_excel(outdir / "results.xlsx", dtype=str)
    assert list(xlsx["decision"]) == list(res["decision"])
    gpkg = gpd.read_file(outdir / "results.gpkg")
    assert len(gpkg) == 9 and gpkg.geometry.isna().sum() == 1 and list(gpkg["decision"]) == list(res["decision"])
    return res


def test_gbk_csv(tmp_path, world_catalog):
    src = tmp_path / "projects.csv"
    _rows(_lonlat).to_csv(src, index=False, encoding="gbk")
    _run(["screen", str(src), "-o", str(tmp_path / "out"), "--catalog", str(world_catalog), "--no-map", "-q"])
    _check(tmp_path / "out")


def test_xlsx_with_gk_xy(tmp_path, world_catalog):
    src = tmp_path / "projects.xlsx"
    _rows(_gk).to_excel(src, index=False)
    _run(["screen", str(src), "-o", str(tmp_path / "out"), "--catalog", str(world_catalog), "--crs", "EPSG:4545",
          "--no-map", "-q"])
    _check(tmp_path / "out")


def test_geopackage_with_polygons(tmp_path, world_catalog):
    frame = _rows(lambda x, y: {})
    geoms = [None if c[4] is None else w._box(c[4] - 20, c[5] - 20, c[4] + 20, c[5] + 20) for c in CASES]
    gpd.GeoDataFrame(frame, geometry=geoms, crs=w.GK).to_file(tmp_path / "p.gpkg", layer="projects")
    _run(["screen", str(tmp_path / "p.gpkg"), "-o", str(tmp_path / "out"), "--catalog", str(world_catalog), "-q"])
    res = _check(tmp_path / "out", river_m=480)  # 40 m squares: their edge is 20 m nearer the river
    assert float(res.loc[1, "redline_overlap_m2"]) == pytest.approx(1600, rel=2e-3)
    assert (tmp_path / "out" / "map.html").stat().st_size > 10_000


def test_bad_rows_keep_every_row(tmp_path, world_catalog):
    lon, lat = w.lonlat(8000, 8000)
    glon, glat = from_cgcs2000(lon, lat, "GCJ02")
    rows = [
        ("ok", f"{lon}", f"{lat}", "", ""), ("missing", "", "", "", ""), ("swapped", f"{lat}", f"{lon}", "", ""),
        ("dms", f"{int(lon)}°{int(lon % 1 * 60)}′{(lon * 3600) % 60:.3f}″", f"{lat}", "", ""),
        ("gcj", f"{glon}", f"{glat}", "GCJ02", ""), ("garbage", "106x33", f"{lat}", "", ""),
        ("badwkt", "", "", "", "POLYGON((1 2, 3"), ("emptywkt", "", "", "", "POLYGON EMPTY"),
    ]
    frame = pd.DataFrame(rows, columns=["id", "经度", "纬度", "坐标系", "wkt"]).assign(sector="3911", construction="新建")
    frame.to_csv(tmp_path / "bad.csv", index=False, encoding="utf-8-sig")
    _run(["screen", str(tmp_path / "bad.csv"), "-o", str(tmp_path / "out"), "--catalog", str(world_catalog), "-q",
          "--no-map"])
    res = pd.read_csv(tmp_path / "out" / "results.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(res["id"]) == [r[0] for r in rows]
    assert list(res["decision"]) == ["admissible", "invalid", "admissible", "admissible", "admissible", "invalid",
                                     "invalid", "invalid"]
    assert "swapped" in res.loc[2, "warnings"]
    assert all(res.loc[i, "error"] for i in (1, 5, 6, 7))
    assert set(res.loc[[0, 2, 3, 4], "control_units"]) == {"ZH002"}


def test_single_site_text_and_json(world_catalog):
    lon, lat = w.lonlat(18500, 3000)
    base = ["screen", "--lon", f"{lon}", "--lat", f"{lat}", "--sector", "C2614", "--construction", "new",
            "--catalog", str(world_catalog), "--name", "<b>城区化工</b>"]
    text = _run(base).output
    assert "禁止准入" in text and "prohibited" in text and "长江保护法" in text and "<b>城区化工</b>" in text
    data = json.loads(_run(base + ["--json"]).output)
    assert data["decision"] == "prohibited" and "chemical_near_river" in data["rule_ids"]
    assert data["facts"]["district"] == "测试县" and data["facts"]["in_urban_area"] is True


def test_fatal_problem_writes_nothing(tmp_path, world_catalog):
    src = tmp_path / "p.csv"
    _rows(_lonlat).to_csv(src, index=False, encoding="gbk")
    bad = tmp_path / "bad.toml"
    bad.write_text('[[layer]]\nrole = "redline"\npath = "missing.shp"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["screen", str(src), "-o", str(tmp_path / "out"), "--catalog", str(bad)])
    assert result.exit_code == 1 and "missing.shp not found" in result.output
    assert not (tmp_path / "out").exists()


def test_decision_map_names_projects(tmp_path, world_catalog):
    src = tmp_path / "projects.csv"
    _rows(_lonlat).to_csv(src, index=False, encoding="gbk")
    _run(["screen", str(src), "-o", str(tmp_path / "out"), "--catalog", str(world_catalog), "-q"])
    html = (tmp_path / "out" / "map.html").read_text(encoding="utf-8")
    assert "园区化工" in html and "城区化工" in html   # names from the 项目名称 column reach the popups


def test_site_outside_a_layer_names_it(tmp_path, world_catalog):
    lon, lat = w.lonlat(500, 19500)  # the PM2.5 grid has nodata in this corner cell
    data = json.loads(_run(["screen", "--lon", f"{lon}", "--lat", f"{lat}", "--sector", "2614", "--construction",
                            "new", "--catalog", str(world_catalog), "--json"]).output)
    assert data["decision"] == "prohibited" and "priority_unit_two_high" in data["rule_ids"]
    assert "could not be decided: PM2.5 annual mean (µg/m³) unknown" in data["reasons"][-2]
    assert "PM2.5 年均浓度（微克/立方米）未知" in data["reasons"][-2] and "pm25" not in data["reasons"][-2]
    assert data["reasons"][-1] == "图层无法回答 / no answer from layer(s): air_quality:pm25"


def test_single_site_verdict_in_plain_words(world_catalog):
    """Fact values in the verdict are words (是/否, the unit category, the kind of construction), not codes,
    while --json keeps the codes and numbers programs read (issue 11, item 7)."""
    lon, lat = w.lonlat(2500, 2500)
    args = ["screen", "--lon", f"{lon}", "--lat", f"{lat}", "--sector", "2614", "--construction", "new",
            "--catalog", str(world_catalog)]
    text = _run(args).output
    facts = text[text.index("事实 / facts"):]
    assert "False" not in facts and "True" not in facts and ": new" not in facts
    assert "在生态保护红线内 in red line: 是" in facts or "在生态保护红线内 in red line: 否" in facts
    assert "单元类别 category: " in facts
    line = next(x for x in facts.splitlines() if "单元类别 category" in x)
    assert any(word in line for word in ("优先保护单元", "重点管控单元", "一般管控单元")), line
    data = json.loads(_run(args + ["--json"]).output)
    assert isinstance(data["facts"]["in_redline"], bool)
    assert data["facts"]["control_unit_categories"] in ("priority", "key", "general", "priority;key")
