"""Fast tests of the maps package (no browser): content, legend, offline-ness, escaping, GCJ-02, keys, size."""

import json
import re
import subprocess
import sys
from html.parser import HTMLParser

import folium
import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import LineString, Point, box

from maps import decision_map, render_html, save_map, site_map, zoning_map
from maps.nearest import nearest_feature
from maps.offline import make_offline
from maps.simplify import for_display

XSS = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
DEMO = "illustrative demo layer"


def make_layers(source=DEMO):
    """A small set of zoning layers near Chongqing's centre (106.5E 29.5N)."""
    def gdf(rows, geoms):
        return gpd.GeoDataFrame(rows, geometry=geoms, crs=4490).assign(source=source)
    return {
        "redline": gdf({"id": ["R1"], "name": [XSS]}, [box(106.40, 29.55, 106.45, 29.60)]),
        "park": gdf({"id": ["P1", "P2"], "name": ["长寿化工园", "九龙坡工业园"], "kind": ["chemical", "industrial"],
                     "compliant": [True, False]},
                    [box(106.55, 29.45, 106.62, 29.52), box(106.45, 29.42, 106.52, 29.47)]),
        "control_unit": gdf({"id": ["U1", "U2", "U3"], "name": ["优先", "重点", "一般"],
                             "category": ["priority", "key", "general"]},
                            [box(106.3, 29.3, 106.5, 29.7), box(106.5, 29.3, 106.7, 29.7),
                             box(106.7, 29.3, 106.9, 29.7)]),
        "river": gdf({"id": ["W1", "W2"], "name": ["长江", "嘉陵江"], "class": ["mainstream", "tributary"]},
                     [LineString([(106.3, 29.5), (106.9, 29.55)]), LineString([(106.5, 29.7), (106.58, 29.55)])]),
        "urban_area": gdf({"id": ["C1"], "name": ["主城"]}, [box(106.48, 29.5, 106.6, 29.62)]),
        "district": gdf({"id": ["D1", "D2"], "name": ["渝中", "江北"]},
                        [box(106.3, 29.3, 106.6, 29.7), box(106.6, 29.3, 106.9, 29.7)]),
    }


def make_results(extra_points=0):
    """Screening results: one site per decision (a polygon among them), one invalid row without geometry."""
    base = dict(sector="2614", rule_ids="R-1", citations="渝环〔2023〕71号", obligations="", reasons="")
    rows = [
        dict(base, id="S1", name=XSS, decision="prohibited", decision_zh="禁止准入",
             reasons=f"位于生态保护红线内 | {XSS}", in_redline=True, redline_distance_m=0.0, geometry=Point(106.42, 29.57)),
        dict(base, id="S2", name="化工厂", decision="review", decision_zh="需人工复核", redline_distance_m=5300.0,
             river_distance_m=800.0, geometry=box(106.56, 29.46, 106.58, 29.48)),
        dict(base, id="S3", name="装配厂", decision="conditional", decision_zh="有条件准入", obligations="o1 | o2",
             geometry=Point(106.75, 29.4)),
        dict(base, id="S4", name="仓库", decision="admissible", decision_zh="准予准入", geometry=Point(106.85, 29.65)),
        dict(base, id="S5", name="坏行", decision="invalid", decision_zh="输入无效", reasons="坐标无法解析", geometry=None),
    ]
    rng = np.random.default_rng(0)
    for i in range(extra_points):
        rows.append(dict(base, id=f"X{i}", name=f"p{i}", decision="admissible", decision_zh="准予准入",
                         geometry=Point(106.3 + rng.random() * 0.6, 29.3 + rng.random() * 0.4)))
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=4490)


class _Resources(HTMLParser):
    """Independent of maps.offline: every resource URL in script/link/img/iframe/source/... and CSS."""

    def __init__(self):
        super().__init__()
        self.urls, self._style = [], False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value and name in ("src", "href", "srcset", "poster", "data") and tag != "a":
                self.urls.append(value)
            if value and name == "style":
                self.urls += re.findall(r"url\(\s*['\"]?([^'\")]+)", value)
        self._style = tag == "style"

    def handle_data(self, data):
        if self._style:
            self.urls += re.findall(r"url\(\s*['\"]?([^'\")]+)", data)
            self.urls += re.findall(r"@import\s+['\"]([^'\"]+)", data)


def loaded_urls(html):
    """Resource URLs of the page that are not inline."""
    parser = _Resources()
    parser.feed(html)
    return [u for u in parser.urls if not u.startswith(("data:", "#"))]


@pytest.fixture(scope="module")
def zoning_html():
    """The rendered offline zoning map of the test layers (title with a script tag)."""
    return render_html(zoning_map(make_layers(), title="测试 " + XSS))


@pytest.fixture(scope="module")
def decision_html():
    """The rendered offline decision map of the test results."""
    return render_html(decision_map(make_results(), make_layers()))


def test_zoning_map_has_a_toggleable_group_per_layer(zoning_html):
    for label in ("生态保护红线 Ecological red line", "产业园区 Industrial parks", "环境管控单元 Environmental control units",
                  "河流 Rivers", "城镇开发边界 Urban area", "区县 Districts"):
        assert json.dumps(label) in zoning_html  # LayerControl entry (folium writes it \u-escaped)
    assert "L.control.layers(" in zoning_html
    assert "L.control.scale(" in zoning_html
    # one GeoJSON layer per role and style: red line 1, parks 2, units 3, rivers 2, urban 1, districts 1
    assert zoning_html.count("L.geoJson(") == 10
    assert '"dashArray":"6 4"' in zoning_html  # the non-compliant park is dashed
    assert "编号 id: P1" in zoning_html and "类别 category: 化工园区 / chemical park" in zoning_html


def test_legend_is_bilingual(zoning_html):
    for text in ("图例 Legend", "生态保护红线", "Ecological red line", "优先保护单元", "priority protection",
                 "重点管控单元", "key control", "化工园区", "chemical park", "干流", "mainstream"):
        assert text in zoning_html


def test_illustrative_note_only_for_demo_data(zoning_html):
    assert "示例数据，非官方 / illustrative data, not official" in zoning_html
    official = render_html(zoning_map(make_layers(source="重庆市生态环境局 2023")))
    assert "illustrative data, not official" not in official


@pytest.mark.parametrize("build", ["zoning", "decision", "clustered", "site"])
def test_offline_pages_load_nothing_from_elsewhere(build):
    layers = make_layers()
    m = {"zoning": lambda: zoning_map(layers),
         "decision": lambda: decision_map(make_results(), layers),
         "clustered": lambda: decision_map(make_results(30), layers, cluster_threshold=10),
         "site": lambda: site_map(make_results().iloc[[1]], layers)}[build]()
    html = render_html(m)
    assert loaded_urls(html) == []
    assert not re.search(r"<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=", html)
    assert "L.map(" in html and "Leaflet 1.9.4" in html  # Leaflet itself is inlined
    if build == "clustered":
        assert "L.markerClusterGroup(" in html and "L.MarkerClusterGroup=" in html


def test_online_keeps_folium_cdn_links():
    html = render_html(zoning_map(make_layers(), online=True), online=True)
    assert any(u.startswith("https://") and "leaflet" in u for u in loaded_urls(html))


def test_data_strings_are_escaped(zoning_html, decision_html):
    for html in (zoning_html, decision_html):
        assert XSS not in html
        # HTML text (title), or that text inside script-safe JSON (popups: `&` written as \u0026)
        assert ESCAPED in html or ESCAPED.replace("&", "\\u0026") in html
    assert render_html(site_map(make_results().iloc[[0]], make_layers())).count(XSS) == 0


def test_decision_map_colours_sites_and_counts_invalid(decision_html):
    for colour in ("#d7191c", "#fdae61", "#ffd92f", "#1a9641"):
        assert f'"fillColor":"{colour}"' in decision_html
    assert json.dumps("禁止准入 prohibited (1)") in decision_html
    assert "输入无效" in decision_html and "not drawn" in decision_html
    assert '"S5"' not in decision_html and "(S5)" not in decision_html  # the invalid row is not drawn
    assert "L.markerClusterGroup(" not in decision_html
    assert '"type":"Polygon","coordinates":[[[106.56' in decision_html or "106.58,29.46" in decision_html
    for text in ("结论 decision", "禁止准入 / prohibited", "位于生态保护红线内", "依据 citations", "距生态保护红线"):
        assert text in decision_html


def test_points_are_clustered_above_the_threshold():
    results = make_results(extra_points=40)
    assert "L.markerClusterGroup(" in render_html(decision_map(results, make_layers(), cluster_threshold=20))
    assert "L.markerClusterGroup(" not in render_html(decision_map(results, make_layers(), cluster_threshold=100))


def test_decision_map_clips_zoning_to_the_batch():
    layers = make_layers()
    layers["district"] = gpd.GeoDataFrame({"id": ["far"], "name": ["远处"]}, geometry=[box(108.0, 31.0, 108.5, 31.5)],
                                          crs=4490)
    html = render_html(decision_map(make_results(), layers, margin_m=1000))
    assert "远处" not in html and "Districts" not in html


def _first_coordinate(html, feature_id):
    """The first coordinate of the feature whose popup shows `feature_id`."""
    match = re.search(r'"coordinates":\[\[\[([-\d.]+),([-\d.]+)\][^{]*?\{"popup":"[^"]*编号 id: ' + feature_id, html)
    return float(match.group(1)), float(match.group(2))


def test_gcj02_shift_only_for_amap():
    from zoning.coords import wgs84_to_gcj02

    layers = {"urban_area": make_layers()["urban_area"]}
    plain = _first_coordinate(render_html(zoning_map(layers)), "C1")
    osm = _first_coordinate(render_html(zoning_map(layers, basemap="osm")), "C1")
    tdt = _first_coordinate(render_html(zoning_map(layers, basemap="tianditu-img", tianditu_key="k",
                                                   embed_key_consent=True)), "C1")
    amap = _first_coordinate(render_html(zoning_map(layers, basemap="amap")), "C1")
    assert plain == osm == tdt
    expected = wgs84_to_gcj02(plain[0], plain[1])
    assert amap == pytest.approx(expected, abs=2e-5)
    assert abs(amap[0] - plain[0]) > 1e-3  # a few hundred metres in Chongqing


def test_tianditu_key_is_required_and_embedded_only_with_consent(monkeypatch):
    monkeypatch.delenv("TIANDITU_KEY", raising=False)
    with pytest.raises(ValueError, match="Tianditu key"):
        zoning_map(make_layers(), basemap="tianditu-vec")
    with pytest.raises(ValueError, match="embed"):
        zoning_map(make_layers(), basemap="tianditu-vec", tianditu_key="secret123")
    monkeypatch.setenv("TIANDITU_KEY", "envkey456")
    with pytest.raises(ValueError, match="embed_key_consent"):
        decision_map(make_results(), make_layers(), basemap="tianditu-img")
    html = render_html(zoning_map(make_layers(), basemap="tianditu-vec", embed_key_consent=True))
    assert "envkey456" in html and "tianditu.gov.cn" in html
    with pytest.raises(ValueError, match="unknown basemap"):
        zoning_map(make_layers(), basemap="google")


def _noisy_rings(n_polygons, vertices, seed=1):
    """Star-ish polygons with noisy radii around Chongqing: many vertices that resist simplification."""
    rng = np.random.default_rng(seed)
    polys = []
    for _ in range(n_polygons):
        cx, cy = 105.5 + rng.random() * 4, 28.5 + rng.random() * 3.5
        t = np.linspace(0, 2 * np.pi, vertices, endpoint=False)
        r = 0.05 * (1 + 0.2 * np.sin(7 * t) + 0.05 * rng.standard_normal(vertices))
        polys.append(shapely.Polygon(np.c_[cx + r * np.cos(t), cy + r * np.sin(t)]))
    return polys


def test_a_300k_vertex_layer_gives_a_small_page(tmp_path):
    polys = _noisy_rings(100, 3000)
    layer = gpd.GeoDataFrame({"id": [f"R{i}" for i in range(100)], "name": "红线", "source": DEMO},
                             geometry=polys, crs=4490)
    assert shapely.get_num_coordinates(layer.geometry.values).sum() >= 300_000
    size = save_map(zoning_map({"redline": layer}), tmp_path / "big.html")
    assert size == (tmp_path / "big.html").stat().st_size
    assert size < 3_000_000


def test_display_simplification_keeps_coverages_and_drops_what_is_out_of_view():
    left = shapely.Polygon(np.c_[np.r_[0, np.full(50, 1.0), 0], np.r_[0, np.linspace(0, 1, 50), 1]])
    wiggly = shapely.Polygon([(1, 0), *[(1 + 0.001 * (i % 2), i / 49) for i in range(50)], (1, 1)])
    right = shapely.Polygon([(1, 0), (2, 0), (2, 1), (1, 1)]).union(wiggly)
    far = box(10, 10, 11, 11)
    geoms = np.array([left, right, far], dtype=object)
    out, kept = for_display(geoms, (0, 0, 2, 1), tolerance=0.01, coverage=True)
    assert list(kept) == [0, 1]
    assert shapely.get_num_coordinates(out).sum() < shapely.get_num_coordinates(geoms[:2]).sum()
    coords = shapely.get_coordinates(out)
    assert np.allclose(coords, np.round(coords, 5))


def test_nearest_feature_is_measured_in_metres():
    site = Point(106.5, 29.5)
    layer = gpd.GeoDataFrame({"id": ["near", "far"]}, geometry=[box(106.52, 29.49, 106.53, 29.51),
                                                                 box(106.5, 29.53, 106.51, 29.54)], crs=4490)
    found = nearest_feature(site, layer)
    expected = Geod(ellps="GRS80").inv(106.5, 29.5, 106.52, 29.5)[2]
    assert layer.iloc[found.position]["id"] == "near"
    assert found.distance_m == pytest.approx(expected, abs=1.0)


def test_site_map_rings_and_nearest_features():
    results = make_results()
    html = render_html(site_map(results.iloc[[2]], make_layers(), rings_m=(1000, 5000)))
    assert "1 km 范围" in html and "5 km 范围" in html
    assert json.dumps("最近的生态保护红线 nearest red line (")[:-1] in html
    assert re.search(r"最近的河流 nearest river: \d+\.\d\d km", html)
    assert "有条件准入 / conditional" in html
    assert render_html(site_map(results.iloc[2], make_layers()))  # a row works too
    with pytest.raises(ValueError, match="no geometry"):
        site_map(results.iloc[[4]], make_layers())


def test_offline_refuses_folium_popups_and_icons():
    m = zoning_map(make_layers())
    folium.Marker([29.5, 106.5], popup="x").add_to(m)
    with pytest.raises(ValueError, match="jQuery"):
        make_offline(m)


def test_maps_does_not_import_screening():
    code = "import maps, sys; print(sorted(m for m in sys.modules if m.split('.')[0] == 'screening'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
