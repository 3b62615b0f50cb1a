"""Layer faults stop before any output (issue 10 item 4): no CRS, an empty layer, a layer or raster off the
coverage (a wrong CRS), a raster of nodata — each one line naming the entry, the fault and the fix."""

from __future__ import annotations


import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from click.testing import CliRunner
from rasterio.transform import from_origin

import zoning_world as w
from screening.cli import main
from zoning.cache import prepare
from zoning.catalog import read_catalog
from zoning.errors import CatalogError, LayerError
from zoning.facts import compute_facts
from zoning.layers import check_layers, load_layers

_RED = 'path = "红线.shp"\n'
_PM = 'path = "pm25.tif"\n'


@pytest.fixture
def world(tmp_path, world_catalog):
    """A copy of the synthetic world to change one layer of."""
    return w.copy_world(world_catalog, tmp_path)


_catalog = w.edited_catalog


def _failed(path, role):
    reports = [r for r in check_layers(path) if r.failed]
    assert [r.role for r in reports] == [role]
    return reports[0].problems[-1]


def _redline(world, name="red.shp", crs=w.GK, prj=True, frame=None):
    src = frame if frame is not None else gpd.read_file(world / "红线.shp", encoding="GBK")
    src = src.set_crs(crs, allow_override=True) if crs else src
    src.to_file(world / name, encoding="GBK")
    if not prj:
        (world / name).with_suffix(".prj").unlink()


def test_redline_without_crs_is_an_error(world):
    _redline(world, prj=False)
    path = _catalog(world, _RED, 'path = "red.shp"\n')
    with pytest.raises(LayerError) as err:
        load_layers(path)
    message = str(err.value)
    assert message.startswith("c.toml line 2 (role redline, red.shp): 图层没有坐标系")
    assert "the source has no CRS and the catalog gives none" in message and 'add crs = "EPSG:4545"' in message
    assert "\n" not in message
    assert "no CRS" in _failed(path, "redline")


def test_redline_in_degrees_without_crs_is_not_assumed_cgcs2000(world):
    src = gpd.read_file(world / "红线.shp", encoding="GBK").to_crs("EPSG:4490")
    _redline(world, crs=None, prj=False, frame=src)
    with pytest.raises(LayerError, match="no CRS"):
        load_layers(_catalog(world, _RED, 'path = "red.shp"\n'))
    # the catalog's crs settles it
    layers = load_layers(_catalog(world, _RED, 'path = "red.shp"\ncrs = "EPSG:4490"\n'))
    assert len(layers.frame("redline")) == 3


def _empty_redline(world):
    src = gpd.read_file(world / "红线.shp", encoding="GBK").iloc[:0]
    src.to_file(world / "red.gpkg", driver="GPKG")


def test_empty_redline_is_an_error(world):
    _empty_redline(world)
    path = _catalog(world, _RED, 'path = "red.gpkg"\n')
    with pytest.raises(LayerError, match=r"red.gpkg\): 图层没有要素 / the layer has no features; .*allow_empty = true"):
        load_layers(path)
    assert "allow_empty" in _failed(path, "redline")
    lon, lat = w.lonlat(2500, 2500)
    with pytest.raises(LayerError, match="no features"):  # a site's read counts the whole source
        load_layers(path, bbox=(lon - 0.01, lat - 0.01, lon + 0.01, lat + 0.01))


def test_empty_redline_allowed(world):
    _empty_redline(world)
    path = _catalog(world, _RED, 'path = "red.gpkg"\nallow_empty = true\n')
    assert read_catalog(path).layers[0].allow_empty
    layers = load_layers(path, use_cache=False)
    assert layers.allowed_empty == ["redline"]
    assert len(layers.frame("redline")) == 0 and layers.frame("redline").crs.to_epsg() == 4490
    facts = compute_facts(gpd.GeoSeries.from_xy(*zip(w.lonlat(2500, 2500)), crs="EPSG:4490"), layers)
    assert not facts.loc[0, "in_redline"] and facts.loc[0, "missing_layers"] == ""
    report = next(r for r in check_layers(path) if r.role == "redline")
    assert report.allowed_empty and not report.failed and any("allow_empty" in n for n in report.notes)
    lon, lat = w.lonlat(2500, 2500)
    assert load_layers(path, bbox=(lon - 0.01, lat - 0.01, lon + 0.01, lat + 0.01)).allowed_empty == ["redline"]
    prepare(path)  # the prepared cache keeps saying so
    cached = load_layers(path)
    assert any("prepared cache" in n for n in cached.reports[0].notes) and cached.allowed_empty == ["redline"]


def test_allowed_empty_not_listed_when_the_layer_has_features(world):
    layers = load_layers(_catalog(world, _RED, _RED + "allow_empty = true\n"), use_cache=False)
    assert layers.allowed_empty == [] and len(layers.frame("redline")) == 3


def test_allow_empty_must_be_a_boolean_on_a_vector_layer(world):
    with pytest.raises(CatalogError, match=r"line 2 \(role redline\): allow_empty 须为 true 或 false"):
        read_catalog(_catalog(world, _RED, _RED + 'allow_empty = "yes"\n'))
    with pytest.raises(CatalogError, match=r"\(role air_quality\): allow_empty 只适用于矢量图层"):
        read_catalog(_catalog(world, _PM, _PM + "allow_empty = true\n"))


def test_layer_in_the_wrong_gk_zone_misses_the_coverage(world):
    _redline(world, crs="EPSG:4544")  # zone CM 105E instead of 108E: 3 degrees west of the districts
    path = _catalog(world, _RED, 'path = "red.shp"\n')
    with pytest.raises(LayerError) as err:
        load_layers(path)
    message = str(err.value)
    assert message.startswith("c.toml line 2 (role redline, red.shp): 图层范围与覆盖范围不相交")
    assert "does not meet the coverage (district layers" in message and "CRS is probably wrong" in message
    assert "does not meet the coverage" in _failed(path, "redline")
    result = CliRunner().invoke(main, ["layers", "check", "--catalog", str(path)], env={"COLUMNS": "300"})
    assert result.exit_code == 1 and "does not meet the coverage" in result.output


def test_gk_metres_read_as_degrees_lie_outside_china(world):
    _redline(world, crs="EPSG:4490")  # GK eastings/northings declared as CGCS2000 degrees
    path = _catalog(world, _RED, 'path = "red.shp"\n')
    with pytest.raises(LayerError, match=r"red.shp\): 图层范围不在中国境内.*lies outside China, so its CRS is wrong"):
        load_layers(path)
    assert "outside China" in _failed(path, "redline")


def test_coverage_from_control_units_without_districts(world):
    _redline(world, crs="EPSG:4544")
    text = (world / "catalog.toml").read_text(encoding="utf-8")
    start = text.index('[[layer]]\nrole = "district"')
    end = text.index("[[layer]]", start + 1)
    (world / "catalog.toml").write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(LayerError, match=r"does not meet the coverage \(control_unit layers"):
        load_layers(_catalog(world, _RED, 'path = "red.shp"\n'))


def _raster(path, data, crs=w.GK):
    with rasterio.open(path, "w", driver="GTiff", height=data.shape[0], width=data.shape[1], count=1, dtype="float32",
                       crs=crs, transform=from_origin(w.X0, w.Y0 + 20000, 1000, 1000), nodata=-9999.0) as ds:
        ds.write(data.astype("float32"), 1)


def test_all_nodata_raster_is_an_error(world):
    _raster(world / "pm.tif", np.full((20, 20), -9999.0))
    path = _catalog(world, _PM, 'path = "pm.tif"\n')
    with pytest.raises(LayerError, match=r"role air_quality, pm.tif\): 栅格没有有效像元.*every cell of band 1 is nodata"):
        load_layers(path)
    assert "nodata" in _failed(path, "air_quality")


def test_raster_with_values_only_off_the_coverage_is_an_error(world):
    data = np.full((60, 20), -9999.0)
    data[40:, :] = 35.0  # values only in the 20 km south of the districts
    with rasterio.open(world / "pm.tif", "w", driver="GTiff", height=60, width=20, count=1, dtype="float32",
                       crs=w.GK, transform=from_origin(w.X0, w.Y0 + 20000, 1000, 1000), nodata=-9999.0) as ds:
        ds.write(data.astype("float32"), 1)
    path = _catalog(world, _PM, 'path = "pm.tif"\n')
    with pytest.raises(LayerError, match=r"the raster has no valid cell over the coverage \(district layers"):
        load_layers(path)
    assert "no valid cell over the coverage" in _failed(path, "air_quality")


def test_raster_in_the_wrong_crs_misses_the_coverage(world):
    data = np.full((20, 20), 30.0)
    _raster(world / "pm.tif", data, crs="EPSG:4544")
    with pytest.raises(LayerError, match=r"pm.tif\): 图层范围与覆盖范围不相交"):
        load_layers(_catalog(world, _PM, 'path = "pm.tif"\n'))


def test_one_feature_far_off_is_not_a_coverage_fault(world):
    """Only a layer missing the coverage altogether is refused; a layer that meets it loads."""
    src = gpd.read_file(world / "红线.shp", encoding="GBK")
    src.loc[2, "geometry"] = shapely.box(w.X0 + 60_000, w.Y0, w.X0 + 61_000, w.Y0 + 1000)
    _redline(world, frame=src)
    layers = load_layers(_catalog(world, _RED, 'path = "red.shp"\n'), use_cache=False)
    assert len(layers.frame("redline")) == 3


def test_demo_catalog_still_checks_clean():
    from conftest import DEMO_CATALOG

    reports = check_layers(DEMO_CATALOG)
    assert not any(r.failed for r in reports)
    assert load_layers(DEMO_CATALOG, use_cache=False).allowed_empty == []
