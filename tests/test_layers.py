"""Loading layers from every common format and encoding; repair, holes and multiparts."""

from __future__ import annotations

import zipfile

import geopandas as gpd
import numpy as np
import pytest
import shapely

from zoning.catalog import read_catalog
from zoning.encoding import detect_encoding, shapefile_encoding
from zoning.layers import check_layers, load_layers
from zoning.vector import read_vector

ROLE_SPECS = {
    "redline": ("红线", {"id": "红线编码", "name": "红线名称"}, {}),
    "park": ("园区", {"id": "园区编码", "name": "园区名称", "kind": "园区类型", "compliant": "是否合规"},
             {"kind": {"化工园区": "chemical", "工业园区": "industrial"}}),
    "control_unit": ("管控单元", {"id": "单元编码", "name": "单元名称", "category": "管控类别"},
                     {"category": {"优先保护单元": "priority", "重点管控单元": "key", "一般管控单元": "general"}}),
    "river": ("河流", {"id": "河流编码", "name": "河流名称", "class": "等级"},
              {"class": {"干流": "mainstream", "支流": "tributary"}}),
    "urban_area": ("城区", {"id": "编码", "name": "名称"}, {}),
    "district": ("区县", {"id": "区划代码", "name": "区划名称"}, {}),
}


def _toml(role, path, fields, values, layer=None, crs=None):
    lines = ["[[layer]]", f'role = "{role}"', f'path = "{path}"']
    if layer:
        lines.append(f'layer = "{layer}"')
    if crs:
        lines.append(f'crs = "{crs}"')
    lines.append("[layer.fields]")
    lines += [f'{k} = "{v}"' for k, v in fields.items()]
    for field, table in values.items():
        lines.append(f"[layer.values.{field}]")
        lines += [f'"{k}" = "{v}"' for k, v in table.items()]
    return "\n".join(lines) + "\n"


def _write(src: gpd.GeoDataFrame, folder, stem, fmt):
    if fmt == "shp":  # GBK, as bureaus deliver (UTF-8 would cut 4-character Chinese field names)
        src.to_file(folder / f"{stem}.shp", encoding="GBK")
        return f"{stem}.shp", None
    if fmt == "gpkg":
        src.to_file(folder / "all.gpkg", layer=stem, driver="GPKG")
        return "all.gpkg", stem
    if fmt == "geojson":
        src.to_crs(4326).to_file(folder / f"{stem}.geojson", driver="GeoJSON")
        return f"{stem}.geojson", None
    src.to_file(folder / f"{stem}.shp", encoding="GBK")
    (folder / f"{stem}.cpg").unlink(missing_ok=True)
    with zipfile.ZipFile(folder / f"{stem}.zip", "w") as zf:
        for part in folder.glob(f"{stem}.*"):
            if part.suffix != ".zip":
                zf.write(part, part.name)
    return f"{stem}.zip", None


@pytest.mark.parametrize("fmt", ["shp", "gpkg", "geojson", "zip"])
@pytest.mark.parametrize("role", list(ROLE_SPECS))
def test_each_role_loads_from_each_format(tmp_path, world_catalog, world_layers, role, fmt):
    stem, fields, values = ROLE_SPECS[role]
    src = gpd.read_file(world_catalog.parent / f"{stem}.shp", encoding="GBK")
    if src.crs is None:
        src = src.set_crs("EPSG:4545")
    path, layer = _write(src, tmp_path, "x_" + role, fmt)
    (tmp_path / "c.toml").write_text(_toml(role, path, fields, values, layer), encoding="utf-8")
    loaded = load_layers(tmp_path / "c.toml").frame(role)
    expected = world_layers.frame(role)
    assert list(loaded["id"]) == list(expected["id"])
    assert list(loaded["name"]) == list(expected["name"])  # Chinese names survive every format
    assert loaded.crs.to_epsg() == 4490
    assert np.allclose(loaded.total_bounds, expected.total_bounds, atol=1e-6)


def test_gbk_detected_without_cpg(world_catalog):
    shp = world_catalog.parent / "红线.shp"
    assert not shp.with_suffix(".cpg").exists()
    assert shapefile_encoding(shp) == "GBK"
    frame, report = read_vector(read_catalog(world_catalog).layers[0])
    assert "GBK (detected" in report.encoding
    assert list(frame["name"]) == ["缙云山红线", "蝴蝶红线", "两片红线"]


def test_utf8_detected_without_cpg(tmp_path, world_catalog):
    src = gpd.read_file(world_catalog.parent / "红线.shp", encoding="GBK").rename(
        columns={"红线编码": "code", "红线名称": "name"})
    src.to_file(tmp_path / "u.shp", encoding="UTF-8")
    (tmp_path / "u.cpg").unlink(missing_ok=True)
    assert shapefile_encoding(tmp_path / "u.shp") == "UTF-8"
    (tmp_path / "c.toml").write_text(_toml("redline", "u.shp", {"id": "code", "name": "name"}, {}), encoding="utf-8")
    frame = load_layers(tmp_path / "c.toml").frame("redline")
    assert list(frame["name"]) == ["缙云山红线", "蝴蝶红线", "两片红线"]


def test_detect_encoding_bytes():
    assert detect_encoding("生态保护红线".encode("gbk")) == "GBK"
    assert detect_encoding("生态保护红线".encode("utf-8")) == "UTF-8"
    assert detect_encoding(b"plain ascii") == "UTF-8"


def test_bowtie_keeps_both_lobes_and_is_reported(world_catalog, world_layers):
    reports = {r.role: r for r in check_layers(world_catalog)}
    assert reports["redline"].repaired and reports["redline"].repaired[0].startswith("HX02: Self-intersection")
    bowtie = world_layers.metric("redline").set_index("id").geometry["HX02"]
    assert bowtie.is_valid and bowtie.geom_type == "MultiPolygon" and len(bowtie.geoms) == 2
    # two triangles of 2 km x 1 km each; metric CRS vs GK scale differ by < 0.1%
    assert bowtie.area == pytest.approx(2_000_000, rel=1e-3)


def test_hole_and_multipart(world_layers):
    red = world_layers.metric("redline").set_index("id").geometry
    assert len(red["HX01"].interiors) == 1
    assert red["HX01"].area == pytest.approx(16e6 - 1e6, rel=1e-3)
    assert red["HX03"].geom_type == "MultiPolygon" and len(red["HX03"].geoms) == 2


def test_check_reports_every_layer(world_catalog):
    reports = check_layers(world_catalog)
    assert len(reports) == 7
    for r in reports:
        assert r.crs.startswith("EPSG:4545") and not r.problems
        assert r.extent is not None
    assert sum(r.features for r in reports if r.role != "air_quality") == 14
    river = next(r for r in reports if r.role == "river")
    assert "from the catalog" in river.notes[0]


def test_gk_prefix_fixed(tmp_path, world_catalog):
    src = gpd.read_file(world_catalog.parent / "城区.shp", encoding="GBK")
    moved = src.set_geometry(shapely.transform(src.geometry.values, lambda xy: xy + [36_000_000, 0]))
    moved.set_crs("EPSG:4545", allow_override=True).to_file(tmp_path / "u.shp", encoding="UTF-8")
    (tmp_path / "c.toml").write_text(_toml("urban_area", "u.shp", {"id": "编码", "name": "名称"}, {}), encoding="utf-8")
    [report] = check_layers(tmp_path / "c.toml")
    assert "zone prefix 36" in report.notes[0] and report.crs.startswith("EPSG:4524")
    assert 106 < report.extent[0] < 107


def test_gk_prefix_fixed_when_prj_has_no_epsg_code(tmp_path, world_catalog):
    """A .prj spelled as plain Transverse Mercator parameters (as ESRI writes it) is recognised too."""
    src = gpd.read_file(world_catalog.parent / "城区.shp", encoding="GBK")
    moved = src.set_geometry(shapely.transform(src.geometry.values, lambda xy: xy + [36_000_000, 0]))
    tm = "+proj=tmerc +lat_0=0 +lon_0=108 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs"
    moved.set_crs(tm, allow_override=True).to_file(tmp_path / "u.shp", encoding="UTF-8")
    (tmp_path / "c.toml").write_text(_toml("urban_area", "u.shp", {"id": "编码", "name": "名称"}, {}), encoding="utf-8")
    [report] = check_layers(tmp_path / "c.toml")
    assert "zone prefix 36" in report.notes[0] and 106 < report.extent[0] < 107
