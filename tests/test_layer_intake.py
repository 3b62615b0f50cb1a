"""Ordinary official deliveries load (issue 11 item 2): only the fields the rules need are required, ids come
from FIDs and names from ids, yes/no codings need no mapping, a river layer may mix lines and polygons."""

from __future__ import annotations


import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from click.testing import CliRunner
from shapely import GeometryCollection, LineString, MultiLineString, Point, box

import zoning_world as w
from screening.cli import main
from zoning.errors import LayerError
from zoning.facts import compute_facts
from zoning.layers import check_layers, load_layers

_RIVER = 'path = "河流.shp"\ncrs = "EPSG:4545"\n[layer.fields]\nid = "河流编码"\nname = "河流名称"\nclass = "等级"\n'
_URBAN = 'path = "城区.shp"\n[layer.fields]\nid = "编码"\nname = "名称"\n'
_PARK = 'path = "园区.shp"\n[layer.fields]\nid = "园区编码"\nname = "园区名称"\nkind = "园区类型"\ncompliant = "是否合规"\n'
_RED = 'path = "红线.shp"\n'


def _b(x0, y0, x1, y1):
    return box(w.X0 + x0, w.Y0 + y0, w.X0 + x1, w.Y0 + y1)


@pytest.fixture
def world(tmp_path, world_catalog):
    """A copy of the synthetic world to change one layer of."""
    return w.copy_world(world_catalog, tmp_path)


_catalog = w.edited_catalog


def _report(layers_or_reports, role):
    reports = layers_or_reports.reports if hasattr(layers_or_reports, "reports") else layers_or_reports
    return next(r for r in reports if r.role == role)


def _sites(*local):
    return gpd.GeoSeries.from_xy(*zip(*(w.lonlat(x, y) for x, y in local)), crs="EPSG:4490")


def _mixed_river(folder):
    """A GeoPackage river layer (geometry type GEOMETRY) without id: 名称 and 级别 only; lines, a water surface,
    a multi-line and a collection of a line, a surface and a stray point."""
    river = gpd.GeoDataFrame(
        {"名称": ["长江", "水库", "綦江", "混合"], "级别": ["干流", "干流", "支流", "支流"]},
        geometry=[LineString([w.gk(0, 18000), w.gk(20000, 18000)]), _b(8000, 8000, 9000, 9000),
                  MultiLineString([[w.gk(19000, 0), w.gk(19000, 9000)], [w.gk(19000, 9000), w.gk(19000, 18000)]]),
                  GeometryCollection([LineString([w.gk(100, 100), w.gk(300, 100)]), _b(500, 500, 600, 600),
                                      Point(w.gk(50, 50))])], crs=w.GK)
    river.to_file(folder / "rivers.gpkg", layer="rivers", driver="GPKG")
    assert pyogrio.read_info(folder / "rivers.gpkg")["geometry_type"] == "Unknown"
    return _catalog(folder, _RIVER, 'path = "rivers.gpkg"\n[layer.fields]\nname = "名称"\nclass = "级别"\n')


def test_river_gpkg_without_id_keeps_lines_and_polygons(world):
    layers = load_layers(_mixed_river(world))
    river = layers.frame("river")
    # FIDs of the GeoPackage (from 1) as ids; the collection gives a surface row and a line row
    assert list(river["id"]) == ["1", "2", "3", "4", "4"]
    assert list(river["name"]) == ["长江", "水库", "綦江", "混合", "混合"]
    # (densifying on reprojection makes one-part multis single)
    assert list(river.geom_type.str.replace("Multi", "")) == ["LineString", "Polygon", "LineString", "Polygon",
                                                             "LineString"]
    assert list(river["class"]) == ["mainstream", "mainstream", "tributary", "tributary", "tributary"]
    report = _report(layers, "river")
    assert any("FID" in n and "no id field" in n for n in report.notes)
    assert any("Point x1" in p and "left out" in p for p in report.problems)  # the stray point, counted by type


def test_river_distance_goes_to_the_nearest_part_of_any_type(world):
    layers = load_layers(_mixed_river(world))
    facts = compute_facts(_sites((8500, 8500), (8500, 7000), (18000, 10000)), layers)
    dist = facts["river_distance_m"].to_numpy(dtype=float)
    assert dist[0] == 0.0                                   # on the water surface
    assert dist[1] == pytest.approx(1000, rel=2e-3)         # 1 km south of the surface, 11 km from the Yangtze
    assert facts.loc[1, "river_nearest"] == "水库"
    assert dist[2] == pytest.approx(1000, rel=2e-3)         # 1 km west of the multi-line tributary
    assert facts["river_mainstream_distance_m"].to_numpy(dtype=float)[1] == pytest.approx(1000, rel=2e-3)


def test_urban_geojson_with_only_name(world):
    urban = gpd.GeoDataFrame({"name": ["主城区", "新区"]},
                             geometry=[_b(14000, 0, 20000, 6000), _b(0, 0, 1000, 1000)], crs=w.GK)
    urban.to_crs(4326).to_file(world / "urban.geojson", driver="GeoJSON")
    layers = load_layers(_catalog(world, _URBAN, 'path = "urban.geojson"\n'))
    frame = layers.frame("urban_area")
    assert list(frame["id"]) == ["0", "1"] and list(frame["name"]) == ["主城区", "新区"]
    assert any("FID" in n for n in _report(layers, "urban_area").notes)
    facts = compute_facts(_sites((15000, 1000), (8000, 1000)), layers)
    assert list(facts["in_urban_area"]) == [True, False]


def test_name_missing_becomes_the_id(world):
    src = gpd.read_file(world / "城区.shp", encoding="GBK")[["编码", "geometry"]]
    src.to_file(world / "urban.gpkg", driver="GPKG")
    layers = load_layers(_catalog(world, _URBAN, 'path = "urban.gpkg"\n[layer.fields]\nid = "编码"\n'))
    frame = layers.frame("urban_area")
    assert list(frame["id"]) == ["U1"] and list(frame["name"]) == ["U1"]
    assert any("names are the ids" in n for n in _report(layers, "urban_area").notes)


def test_id_note_printed_by_layers_check(world):
    result = CliRunner().invoke(main, ["layers", "check", "--catalog", str(_mixed_river(world))],
                                env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert "no id field: ids are the features' FIDs" in result.output
    assert "Point x1" in result.output


def test_mapped_field_missing_is_still_an_error(world):
    path = _catalog(world, _URBAN, 'path = "城区.shp"\n[layer.fields]\nid = "编号"\n')
    with pytest.raises(LayerError, match=r"field '编号' \(our 'id'\) not in the file"):
        load_layers(path)


def test_field_the_rules_need_is_still_required(world):
    river = gpd.GeoDataFrame({"名称": ["长江"]}, geometry=[LineString([w.gk(0, 18000), w.gk(20000, 18000)])], crs=w.GK)
    river.to_file(world / "rivers.gpkg", driver="GPKG")
    path = _catalog(world, _RIVER, 'path = "rivers.gpkg"\n[layer.fields]\nname = "名称"\n')
    with pytest.raises(LayerError, match=r"field 'class' \(our 'class'\) not in the file"):
        load_layers(path)


@pytest.mark.parametrize("codes", [["是", "是", "否"], ["Y", "y", "N"], ["1", "1", "0"], [1, 1, 0], [1.0, 1.0, 0.0],
                                   ["TRUE", "true", "FALSE"], ["合规", "合规", "不合规"], [True, True, False]])
@pytest.mark.parametrize("fmt", ["gpkg", "shp"])
def test_yes_no_codings_need_no_mapping(world, codes, fmt):
    src = gpd.read_file(world / "园区.shp", encoding="GBK")
    src["是否合规"] = codes
    name = f"parks.{fmt}"
    src.to_file(world / name, encoding="GBK") if fmt == "shp" else src.to_file(world / name, driver="GPKG")
    layers = load_layers(_catalog(world, _PARK, _PARK.replace("园区.shp", name)))
    assert list(layers.frame("park")["compliant"]) == [True, True, False]


def test_unmapped_yes_no_value_names_value_field_and_fix(world):
    src = gpd.read_file(world / "园区.shp", encoding="GBK")
    src["是否合规"] = ["是", "待定", "否"]
    src.to_file(world / "parks.gpkg", driver="GPKG")
    path = _catalog(world, _PARK, _PARK.replace("园区.shp", "parks.gpkg"))
    with pytest.raises(LayerError, match=r"field '是否合规' \(our 'compliant'\).*'待定' x1.*\[layer.values.compliant\]"):
        load_layers(path)
    # a catalog mapping settles it
    fixed = path.read_text(encoding="utf-8").replace('compliant = "是否合规"\n',
                                                     'compliant = "是否合规"\n[layer.values.compliant]\n"待定" = false\n')
    path.write_text(fixed, encoding="utf-8")
    assert list(load_layers(path).frame("park")["compliant"]) == [True, False, False]


def test_points_in_a_redline_layer_are_left_out_with_a_count(world):
    src = gpd.read_file(world / "红线.shp", encoding="GBK")
    extra = gpd.GeoDataFrame({"红线编码": ["PT1", "PT2", "LN1"], "红线名称": ["点", "点", "线"]},
                             geometry=[Point(w.gk(100, 100)), Point(w.gk(200, 200)),
                                       LineString([w.gk(0, 0), w.gk(100, 0)])], crs=w.GK)
    mixed = gpd.GeoDataFrame(np.concatenate([src.to_numpy(), extra.to_numpy()]), columns=src.columns,
                             geometry="geometry", crs=w.GK)
    mixed.to_file(world / "red.gpkg", driver="GPKG")
    layers = load_layers(_catalog(world, _RED, 'path = "red.gpkg"\n'))
    assert list(layers.frame("redline")["id"]) == ["HX01", "HX02", "HX03"]
    [problem] = _report(layers, "redline").problems
    assert "3 feature(s) or part(s) not polygons were left out: Point x2, LineString x1" in problem


def test_redline_layer_of_points_only_is_an_error(world):
    pts = gpd.GeoDataFrame({"红线编码": ["PT1"], "红线名称": ["点"]}, geometry=[Point(w.gk(100, 100))], crs=w.GK)
    pts.to_file(world / "red.gpkg", driver="GPKG")
    with pytest.raises(LayerError, match=r"the layer holds no polygons \(Point x1\); role redline takes polygons"):
        load_layers(_catalog(world, _RED, 'path = "red.gpkg"\n'))


def test_invalid_line_and_polygon_in_one_river_layer_are_each_repaired_in_kind(world):
    bowtie = shapely.Polygon([w.gk(1000, 12000), w.gk(3000, 14000), w.gk(3000, 12000), w.gk(1000, 14000)])
    river = gpd.GeoDataFrame({"名称": ["长江", "湖"], "级别": ["干流", "干流"]},
                             geometry=[LineString([w.gk(0, 18000), w.gk(20000, 18000)]), bowtie], crs=w.GK)
    river.to_file(world / "rivers.gpkg", driver="GPKG")
    layers = load_layers(_catalog(world, _RIVER, 'path = "rivers.gpkg"\n[layer.fields]\nname = "名称"\nclass = "级别"\n'))
    frame = layers.frame("river")
    assert list(frame.geom_type) == ["LineString", "MultiPolygon"]   # the line survives the surface's repair
    assert [r.split(":")[0] for r in _report(layers, "river").repaired] == ["2"]


def test_check_layers_reports_intake_notes(world):
    reports = check_layers(_mixed_river(world))
    assert not any(r.failed for r in reports)
    assert any("FID" in n for n in _report(reports, "river").notes)
