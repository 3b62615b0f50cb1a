"""The demo project list examples/projects.csv, screened with the demo layers and the baseline rules.

The example file is the project's worked demonstration: every rule of the loaded rule set must fire for
at least one of its rows (so a new rule needs a new example row), all five decisions must occur, and a
table of named rows pins the decision and the rules that carry it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import shapely

from screening.projects import read_projects
from screening.rules import load_rules
from screening.screen import screen
from zoning.layers import load_layers

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples" / "projects.csv"
DEMO_CATALOG = REPO / "layers" / "demo" / "catalog.toml"

DECISIONS = {"prohibited", "review", "conditional", "admissible", "invalid"}

#: Rules that cannot fire from the demo file, and why. Each entry is checked still to be true: once the
#: rule can fire, the test asks for the entry to be removed (and for an example row to cover it).
NOT_REACHABLE: dict[str, str] = {}

#: id -> (decision, rule ids that must be among the fired ones)
EXPECTED = {
    "CQ-035": ("review", {"construction_unrecognised"}),
    "CQ-039": ("conditional", {"two_high_air_other", "two_high_requirements"}),
    "CQ-001": ("conditional", {"two_high_requirements", "carbon_assessment", "two_high_air_pm25"}),
    "CQ-002": ("prohibited", {"chemical_near_river"}),
    "CQ-004": ("review", {"national_layout_review", "capacity_replacement"}),
    "CQ-008": ("prohibited", {"high_pollution_outside_park"}),
    "CQ-009": ("prohibited", {"cement_grinding_station", "high_pollution_outside_park"}),
    "CQ-011": ("review", {"cement_process_unstated", "process_unrecognised"}),
    "CQ-012": ("conditional", {"capacity_replacement", "steel_eaf_note", "two_high_air_pm25"}),
    "CQ-016": ("prohibited", {"urban_high_pollution"}),
    "CQ-017": ("prohibited", {"priority_unit_two_high"}),
    "CQ-018": ("admissible", {"clean_power_siting_note"}),
    "CQ-020": ("review", {"redline_linear_or_major"}),
    "CQ-021": ("review", {"redline_linear_or_major"}),
    "CQ-022": ("prohibited", {"redline_development"}),
    "CQ-023": ("conditional", {"redline_touching_note", "priority_unit_access_list"}),
    "CQ-025": ("admissible", {"park_straddles_note"}),
    "CQ-026": ("admissible", set()),
    "CQ-027": ("admissible", {"carbon_pilot_park_note"}),
    "CQ-034": ("review", {"outside_coverage"}),
    "CQ-036": ("review", {"sector_unknown"}),
    "CQ-037": ("invalid", set()),
    "CQ-038": ("invalid", set()),
}

#: rows given in other coordinate forms -> where they must land (CGCS2000 lon, lat)
LOCATED = {
    "CQ-030": (106 + 34 / 60 + 36.1 / 3600, 29 + 33 / 60 + 26.6 / 3600),   # DMS 106°34′36.1″ 29°33′26.6″
    "CQ-031": (106.22, 29.58),       # GCJ-02, as copied from Amap
    "CQ-032": (106.28, 29.25),       # BD-09, as copied from Baidu
    "CQ-033": (105.88, 29.40),       # 经度/纬度 swapped
}


@pytest.fixture(scope="module")
def rules():
    return load_rules()


@pytest.fixture(scope="module")
def projects():
    return read_projects(EXAMPLES)


@pytest.fixture(scope="module")
def results(projects, rules):
    return screen(projects, load_layers(DEMO_CATALOG), rules)


@pytest.fixture(scope="module")
def by_id(results):
    return results.set_index("项目编号", drop=False)


def fired(rule_ids) -> set[str]:
    return {i for i in str(rule_ids if pd.notna(rule_ids) else "").split(";") if i}


def test_every_row_comes_out_in_order(projects, results):
    raw = pd.read_csv(EXAMPLES, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    assert 50 <= len(raw) <= 60  # CQ- rows for the baseline rules, AL- rows for the admission lists
    assert list(results["项目编号"]) == list(raw["项目编号"])
    assert list(projects.projects["id"]) == list(raw["项目编号"])


def test_file_has_a_byte_order_mark():
    assert EXAMPLES.read_bytes().startswith(b"\xef\xbb\xbf")


def test_every_rule_fires_for_some_row(results, rules):
    ids = set(rules.ids)
    seen = set().union(*(fired(v) for v in results["rule_ids"]))
    assert set(NOT_REACHABLE) <= ids, f"NOT_REACHABLE names rules that no longer exist: {set(NOT_REACHABLE) - ids}"
    missing = sorted(ids - seen - set(NOT_REACHABLE))
    assert not missing, f"no example row in examples/projects.csv fires {missing}: add one"
    reachable_now = sorted(seen & set(NOT_REACHABLE))
    assert not reachable_now, f"{reachable_now} now fire: remove them from NOT_REACHABLE"


def test_all_five_decisions_occur(results):
    assert set(results["decision"]) == DECISIONS


@pytest.mark.parametrize("row_id", sorted(EXPECTED))
def test_named_row(by_id, row_id):
    decision, keys = EXPECTED[row_id]
    row = by_id.loc[row_id]
    got = fired(row["rule_ids"])
    assert row["decision"] == decision, f"{row_id} {row['项目名称']}: {row['decision']} ({row['rule_ids']})"
    assert keys <= got, f"{row_id} {row['项目名称']}: missing {sorted(keys - got)} in {sorted(got)}"
    if not keys:
        assert got == set(), f"{row_id} {row['项目名称']}: expected no rule, got {sorted(got)}"


def test_invalid_rows_say_why(by_id):
    assert "no location" in by_id.loc["CQ-037", "error"]
    assert "106x33" in by_id.loc["CQ-038", "error"]


@pytest.mark.parametrize("row_id", sorted(LOCATED))
def test_coordinate_forms_land_where_meant(by_id, row_id):
    point = by_id.loc[row_id, "geometry"]
    lon, lat = LOCATED[row_id]
    assert shapely.distance(point, shapely.Point(lon, lat)) < 1e-5  # about a metre


def test_warnings_shown(by_id):
    assert "swapped" in by_id.loc["CQ-033", "warnings"]
    assert "续建" in by_id.loc["CQ-035", "warnings"]
    for row_id in ("CQ-025", "CQ-028"):  # a claimed park the site is not wholly inside
        assert "claimed park" in by_id.loc[row_id, "warnings"]
    for row_id in ("CQ-001", "CQ-026"):  # claimed parks that hold the site
        assert "claimed park" not in by_id.loc[row_id, "warnings"]
