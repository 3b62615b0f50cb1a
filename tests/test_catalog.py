"""The catalog format: errors name the catalog line, the file and the field."""

from __future__ import annotations

import shutil

import pytest

from zoning.catalog import read_catalog
from zoning.errors import CatalogError, LayerError
from zoning.layers import check_layers, load_layers


def _catalog(tmp_path, world_catalog, text: str):
    for f in world_catalog.parent.iterdir():
        if f.is_file():
            shutil.copy(f, tmp_path / f.name)
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_world_catalog(world_catalog):
    cat = read_catalog(world_catalog)
    assert [s.role for s in cat.layers] == ["redline", "park", "control_unit", "river", "urban_area", "district",
                                            "air_quality"]
    red = cat.layers[0]
    assert red.line == 2 and red.version == "test-1" and red.valid_from == "2024-01-01"
    assert cat.layers[-1].key == "pm25"


def test_unknown_role_names_line(tmp_path, world_catalog):
    path = _catalog(tmp_path, world_catalog, '# x\n\n[[layer]]\nrole = "forest"\npath = "红线.shp"\n')
    with pytest.raises(CatalogError, match=r"c.toml line 3: unknown role 'forest'"):
        read_catalog(path)


def test_missing_file_names_line_and_file(tmp_path, world_catalog):
    path = _catalog(tmp_path, world_catalog, '[[layer]]\nrole = "redline"\npath = "nope.shp"\n')
    with pytest.raises(CatalogError, match=r"line 1 \(role redline\): file nope.shp not found"):
        read_catalog(path)


def test_missing_field_names_field_and_file(tmp_path, world_catalog):
    path = _catalog(tmp_path, world_catalog,
                    '[[layer]]\nrole = "redline"\npath = "红线.shp"\n[layer.fields]\nid = "编号"\nname = "红线名称"\n')
    with pytest.raises(LayerError, match=r"c.toml line 1 \(role redline, 红线.shp\): field '编号' \(our 'id'\)"):
        load_layers(path)


def test_unmapped_value_is_named(tmp_path, world_catalog):
    text = ('[[layer]]\nrole = "control_unit"\npath = "管控单元.shp"\n[layer.fields]\nid = "单元编码"\n'
            'name = "单元名称"\ncategory = "管控类别"\n[layer.values.category]\n"优先保护单元" = "priority"\n')
    path = _catalog(tmp_path, world_catalog, text)
    with pytest.raises(LayerError, match=r"'重点管控单元' x1.*\[layer.values.category\]"):
        load_layers(path)
    reports = check_layers(path)
    assert reports[0].problems and "重点管控单元" in reports[0].problems[0]


def test_unknown_field_name_rejected(tmp_path, world_catalog):
    path = _catalog(tmp_path, world_catalog,
                    '[[layer]]\nrole = "redline"\npath = "红线.shp"\n[layer.fields]\ncolour = "颜色"\n')
    with pytest.raises(CatalogError, match="unknown name"):
        read_catalog(path)


def test_raster_needs_pollutant(tmp_path, world_catalog):
    path = _catalog(tmp_path, world_catalog, '[[layer]]\nrole = "air_quality"\npath = "pm25.tif"\n')
    with pytest.raises(CatalogError, match="pollutant"):
        read_catalog(path)
