"""The Python API is the product: a front door in `screening` and `zoning`, `screen` taking a path, a
ProjectList or a GeoDataFrame with default layers and rules, results that keep the standardized columns and
carry their provenance (issue 12, item 2)."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

import screening
import zoning
from maps.popups import decision_popup

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "projects.csv"


@pytest.fixture(scope="module")
def from_path():
    return screening.screen(EXAMPLE)


def test_front_doors_export_what_they_list():
    for module in (screening, zoning):
        for name in module.__all__:
            assert getattr(module, name) is not None, name
        with pytest.raises(AttributeError):
            module.no_such_thing  # noqa: B018


def test_screen_a_path_with_defaults(from_path):
    original = pd.read_csv(EXAMPLE, dtype=str)
    assert len(from_path) == len(original)
    assert list(from_path["project_id"]) == list(original.iloc[:, 0].str.strip())
    assert from_path["project_name"].notna().all() and from_path["sector_code"].notna().any()
    meta = from_path.attrs["provenance"]
    assert meta["input"] == str(EXAMPLE) and "redline" in meta["layer_editions"]
    assert Path(meta["rules"]).name in ("rules", "rulebook") and meta["as_of"]


def test_screen_a_geodataframe_and_a_project_list_alike(from_path):
    read = screening.read_projects(EXAMPLE)  # its geometry, as a GIS user would hand one over
    drop = [c for c in read.original.columns if c in ("经度", "纬度", "坐标系", "用地范围")]
    gdf = gpd.GeoDataFrame(read.original.drop(columns=drop), geometry=read.projects.geometry.values, crs="EPSG:4490")
    layers = zoning.load_layers(zoning.demo_catalog())
    rules = screening.load_rules()
    by_frame = screening.screen(gdf, layers, rules)
    by_list = screening.screen(screening.read_projects(EXAMPLE), layers, rules)
    located = read.projects.geometry.notna().to_numpy()
    assert list(by_list["decision"]) == list(from_path["decision"])
    assert list(by_frame["decision"][located]) == list(from_path["decision"][located])
    assert (by_frame["decision"][~located] == "invalid").all()
    assert list(by_frame["project_id"]) == list(from_path["project_id"])
    assert by_frame.attrs["provenance"]["input"] == "(DataFrame)"
    with pytest.raises(TypeError, match="a path, a ProjectList or a"):
        screening.screen(42, layers, rules)


def test_write_outputs_records_the_provenance(from_path, tmp_path):
    screening.write_outputs(from_path, tmp_path, formats=("csv",))
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["layer_editions"] == from_path.attrs["provenance"]["layer_editions"]
    assert summary["input"] == str(EXAMPLE) and summary["rows"] == len(from_path)
    header = (tmp_path / "results.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert "project_id" in header and "project_name" in header


def test_screen_site_with_defaults_reads_near_the_site():
    one = screening.screen_site(lon="106.55", lat="29.56", sector="C2614", construction="新建", radius_m=5000)
    assert len(one) == 1 and one["decision"].iloc[0] in ("prohibited", "review", "conditional", "admissible")
    assert one.attrs["provenance"]["options"]["max_distance_m"] == 5000


def test_map_popups_use_the_standardized_columns(from_path):
    row = from_path.iloc[0]
    html = decision_popup(row)
    assert str(row["project_name"]) in html and str(row["project_id"]) in html
