"""Dense layers: past MAX_FEATURES in view, a layer is drawn merged by style, with a popup saying so."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from maps import draw
from maps.save import render_html
from maps.zoning_map import zoning_map


def _grid(n_side: int) -> gpd.GeoDataFrame:
    xs, ys = np.meshgrid(np.arange(n_side), np.arange(n_side))
    boxes = shapely.box(106 + xs.ravel() * 0.01, 29 + ys.ravel() * 0.01, 106.01 + xs.ravel() * 0.01,
                        29.01 + ys.ravel() * 0.01)
    cats = np.array(["priority", "key", "general"])[np.arange(boxes.size) % 3]
    return gpd.GeoDataFrame({"id": [f"ZH{i:05d}" for i in range(boxes.size)], "name": "单元", "category": cats,
                             "source": "tests"}, geometry=boxes, crs=4490)


def test_dense_layer_is_merged_by_style(monkeypatch):
    monkeypatch.setattr(draw, "MAX_FEATURES", 100)
    html = render_html(zoning_map({"control_unit": _grid(20)}))   # 400 units > 100
    assert "ZH00001" not in html                                  # no per-unit popups
    assert html.count("features merged at this scale") == 3       # one merged feature per category
    assert "133 个要素" in html or "134 个要素" in html


def test_sparse_layer_keeps_single_features():
    html = render_html(zoning_map({"control_unit": _grid(5)}))
    assert "ZH00001" in html and "features merged" not in html
