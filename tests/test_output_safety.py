"""Output safety: formula-like text is neutralised in CSV/XLSX, the XLSX never holds formulas or XML-illegal
characters, the GeoPackage keeps text as is, outputs are staged and renamed into place (atomic), and the
PostGIS sink swaps its table in one transaction."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import uuid
import zipfile

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest
import shapely

import zoning.atomic
from screening import output, sink
from screening.output import stage_outputs, write_csv, write_gpkg, write_outputs, write_xlsx
from screening.xlsx import neutralise_formulas

RISKY = ["=1+1", "+SUM(A1)", "-2+3+cmd|' /C calc'!A0", "@SUM(1)", "\tx", "\rx", "-12.5"]
SAFE = ["a=b", "甲<&>", "", "'=already", " =lead space"]


def _results(n_extra: int = 0) -> gpd.GeoDataFrame:
    text = RISKY + SAFE + [None]
    n = len(text)
    frame = pd.DataFrame({
        "id": [f"P{i}" for i in range(n)],
        "user_note": pd.array(text, dtype="string"),         # the user's own column, carried through
        "lon": pd.array(["-12.5"] * n, dtype="string"),       # numbers as text: text, so quoted
        "distance": np.linspace(-12.5, 3.0, n),               # a float column: a number, never quoted
        "count": np.arange(-3, n - 3),                        # an int column: a number
        "ok": [True, False] * (n // 2) + [True] * (n % 2),
        "decision": ["review"] * n,
        "=header": ["x"] * n,                                 # a user's column name is a text cell too
    })
    return gpd.GeoDataFrame(frame, geometry=[shapely.Point(106.5, 29.5)] * n, crs="EPSG:4490")


def _quoted(value):
    return None if value is None else ("'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value)


def test_neutralise_formulas_is_vectorised_and_keeps_nulls():
    import pyarrow as pa

    got = neutralise_formulas(pa.array(RISKY + SAFE + [None])).to_pylist()
    assert got == [_quoted(v) for v in RISKY + SAFE + [None]]
    assert all(g.startswith("'") for g in got[:len(RISKY)])


def test_csv_quotes_text_cells_not_numbers(tmp_path):
    results = _results()
    write_csv(output._table(results), tmp_path / "r.csv")
    back = pd.read_csv(tmp_path / "r.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(back.columns) == ["id", "user_note", "lon", "distance", "count", "ok", "decision", "'=header"]
    expected = [_quoted(v) or "" for v in RISKY + SAFE + [None]]
    assert list(back["user_note"]) == expected
    assert set(back["lon"]) == {"'-12.5"}
    assert back["distance"].iloc[0] == "-12.5" and back["count"].iloc[0] == "-3"  # numbers stay numbers
    assert set(back["ok"]) == {"True", "False"}


def test_xlsx_quotes_text_and_never_writes_formulas(tmp_path):
    results = _results()
    write_xlsx(output._table(results), tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx").active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][-1] == "'=header"
    assert [r[1] for r in rows[1:]] == [_quoted(v) for v in RISKY + SAFE + [None]]
    assert {r[2] for r in rows[1:]} == {"'-12.5"}
    assert rows[1][3] == -12.5 and rows[1][4] == -3                        # numeric cells
    with zipfile.ZipFile(tmp_path / "r.xlsx") as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet                      # no formula element at all
    kinds = set(re.findall(r'<c r="[A-Z]+\d+"( t="\w+")?', sheet))
    assert kinds <= {' t="s"', ' t="b"', ""}                             # shared strings, booleans, numbers
    text_col = re.findall(r'<c r="B\d+"( t="\w+")?', sheet)
    assert set(text_col) == {' t="s"'}


def test_xlsx_survives_xml_illegal_characters(tmp_path):
    table = pd.DataFrame({"t": pd.array(["a\x00b\x1fc", "\x01=cmd", "x\ufffey\uffff", "one\rtwo\nthree\tfour",
                                          "_x0041_ literal"], dtype="string")})
    write_xlsx(table, tmp_path / "c.xlsx")
    got = [r[0] for r in openpyxl.load_workbook(tmp_path / "c.xlsx").active.iter_rows(min_row=2, values_only=True)]
    # illegal characters removed (then the text is checked for a formula start), CR/LF/tab kept
    assert got == ["abc", "'=cmd", "xy", "one\rtwo\nthree\tfour", "_x0041_ literal"]
    with zipfile.ZipFile(tmp_path / "c.xlsx") as zf:
        strings = zf.read("xl/sharedStrings.xml").decode()
    assert "_x005F_x0041_" in strings                                    # Excel would otherwise decode _x0041_


def test_gpkg_keeps_text_exactly(tmp_path):
    results = _results()
    results["user_note"] = results["user_note"].astype(object)
    results.loc[0, "user_note"] = "=cmd\x01\t\r\n甲"
    write_gpkg(results, tmp_path / "r.gpkg")
    back = pyogrio.read_dataframe(tmp_path / "r.gpkg")
    assert list(back["user_note"].fillna("<NA>")) == list(results["user_note"].fillna("<NA>"))
    assert "=header" in back.columns and set(back["lon"]) == {"-12.5"}


def test_gpkg_in_wal_mode_is_self_contained(tmp_path):
    pyogrio.set_gdal_config_options({"OGR_SQLITE_JOURNAL": "WAL"})
    try:
        write_gpkg(_results(), tmp_path / "w.gpkg")
    finally:
        pyogrio.set_gdal_config_options({"OGR_SQLITE_JOURNAL": None})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.gpkg"]
    with sqlite3.connect(tmp_path / "w.gpkg") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal"


# ---------------------------------------------------------------------------------------------- atomic outputs

FINALS = ["results.csv", "results.gpkg", "results.xlsx", "summary.json"]


def test_stage_writes_only_temporary_names_until_commit(tmp_path):
    staged = stage_outputs(_results(), tmp_path, {"run": "new"})
    names = sorted(p.name for p in tmp_path.iterdir())
    assert not set(names) & set(FINALS)
    assert all(n.startswith(zoning.atomic.TEMP_PREFIX) for n in names) and len(names) == 3
    written = staged.commit()
    assert list(written) == ["csv", "xlsx", "gpkg", "summary"]
    assert sorted(p.name for p in tmp_path.iterdir()) == FINALS
    assert json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))["run"] == "new"


def test_commit_order_and_summary_last(tmp_path, monkeypatch):
    write_outputs(_results(), tmp_path, {"run": "old"})
    staged = stage_outputs(_results(), tmp_path, {"run": "new"})
    tmp_map = zoning.atomic.temp_name(tmp_path / "map.html")
    tmp_map.write_text("<html></html>")
    staged.add("map", tmp_path / "map.html", tmp_map)
    renames, real = [], os.replace

    def recording(src, dst):
        renames.append((os.path.basename(dst), (tmp_path / "summary.json").exists()))
        return real(src, dst)

    monkeypatch.setattr(zoning.atomic.os, "replace", recording)
    written = staged.commit()
    assert [r[0] for r in renames] == ["results.csv", "results.xlsx", "results.gpkg", "map.html", "summary.json"]
    assert not any(had_summary for _, had_summary in renames)   # the old summary goes first, the new one last
    assert written["map"] == tmp_path / "map.html" and list(written)[-1] == "summary"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(FINALS + ["map.html"])


def test_failed_rerun_leaves_previous_outputs_untouched(tmp_path, monkeypatch):
    write_outputs(_results(), tmp_path, {"run": "old"})
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def broken(results, path):
        path.write_bytes(b"half a geopackage")
        raise RuntimeError("disk full")

    monkeypatch.setattr(output, "write_gpkg", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        write_outputs(_results(), tmp_path, {"run": "new"})
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before    # no temp files, old files intact


def test_discard_and_context_manager_remove_temporaries(tmp_path):
    with stage_outputs(_results(), tmp_path, formats=("csv",)) as staged:
        assert len(list(tmp_path.iterdir())) == 1
    assert list(tmp_path.iterdir()) == []
    staged = stage_outputs(_results(), tmp_path, formats=("csv", "xlsx"))
    staged.discard()
    assert list(tmp_path.iterdir()) == []


def test_rerun_with_fewer_formats_removes_stale_outputs(tmp_path):
    write_outputs(_results(), tmp_path)
    (tmp_path / "map.html").write_text("old map")
    (tmp_path / "notes.txt").write_text("the user's own file")
    written = write_outputs(_results(), tmp_path, formats=("csv",))
    assert list(written) == ["csv", "summary"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "results.csv", "summary.json"]


def test_leftovers_of_a_killed_run_are_removed(tmp_path):
    for name in ("results.csv", "results.gpkg", "results.gpkg-journal", "summary.json"):
        (tmp_path / f"{zoning.atomic.TEMP_PREFIX}{uuid.uuid4().hex[:8]}-{name}").write_text("partial")
    (tmp_path / ".partial-notmine.txt").write_text("keep")
    write_outputs(_results(), tmp_path, formats=("csv",))
    assert sorted(p.name for p in tmp_path.iterdir()) == [".partial-notmine.txt", "results.csv", "summary.json"]


def test_write_outputs_return_value_unchanged(tmp_path):
    written = write_outputs(_results(), tmp_path / "new" / "folder", {"k": 1})
    assert written == {"csv": tmp_path / "new/folder/results.csv", "xlsx": tmp_path / "new/folder/results.xlsx",
                       "gpkg": tmp_path / "new/folder/results.gpkg", "summary": tmp_path / "new/folder/summary.json"}
    assert pyogrio.read_info(written["gpkg"], layer="results")["features"] == len(_results())


# ------------------------------------------------------------------------------------------- PostGIS table swap

def test_temp_table_names_fit_postgres_identifiers():
    name = sink.temp_table("长" * 40)
    assert len(name.encode("utf-8")) <= 63 and "_partial_" in name
    assert sink.temp_table("results") != sink.temp_table("results")


@pytest.fixture(scope="module")
def plain_postgres():
    """A throw-away PostgreSQL (no PostGIS needed) from tests/test_postgis.py's Cluster."""
    pytest.importorskip("sqlalchemy")
    pytest.importorskip("psycopg")
    from tests.test_postgis import Cluster, _pg_bin

    bin_dir = _pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed (no initdb/pg_ctl)")
    cluster = Cluster(bin_dir)
    try:
        cluster.start()
        with cluster.connect("postgres") as conn:
            conn.execute("CREATE DATABASE zoning_test")
        yield cluster
    finally:
        cluster.stop()


def test_swap_replaces_table_and_index_in_one_transaction(plain_postgres):
    import sqlalchemy
    from sqlalchemy import text
    from tests.test_postgis import PASSWORD

    engine = sqlalchemy.create_engine(
        f"postgresql+psycopg://zoning:{PASSWORD}@127.0.0.1:{plain_postgres.port}/zoning_test")
    staging = sink.temp_table("results")
    q = '"out"."results"'
    with engine.begin() as conn:
        conn.execute(text('CREATE SCHEMA "out"; CREATE TABLE "out"."results" (v int); '
                          'INSERT INTO "out"."results" VALUES (1); CREATE INDEX idx_results_v ON "out"."results" (v)'))
    # a failed transaction leaves the old table whole and no staging table
    with pytest.raises(RuntimeError), engine.begin() as conn:
        conn.execute(text(f'CREATE TABLE "out"."{staging}" (v int); INSERT INTO "out"."{staging}" VALUES (2), (3); '
                          f'CREATE INDEX "idx_{staging}_v" ON "out"."{staging}" (v)'))
        sink._swap(conn, "out", staging, "results", q)
        raise RuntimeError("interrupted")
    with engine.connect() as conn:
        assert conn.execute(text(f"SELECT v FROM {q}")).scalars().all() == [1]
        assert conn.execute(text(f"SELECT to_regclass('\"out\".\"{staging}\"')")).scalar() is None
    with engine.begin() as conn:
        conn.execute(text(f'CREATE TABLE "out"."{staging}" (v int); INSERT INTO "out"."{staging}" VALUES (2), (3); '
                          f'CREATE INDEX "idx_{staging}_v" ON "out"."{staging}" (v)'))
        sink._swap(conn, "out", staging, "results", q)
    with engine.connect() as conn:
        assert sorted(conn.execute(text(f"SELECT v FROM {q}")).scalars().all()) == [2, 3]
        indexes = conn.execute(text("SELECT indexname FROM pg_indexes WHERE schemaname = 'out'")).scalars().all()
        assert indexes == ["idx_results_v"]
        tables = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'out'")).scalars().all()
        assert tables == ["results"]
    engine.dispose()
