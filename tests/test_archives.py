"""zoning.archive: zipped inputs extracted only into a private folder, zip-slip skipped, bombs refused."""

from __future__ import annotations

import bz2
import os
import resource
import stat
import struct
import time
import tracemalloc
import zipfile
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely

from zoning.archive import (DEFAULT_MAX_BYTES, VECTOR_SUFFIXES, ArchiveError, list_members, member_name, read_head,
                            safe_extract)
from zoning.errors import ZoningError

MB = 1_000_000
ZEROS = b"\0" * (1 << 20)


# ---------------------------------------------------------------- helpers


def _zeros_zip(path: Path, name: str, mib: int, method=zipfile.ZIP_DEFLATED, force_zip64=False) -> Path:
    """A zip whose one member is `mib` MiB of zeros, streamed in (the test never holds it in memory)."""
    with zipfile.ZipFile(path, "w", compression=method, compresslevel=1 if method == zipfile.ZIP_DEFLATED else 9) as zf:
        with zf.open(name, "w", force_zip64=force_zip64) as fh:
            for _ in range(mib):
                fh.write(ZEROS)
    return path


def _forge_size(path: Path, declared: int) -> Path:
    """Rewrite the (only) member's uncompressed size in both headers: the archive now lies about it."""
    data = bytearray(path.read_bytes())
    local = data.find(b"PK\x03\x04")
    central = data.find(b"PK\x01\x02")
    data[local + 22:local + 26] = struct.pack("<L", declared)
    data[central + 24:central + 28] = struct.pack("<L", declared)
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as zf:
        assert zf.infolist()[0].file_size == declared
    return path


@contextmanager
def _measured():
    """Wall time, tracemalloc peak (bytes) and growth of the process's peak RSS (bytes) of the block."""
    numbers = {}
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    tracemalloc.start()
    start = time.perf_counter()
    try:
        yield numbers
    finally:
        numbers["seconds"] = time.perf_counter() - start
        numbers["peak"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        numbers["rss_growth"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - rss_before


def _entries(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


@pytest.fixture
def tmp(tmp_path) -> Path:
    """A temp_dir of our own, so the test sees every folder safe_extract makes (and that it is removed)."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    return folder


# ---------------------------------------------------------------- normal archives


def test_zipped_shapefile_extracts_and_reads(tmp_path, tmp):
    frame = gpd.GeoDataFrame({"名称": ["化工园区", "钢铁厂"], "code": [1, 2]},
                             geometry=[shapely.Point(116.4, 39.9), shapely.Point(117.2, 31.8)], crs="EPSG:4490")
    shp_dir = tmp_path / "shp"
    shp_dir.mkdir()
    pyogrio.write_dataframe(frame, shp_dir / "projects.shp", encoding="UTF-8")
    archive = tmp_path / "projects.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for part in sorted(shp_dir.iterdir()):
            zf.write(part, f"交付/{part.name}")
        zf.writestr("readme.txt", "not needed")
        zf.writestr("__MACOSX/交付/._projects.shp", b"\0\5\26\7")
    with safe_extract(archive, suffixes=VECTOR_SUFFIXES, temp_dir=tmp) as extracted:
        folder = extracted.folder
        assert folder.parent == tmp and folder.is_dir()
        assert oct(folder.stat().st_mode & 0o777) == "0o700"
        assert "交付/projects.shp" in extracted.members and "交付/projects.dbf" in extracted.members
        shp = extracted.find(".shp")
        assert shp == [folder / "交付" / "projects.shp"]
        back = pyogrio.read_dataframe(shp[0])
        assert list(back["名称"]) == ["化工园区", "钢铁厂"]
        assert back.crs.to_epsg() == 4490
        assert ("readme.txt", "file type .txt not needed") in extracted.skipped
        assert extracted.warnings == []  # unwanted and metadata files are left out silently
        assert extracted.total_bytes == sum(p.stat().st_size for p in shp_dir.iterdir())
    assert not folder.exists()
    assert list(tmp.iterdir()) == []


def test_bzip2_lzma_and_stored_members_round_trip(tmp_path, tmp):
    payload = {"a.csv": "编号,名称\n1,项目一\n".encode("utf-8") * 5000, "b.geojson": os.urandom(300_000),
               "c.kml": b"<kml/>" * 100_000}
    archive = tmp_path / "methods.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("a.csv", payload["a.csv"], compress_type=zipfile.ZIP_BZIP2)
        zf.writestr("b.geojson", payload["b.geojson"], compress_type=zipfile.ZIP_STORED)
        zf.writestr("c.kml", payload["c.kml"], compress_type=zipfile.ZIP_LZMA)
    with safe_extract(archive, temp_dir=tmp) as extracted:
        assert extracted.members == ["a.csv", "b.geojson", "c.kml"]
        for name, data in payload.items():
            assert extracted.path(name).read_bytes() == data


# ---------------------------------------------------------------- zip-slip and links


def test_zip_slip_members_and_links_are_skipped_with_warnings(tmp_path, tmp):
    bad = ["../evil.txt", "/abs_zoning_test.txt", "C:\\x.txt", "\\\\server\\share\\x.txt", "d/../../up.txt",
           "...\\dots.txt", "a.txt:stream"]
    archive = tmp_path / "slip.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name in bad:
            zf.writestr(zipfile.ZipInfo(name), b"owned")
        link = zipfile.ZipInfo("link.csv")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
        fifo = zipfile.ZipInfo("pipe.csv")
        fifo.create_system = 3
        fifo.external_attr = (stat.S_IFIFO | 0o644) << 16
        zf.writestr(fifo, b"")
        zf.writestr("ok/data.csv", "id\n1\n")
    before = _entries(tmp_path)
    with safe_extract(archive, temp_dir=tmp) as extracted:
        assert extracted.members == ["ok/data.csv"]
        assert [name for name, _ in extracted.skipped] == bad + ["link.csv", "pipe.csv"]
        assert len(extracted.warnings) == len(bad) + 2
        for name, text in zip(bad + ["link.csv", "pipe.csv"], extracted.warnings):
            assert repr(name) in text and "已跳过成员" in text and "skipped member" in text
        reasons = dict(extracted.skipped)
        assert "zip-slip" in reasons["../evil.txt"] and "absolute" in reasons["/abs_zoning_test.txt"]
        assert "drive-letter" in reasons["C:\\x.txt"] and "network" in reasons["\\\\server\\share\\x.txt"]
        assert "symbolic link" in reasons["link.csv"] and "regular file" in reasons["pipe.csv"]
        # nothing but the private folder appeared, and inside it only the good member
        assert _entries(tmp_path) - before == {f"tmp/{extracted.folder.name}"} | {
            f"tmp/{extracted.folder.name}/{p}" for p in ("ok", "ok/data.csv")}
        assert not any(p.is_symlink() for p in extracted.folder.rglob("*"))
    assert not Path("/abs_zoning_test.txt").exists() and not (tmp_path / "evil.txt").exists()
    assert list(tmp.iterdir()) == []


def test_nested_archives_and_duplicates_are_skipped_with_warnings(tmp_path, tmp):
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("x.csv", "id\n1\n")
    archive = tmp_path / "outer.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(inner, "inner.zip")
        zf.writestr("sites.kmz", b"PK")
        zf.writestr("a.csv", "id\n1\n")
        zf.writestr("./A.CSV", "id\n2\n")
    with safe_extract(archive, temp_dir=tmp) as extracted:
        assert extracted.members == ["a.csv"]
        assert extracted.path("a.csv").read_text() == "id\n1\n"
        reasons = dict(extracted.skipped)
        assert "nested archive" in reasons["inner.zip"] and "nested archive" in reasons["sites.kmz"]
        assert "earlier member" in reasons["./A.CSV"]
        assert len(extracted.warnings) == 3


# ---------------------------------------------------------------- bombs


def test_bomb_over_the_cap_is_refused_at_once(tmp_path, tmp):
    archive = _zeros_zip(tmp_path / "bomb.zip", "zeros.shp", 50)
    assert archive.stat().st_size < 1 * MB
    with _measured() as m, pytest.raises(ArchiveError, match="zip bomb") as caught:
        with safe_extract(archive, max_bytes=10 * MB, temp_dir=tmp):
            pytest.fail("the block must not run")
    assert "压缩炸弹" in str(caught.value) and "max_bytes" in str(caught.value)
    assert isinstance(caught.value, ZoningError)
    assert m["seconds"] < 2 and m["peak"] < 5 * MB and m["rss_growth"] < 200 * MB
    assert list(tmp.iterdir()) == []


def test_bomb_lying_about_its_size_is_cut_off_while_streaming(tmp_path, tmp):
    archive = _forge_size(_zeros_zip(tmp_path / "liar.zip", "zeros.shp", 50), 1000)
    with _measured() as m, pytest.raises(ArchiveError, match="beyond the 1,000 bytes"):
        with safe_extract(archive, max_bytes=10 * MB, temp_dir=tmp):
            pytest.fail("the block must not run")
    assert m["seconds"] < 2 and m["peak"] < 5 * MB and m["rss_growth"] < 200 * MB
    assert list(tmp.iterdir()) == []


@pytest.fixture(scope="module")
def bzip2_bomb(tmp_path_factory) -> Path:
    """100 MiB of zeros as one bzip2 member: a few hundred bytes that zipfile would inflate in one read."""
    path = _zeros_zip(tmp_path_factory.mktemp("bz") / "bz.zip", "zeros.geojson", 100, method=zipfile.ZIP_BZIP2)
    assert path.stat().st_size < 10_000
    return path


def test_bzip2_bomb_is_decompressed_in_bounded_memory(bzip2_bomb, tmp_path, tmp):
    liar = tmp_path / "liar.zip"
    liar.write_bytes(bzip2_bomb.read_bytes())
    _forge_size(liar, 1000)
    with _measured() as m, pytest.raises(ArchiveError, match="possible zip bomb"):
        with safe_extract(liar, temp_dir=tmp):
            pytest.fail("the block must not run")
    assert m["seconds"] < 2 and m["peak"] < 10 * MB and m["rss_growth"] < 200 * MB
    # the honest archive under a cap that allows it streams to disk without holding it in memory
    with _measured() as m, safe_extract(bzip2_bomb, temp_dir=tmp) as extracted:
        assert extracted.path("zeros.geojson").stat().st_size == 100 << 20
    assert m["peak"] < 10 * MB and m["rss_growth"] < 200 * MB
    assert list(tmp.iterdir()) == []


def test_the_cap_option_allows_a_larger_archive(tmp_path, tmp):
    archive = _zeros_zip(tmp_path / "big.zip", "zeros.shp", 50)
    with pytest.raises(ArchiveError, match="over the cap of 50,000,000"):
        with safe_extract(archive, max_bytes=50 * MB, temp_dir=tmp):
            pass
    with safe_extract(archive, max_bytes=60 * MB, temp_dir=tmp) as extracted:
        assert extracted.members == ["zeros.shp"] and extracted.total_bytes == 50 << 20
        assert extracted.path("zeros.shp").stat().st_size == 50 << 20
    with safe_extract(archive, temp_dir=tmp) as extracted:  # well under the default 1 GB
        assert extracted.total_bytes == 50 << 20


def test_default_cap_refuses_a_gigabyte_bomb(tmp_path, tmp):
    started = time.perf_counter()
    archive = _zeros_zip(tmp_path / "giga.zip", "zeros.shp", 1100, force_zip64=True)  # 1.15 GB -> ~5 MB
    built = time.perf_counter() - started
    assert archive.stat().st_size < 10 * MB and built < 10
    with _measured() as m, pytest.raises(ArchiveError, match=f"over the cap of {DEFAULT_MAX_BYTES:,}"):
        with safe_extract(archive, temp_dir=tmp):
            pytest.fail("the block must not run")
    assert m["seconds"] < 1 and m["peak"] < 5 * MB and m["rss_growth"] < 200 * MB


def test_too_many_members_is_refused_before_the_directory_is_parsed(tmp_path, tmp, monkeypatch):
    archive = tmp_path / "many.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for i in range(30):
            zf.writestr(f"{i}.csv", "id\n")
    with pytest.raises(ArchiveError, match="30 entries, over the cap of 10"):
        with safe_extract(archive, max_members=10, temp_dir=tmp):
            pass
    # a forged end record claiming 60,000 entries is refused without zipfile reading the directory
    data = bytearray(archive.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    data[end + 8:end + 12] = struct.pack("<HH", 60_000, 60_000)
    archive.write_bytes(bytes(data))

    def no_parse(*args, **kwargs):
        raise AssertionError("zipfile must not parse a refused directory")

    monkeypatch.setattr(zipfile, "ZipFile", no_parse)
    with pytest.raises(ArchiveError, match="60,000 entries"):
        with safe_extract(archive, temp_dir=tmp):
            pass
    assert list(tmp.iterdir()) == []


# ---------------------------------------------------------------- names, damage, clean-up


def test_gbk_member_names_from_chinese_windows_decode(tmp_path, tmp):
    archive = tmp_path / "gbk.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("QQQQ/WWWW.csv", "id\n1\n")      # placeholders of the GBK names' byte lengths
        zf.writestr("Cafe.csv", "id\n2\n")           # patched below to cp437 'Café', which is not GBK
        zf.writestr("红线.csv", "id\n3\n")           # written as UTF-8 with the flag set: stays as is
    data = archive.read_bytes()
    data = data.replace(b"QQQQ", "数据".encode("gbk")).replace(b"WWWW", "项目".encode("gbk"))
    data = data.replace(b"Cafe.csv", b"Caf\x82.csv")
    archive.write_bytes(data)
    with zipfile.ZipFile(archive) as zf:
        info = zf.infolist()[0]
        assert not info.flag_bits & 0x800 and info.filename != "数据/项目.csv"  # zipfile shows mojibake
        assert member_name(info) == "数据/项目.csv"
    with safe_extract(archive, temp_dir=tmp) as extracted:
        # a cp437 name that is not GBK stays as zipfile read it
        assert extracted.members == ["数据/项目.csv", "Caf\u00e9.csv", "红线.csv"]
        assert (extracted.folder / "数据" / "项目.csv").read_text() == "id\n1\n"
        assert extracted.path("红线.csv").read_text() == "id\n3\n"


def test_damaged_member_and_bad_zip_are_archive_errors(tmp_path, tmp):
    archive = tmp_path / "damaged.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("a.csv", "id,名称\n1,项目\n" * 100)
    data = bytearray(archive.read_bytes())
    at = data.find(b"id,")
    data[at] ^= 0xFF
    archive.write_bytes(bytes(data))
    with pytest.raises(ArchiveError, match="is damaged"):
        with safe_extract(archive, temp_dir=tmp):
            pass
    not_zip = tmp_path / "fake.zip"
    not_zip.write_text("just text")
    with pytest.raises(ArchiveError, match="not a readable zip archive"):
        with safe_extract(not_zip, temp_dir=tmp):
            pass
    with pytest.raises(ArchiveError, match="cannot open the archive"):
        with safe_extract(tmp_path / "missing.zip", temp_dir=tmp):
            pass
    assert list(tmp.iterdir()) == []


def test_nothing_readable_is_an_archive_error(tmp_path, tmp):
    archive = tmp_path / "docs.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("readme.txt", "see attached")
        zf.writestr("../evil.shp", "x")
    with pytest.raises(ArchiveError, match="holds nothing usable") as caught:
        with safe_extract(archive, suffixes=VECTOR_SUFFIXES, temp_dir=tmp):
            pass
    assert "压缩包中没有可用的文件" in str(caught.value) and "readme.txt" in str(caught.value)
    assert list(tmp.iterdir()) == []


def test_temp_folder_is_removed_after_an_error_in_the_block(tmp_path, tmp):
    archive = tmp_path / "ok.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("a.csv", "id\n1\n")
    with pytest.raises(RuntimeError):
        with safe_extract(archive, temp_dir=tmp) as extracted:
            folder = extracted.folder
            assert folder.is_dir()
            raise RuntimeError("reader failed")
    assert not folder.exists() and list(tmp.iterdir()) == []


def test_list_members_and_read_head_sniff_without_extracting(bzip2_bomb, tmp_path):
    archive = tmp_path / "sniff.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("../evil.dbf", b"x")
        zf.writestr("交付/项目.dbf", b"\x03" + b"\0" * 40 + "红线".encode("gbk") * 1000)
        zf.writestr("交付/项目.cpg", "GBK")
    assert list_members(archive) == ["交付/项目.dbf", "交付/项目.cpg"]
    assert list_members(archive, {".cpg"}) == ["交付/项目.cpg"]
    assert list_members(archive, {".shp"}) == []
    assert read_head(archive, "交付/项目.dbf", 45) == b"\x03" + b"\0" * 40 + "红线".encode("gbk")
    assert read_head(archive, "交付/项目.cpg", 1000) == b"GBK"
    with pytest.raises(KeyError):
        read_head(archive, "../evil.dbf", 10)
    # the first 4 MB of a bzip2 bomb member, which zipfile would inflate whole (100 MiB) in its first read
    with _measured() as m:
        head = read_head(bzip2_bomb, "zeros.geojson", 4_000_000)
    assert head == b"\0" * 4_000_000
    assert m["seconds"] < 1 and m["peak"] < 15 * MB
