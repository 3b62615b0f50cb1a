"""Sector catalog: code normalisation, categories and flags, fail-closed facts, catalog validation."""

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.sectors import SectorError, load_sectors, normalize_code
from zoning.yamlio import read_yaml

CAT = load_sectors()


@pytest.mark.parametrize("raw", ["3011", "C3011", " c3011 ", 3011, 3011.0, "3011.0", np.int64(3011),
                                 "３０１１", "C 3011"])
def test_normalize_accepts_the_usual_spellings(raw):
    assert normalize_code(raw) == "3011"


@pytest.mark.parametrize("raw", [None, "", "  ", "abc", "301", "30111", 3011.5, True, np.nan, pd.NA, "X3011",
                                 42, "3011.5"])
def test_normalize_refuses_what_is_not_a_code(raw):
    assert normalize_code(raw) is None


def test_numbers_below_1000_get_their_leading_zero_back():
    assert normalize_code(610) == "0610"
    assert normalize_code(610.0) == "0610"
    assert CAT.member("0610")["mining"] is True


@pytest.mark.parametrize("code, expected", [
    ("3011", {"cement", "building_materials", "manufacturing", "two_high", "high_pollution", "high_energy"}),
    ("3041", {"flat_glass", "building_materials", "manufacturing", "two_high", "high_pollution", "high_energy"}),
    ("3216", {"electrolytic_aluminium", "nonferrous_smelting", "manufacturing", "two_high", "high_pollution",
              "high_energy"}),
    ("3120", {"steel", "iron_steelmaking", "manufacturing", "two_high", "high_pollution", "high_energy"}),
    ("3130", {"steel", "manufacturing", "two_high", "high_pollution", "high_energy"}),
    ("2511", {"petrochemical", "oil_refining", "manufacturing", "two_high", "high_pollution", "high_energy"}),
    ("2521", {"coking", "manufacturing", "two_high", "high_pollution", "high_energy"}),
    ("2523", {"coal_chemical", "manufacturing", "two_high", "high_pollution", "high_energy"}),
    ("2682", {"chemical", "manufacturing", "two_high", "high_pollution", "high_energy"}),
    ("2221", {"pulp_paper", "manufacturing", "high_pollution"}),
    ("4411", {"coal_power", "power_generation", "two_high", "high_energy"}),
    ("4416", {"clean_power", "power_generation", "high_energy"}),
    ("4414", {"power_generation", "high_energy"}),
    ("0610", {"mining"}),
    ("4812", {"linear_infrastructure"}),
    ("4853", {"linear_infrastructure"}),
    ("5720", {"linear_infrastructure"}),
    ("3911", {"manufacturing"}),
    ("3252", {"manufacturing", "high_energy"}),
    ("7010", set()),
])
def test_membership(code, expected):
    member = CAT.member(code)
    assert {k for k, v in member.items() if v} == expected


def test_every_category_and_flag_cites_document_and_clause():
    for entry in CAT.entries.values():
        assert entry.source["document"].strip() and entry.source["clause"].strip(), entry.name


def test_catalog_lists_97_divisions_and_names():
    assert len(CAT.divisions) == 97
    assert CAT.name("C3011") == "水泥制造"
    assert CAT.name("3098") is None  # not a class of GB/T 4754-2017 (before the full table: the division name)
    assert CAT.name("9999") is None
    assert CAT.categories[-3:] == ["two_high", "high_pollution", "high_energy"]
    assert set(CAT.flags) == {"two_high", "high_pollution", "high_energy"}


def test_facts_columns_dtypes_and_fail_closed():
    codes = pd.Series(["3011", None, "9999", "D3011", 4411, "abc", pd.NA, "C3011"], index=list("abcdefgh"))
    f = CAT.facts(codes)
    assert list(f.index) == list("abcdefgh")
    assert list(f.columns) == CAT.columns
    assert f["sector"].dtype == "string" and f["sector_valid"].dtype == "boolean"
    assert all(f[c].dtype == "boolean" for c in CAT.categories)
    assert f["sector"].tolist() == ["3011", pd.NA, "9999", "3011", "4411", pd.NA, pd.NA, "3011"]
    assert f["sector_valid"].tolist() == [True, False, False, False, True, False, False, True]
    assert bool(f.loc["a", "cement"]) and not bool(f.loc["a", "steel"])
    # unknown is not "no": invalid or missing codes have <NA> categories
    for row in "bcdfg":
        assert f.loc[row, CAT.categories].isna().all(), row
    assert f.loc["e", "coal_power"] and not f.loc["e", "cement"]


def test_facts_on_empty_and_string_dtype_input():
    assert len(CAT.facts(pd.Series([], dtype="string"))) == 0
    f = CAT.facts(pd.Series(["3120", None], dtype="string"))
    assert f["steel"].tolist() == [True, pd.NA]


def test_facts_works_once_per_distinct_code(monkeypatch):
    import screening.sectors as module

    calls = []
    real_member, real_split = CAT.member, module._split
    monkeypatch.setattr(CAT, "member", lambda code: calls.append(code) or real_member(code))
    monkeypatch.setattr(module, "_split", lambda raw: calls.append(raw) or real_split(raw))
    f = CAT.facts(pd.Series(["3011", "3120"] * 50_000))
    assert len(calls) <= 3  # each distinct value (and the missing slot) once; membership is precomputed
    assert f["cement"].sum() == 50_000 and f["steel"].sum() == 50_000


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.none(), st.integers(-10, 20000), st.text(max_size=8),
                 st.floats(allow_nan=True, allow_infinity=True)))
def test_facts_never_raises_and_agrees_with_is_valid(raw):
    f = CAT.facts(pd.Series([raw], dtype=object))
    assert bool(f["sector_valid"].iloc[0]) == CAT.is_valid(raw)
    if not CAT.is_valid(raw):
        assert f[CAT.categories].iloc[0].isna().all()


def _write(tmp_path, data):
    path = tmp_path / "sectors.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _data():
    from screening.sectors import RULES_DIR
    return read_yaml(RULES_DIR / "sectors.yaml")


def test_category_without_source_is_an_error(tmp_path):
    data = _data()
    del data["categories"]["cement"]["source"]
    with pytest.raises(SectorError, match=r"categories: cement: `source`"):
        load_sectors(_write(tmp_path, data))


def test_code_of_unknown_division_is_an_error(tmp_path):
    data = _data()
    data["categories"]["cement"]["codes"] = ["9911"]
    with pytest.raises(SectorError, match="cement: codes: `9911`"):
        load_sectors(_write(tmp_path, data))


def test_category_code_must_be_a_class_of_the_table(tmp_path):
    data = _data()
    data["categories"]["cement"]["codes"] = ["3098"]  # a real division, but no such class
    with pytest.raises(SectorError, match="cement: codes: `3098` is not a class of GB/T 4754-2017"):
        load_sectors(_write(tmp_path, data))


def test_flag_naming_an_unknown_category_is_an_error(tmp_path):
    data = _data()
    data["flags"]["two_high"]["categories"].append("shipbuilding")
    with pytest.raises(SectorError, match="two_high: categories: `shipbuilding`"):
        load_sectors(_write(tmp_path, data))


def test_unknown_field_in_source_is_an_error(tmp_path):
    data = _data()
    data["categories"]["cement"]["source"]["so both count"] = None
    with pytest.raises(SectorError, match="unknown field"):
        load_sectors(_write(tmp_path, data))
