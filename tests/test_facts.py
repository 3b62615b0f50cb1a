"""Spatial facts on the synthetic world, where every answer is known by construction."""

from __future__ import annotations

import time

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod, Transformer
from shapely import box

import zoning_world as w
from zoning.facts import compute_facts
from zoning.layers import ZoningLayers, to_metric
from zoning.reproject import to_storage

GEOD = Geod(ellps="GRS80")


def _pts(*xy):
    lon, lat = zip(*(w.lonlat(x, y) for x, y in xy))
    return gpd.GeoSeries.from_xy(lon, lat, crs="EPSG:4490")


def _boxes(*rects):
    return to_storage(gpd.GeoSeries([w._box(*r) for r in rects], crs=w.GK))


def test_points_in_hole_edge_and_multipart(world_layers):
    f = compute_facts(_pts((2500, 2500), (1500, 1500), (1000, 3000), (3500, 16500), (2000, 16500)), world_layers)
    assert list(f["in_redline"]) == [False, True, False, True, False]   # hole, inside, on edge, 2nd part, between
    assert list(f["redline_touching"]) == [False, False, True, False, False]
    assert f["redline_distance_m"][0] == pytest.approx(500, rel=1e-3)
    assert f["redline_distance_m"][2] == 0
    assert f["redline_ids"][3] == "HX03"


def test_polygon_touching_edge_is_not_inside(world_layers):
    # shares the red line's east edge x=5000 and the unit boundary x=6000
    f = compute_facts(_boxes((5000, 1000, 6000, 2000), (4000, 1000, 6000, 2000)), world_layers)
    assert not f["in_redline"][0] and f["redline_touching"][0]
    assert f["redline_overlap_m2"][0] < 1.0
    assert f["control_units"][0] == "ZH001" and not f["in_key_unit"][0]
    assert f["in_redline"][1] and f["redline_overlap_share"][1] == pytest.approx(0.5, rel=1e-3)
    assert f["redline_overlap_m2"][1] == pytest.approx(1e6, rel=1e-3)


def test_tolerance_is_settable(world_layers):
    site = _boxes((4999, 1000, 6000, 2000))  # overlaps the red line by a 1 m x 1000 m strip
    assert compute_facts(site, world_layers)["in_redline"][0]
    assert not compute_facts(site, world_layers, tolerance_m2=2000)["in_redline"][0]


def test_parks_whole_straddle_and_compliance(world_layers):
    f = compute_facts(_boxes((7500, 7500, 9500, 9500), (9000, 9000, 11000, 11000), (15500, 15500, 16500, 16500),
                             (11000, 2000, 13000, 4000)), world_layers)
    assert list(f["in_park"]) == [True, False, True, True]
    assert list(f["in_compliant_park"]) == [True, False, False, True]
    assert list(f["in_chemical_park"]) == [True, False, False, False]
    assert list(f["park_straddles"]) == [False, True, False, False]
    assert f["park"][0] == "化工园" and f["park_kind"][3] == "industrial"   # site equal to the park is inside


def test_control_units_rivers_urban_district(world_layers):
    f = compute_facts(_pts((3000, 10000), (10000, 5000), (18500, 3000), (6000, 10000), (19000, 10000)), world_layers)
    assert list(f["control_unit_categories"][:3]) == ["priority", "key", "general"]
    assert f["control_units"][3] == "ZH001;ZH002"  # a point on the shared edge is in both units
    assert f["river_tributary_distance_m"][2] == pytest.approx(500, rel=1e-3)
    assert f["river_mainstream_distance_m"][0] == pytest.approx(8000, rel=1e-3)
    assert f["river_other_distance_m"][0] == np.inf
    assert f["river_distance_m"][4] == pytest.approx(0, abs=1e-3) and f["river_nearest"][4] == "綦江"
    assert list(f["in_urban_area"]) == [False, False, True, False, False]
    assert list(f["district"][:3]) == ["测试区", "测试区", "测试县"]
    assert f["district_code"][2] == "500229"


def test_raster_point_polygon_and_nodata(world_layers):
    pts = compute_facts(_pts((500, 19500), (3000, 3000), (15000, 3000)), world_layers)
    assert pd.isna(pts["pm25"][0]) and "air_quality:pm25" in pts["missing_layers"][0]
    assert list(pts["pm25"][1:]) == [30.0, 40.0]
    poly = compute_facts(_boxes((8000, 3000, 12000, 5000)), world_layers)
    assert poly["pm25"][0] == pytest.approx(35.0, abs=0.01) and poly["pm25_max"][0] == 40.0


def test_outside_coverage_is_unknown_not_no(world_layers):
    f = compute_facts(_pts((-5000, 5000)), world_layers)
    assert f["in_coverage"][0] is False or not f["in_coverage"][0]
    for col in ("in_redline", "in_compliant_park", "in_priority_unit", "in_urban_area", "river_distance_m"):
        assert pd.isna(f[col][0]), col


def test_missing_layer_and_missing_site(world_layers):
    partial = ZoningLayers(catalog=None, frames={k: v for k, v in world_layers.frames.items() if k != "park"})
    f = compute_facts(gpd.GeoSeries([None, w._box(7500, 7500, 9500, 9500)], crs=w.GK).to_crs(4490), partial)
    assert pd.isna(f["in_compliant_park"][1]) and "park" in f["missing_layers"][1]
    assert f.loc[0].isna().sum() >= len(f.columns) - 1


def test_distances_and_areas_match_geodesic(demo_layers):
    """Within 0.1% of pyproj.Geod anywhere in Chongqing, including its far corners."""
    rng = np.random.default_rng(7)
    lon = rng.uniform(105.3, 110.2, 200)
    lat = rng.uniform(28.2, 32.2, 200)
    az = rng.uniform(0, 360, 200)
    dist = rng.uniform(200, 20_000, 200)
    lon2, lat2, _ = GEOD.fwd(lon, lat, az, dist)
    a = to_metric(gpd.GeoSeries.from_xy(lon, lat, crs=4490), demo_layers.metric_crs)
    b = to_metric(gpd.GeoSeries.from_xy(lon2, lat2, crs=4490), demo_layers.metric_crs)
    assert np.max(np.abs(a.distance(b).to_numpy() / dist - 1)) < 1e-3
    squares = [shapely.Polygon(np.column_stack(GEOD.fwd(np.full(4, x), np.full(4, y), np.array([0., 90, 180, 270]),
                                                        np.full(4, 3000.0))[:2]))
               for x, y in zip(lon[:50], lat[:50])]
    geo_area = np.array([abs(GEOD.geometry_area_perimeter(p)[0]) for p in squares])
    metric_area = to_metric(gpd.GeoSeries(squares, crs=4490), demo_layers.metric_crs).area.to_numpy()
    assert np.max(np.abs(metric_area / geo_area - 1)) < 1e-3


def test_hundred_thousand_points_one_pass(demo_layers, capsys):
    rng = np.random.default_rng(1)
    sites = gpd.GeoSeries.from_xy(rng.uniform(105.3, 110.2, 100_000), rng.uniform(28.2, 32.2, 100_000), crs=4490)
    start = time.perf_counter()
    f = compute_facts(sites, demo_layers, max_distance_m=20_000)
    with capsys.disabled():
        print(f"\n100,000 points, demo layers: {time.perf_counter() - start:.2f} s")
    assert len(f) == 100_000 and f.index.equals(sites.index)
    inside = f["in_coverage"].fillna(False).astype(bool)
    assert inside.mean() > 0.3 and f.loc[inside, "control_units"].str.len().gt(0).all()
