"""`zoning layers check` on the demo and on the GBK/GK world (as a user runs it)."""

from __future__ import annotations

from click.testing import CliRunner

from screening.cli import main


def test_check_demo_catalog_passes(monkeypatch):
    result = CliRunner().invoke(main, ["layers", "check"])
    assert result.exit_code == 0, result.output
    for role in ("redline", "park", "control_unit", "river", "urban_area", "district", "air_quality"):
        assert role in result.output
    assert "Self-intersection" in result.output  # the demo's deliberate bowtie is listed as repaired


def test_check_gbk_world_lists_repairs_and_encoding(world_catalog):
    result = CliRunner().invoke(main, ["layers", "check", "--catalog", str(world_catalog)])
    assert result.exit_code == 0, result.output
    assert "GBK (detected, no .cpg)" in result.output
    assert "HX02: Self-intersection" in result.output
    assert "EPSG:4545" in result.output and "缙云山" not in result.output  # names are not printed, counts are
    assert "7 layer(s) loaded" in result.output


def test_check_fails_with_named_problem(tmp_path, world_catalog):
    bad = tmp_path / "c.toml"
    bad.write_text(world_catalog.read_text(encoding="utf-8").replace('"红线.shp"', f'"{world_catalog.parent}/红线.shp"')
                   .replace('id = "红线编码"', 'id = "编号"'), encoding="utf-8")
    text = bad.read_text(encoding="utf-8")
    for name in ("园区", "管控单元", "河流", "城区", "区县"):
        text = text.replace(f'"{name}.shp"', f'"{world_catalog.parent}/{name}.shp"')
    bad.write_text(text.replace('"pm25.tif"', f'"{world_catalog.parent}/pm25.tif"'), encoding="utf-8")
    result = CliRunner().invoke(main, ["layers", "check", "--catalog", str(bad)], env={"COLUMNS": "300"})
    assert result.exit_code == 1
    assert "field '编号' (our 'id') not in the file" in result.output
    assert "1 of 7 layer(s) could not be loaded" in result.output
