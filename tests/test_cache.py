"""Prepared layers: used automatically, same facts and decisions, invalidated by a changed source."""

from __future__ import annotations

import shutil

import geopandas as gpd
import numpy as np
import pandas as pd

import zoning_world as w
from screening.rules import load_rules
from screening.site import site_projects
from screening.screen import screen
from zoning.cache import cache_path, prepare
from zoning.catalog import read_catalog
from zoning.facts import compute_facts
from zoning.layers import load_layers


def _copy_world(world_catalog, tmp_path):
    folder = tmp_path / "world"
    shutil.copytree(world_catalog.parent, folder, ignore=shutil.ignore_patterns(".zoning-cache"))
    return folder / "catalog.toml"


def _sites():
    rng = np.random.default_rng(3)
    xy = rng.uniform(-1000, 21000, (400, 2))
    lon, lat = zip(*(w.lonlat(x, y) for x, y in xy))
    return gpd.GeoSeries.from_xy(lon, lat, crs=4490)


def test_cache_is_used_and_gives_identical_facts_and_decisions(world_catalog, tmp_path):
    catalog = _copy_world(world_catalog, tmp_path)
    fresh = load_layers(catalog)
    folder = prepare(catalog)
    assert (folder / "redline.metric.parquet").exists()
    cached = load_layers(catalog)
    assert any("prepared cache" in n for n in cached.reports[0].notes)
    pd.testing.assert_frame_equal(compute_facts(_sites(), fresh), compute_facts(_sites(), cached))
    rules = load_rules()
    for lon, lat, sector in ((106.5, 29.5, "2614"), (106.47, 29.47, "3911")):
        a = screen(site_projects(lon=lon, lat=lat, sector=sector, construction="新建"), fresh, rules)
        b = screen(site_projects(lon=lon, lat=lat, sector=sector, construction="新建"), cached, rules)
        assert list(a["decision"]) == list(b["decision"]) and list(a["rule_ids"]) == list(b["rule_ids"])


def test_changed_source_invalidates_cache(world_catalog, tmp_path):
    catalog = _copy_world(world_catalog, tmp_path)
    prepare(catalog)
    before = cache_path(read_catalog(catalog))
    red = gpd.read_file(catalog.parent / "红线.shp", encoding="GBK")
    red.loc[0, "红线名称"] = "改名红线"
    red.to_file(catalog.parent / "红线.shp", encoding="GBK")
    (catalog.parent / "红线.cpg").unlink(missing_ok=True)
    assert cache_path(read_catalog(catalog)) != before
    layers = load_layers(catalog)
    assert not any("prepared cache" in n for n in layers.reports[0].notes)
    assert layers.frame("redline")["name"].iloc[0] == "改名红线"
