"""Zipped catalog layers are read through zoning.archive.safe_extract, never handed to GDAL's /vsizip/:
zip-slip members are skipped with a note, a zip bomb is refused with one line naming the entry, and a zip
holding several layers needs `layer` (issue 10, item 7)."""

from __future__ import annotations

import zipfile

import pytest

import zoning_world as w
from zoning.errors import LayerError
from zoning.layers import check_layers, load_layers

_RED = 'path = "红线.shp"\n'


@pytest.fixture
def world(tmp_path, world_catalog):
    return w.copy_world(world_catalog, tmp_path)


def _zip_redline(world, name="red.zip", extra=()):
    """The world's red-line shapefile zipped as `name`, plus (member, bytes) extras."""
    with zipfile.ZipFile(world / name, "w", zipfile.ZIP_DEFLATED) as zf:
        for part in sorted(world.glob("红线.*")):
            zf.write(part, part.name)
        for member, data in extra:
            zf.writestr(member, data)
    return world / name


def test_zipped_redline_loads_like_the_shapefile(world, world_layers):
    _zip_redline(world)
    layers = load_layers(w.edited_catalog(world, _RED, 'path = "red.zip"\n'))
    assert sorted(layers.frame("redline")["id"]) == sorted(world_layers.frame("redline")["id"])


def test_zip_slip_member_of_a_layer_is_skipped_with_a_note(world, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    _zip_redline(world, extra=[(f"../../../../../../{outside.name}/evil.shp", b"x"), ("/abs.prj", b"y")])
    path = w.edited_catalog(world, _RED, 'path = "red.zip"\n')
    report = next(r for r in check_layers(path) if r.role == "redline")
    assert not report.failed
    notes = " ".join(report.notes)
    assert "zip-slip" in notes and "evil.shp" in notes and "absolute path" in notes
    assert not (outside / "evil.shp").exists() and not any(outside.iterdir())


def test_zip_bomb_layer_is_refused_naming_the_entry(world, monkeypatch):
    import zoning.vector as vector

    _zip_redline(world, extra=[("zeros.dbf", b"\0" * 3_000_000)])
    path = w.edited_catalog(world, _RED, 'path = "red.zip"\n')
    real = vector.safe_extract
    monkeypatch.setattr(vector, "safe_extract", lambda p, **kw: real(p, max_bytes=1_000_000, **kw))
    with pytest.raises(LayerError, match=r"c.toml line \d+ \(role redline, red.zip\): .*over the cap of 1,000,000; refused"):
        load_layers(path)


def test_zip_with_two_layers_needs_layer(world):
    _zip_redline(world)
    with zipfile.ZipFile(world / "red.zip", "a") as zf:
        for part in sorted(world.glob("管控单元.*")):
            zf.write(part, part.name)
    path = w.edited_catalog(world, _RED, 'path = "red.zip"\n')
    with pytest.raises(LayerError, match=r"several vector files \(.*红线.shp.*管控单元.shp.*\); set layer"):
        load_layers(path)
    path = w.edited_catalog(world, _RED, 'path = "red.zip"\nlayer = "红线"\n')
    assert len(load_layers(path).frame("redline"))


def test_zip_without_vector_file(world):
    with zipfile.ZipFile(world / "red.zip", "w") as zf:
        zf.writestr("readme.txt", "nothing")
    path = w.edited_catalog(world, _RED, 'path = "red.zip"\n')
    with pytest.raises(LayerError, match="red.zip"):
        load_layers(path)
