"""Robustness suite: the seeded bad-input corpus (built once per session into a tmp folder), the demo layers and
rules loaded once, the `zoning screen` subprocess, and the properties every screened row must satisfy."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from . import corpus as corpus_mod

REPO = corpus_mod.REPO
DEMO_CATALOG = corpus_mod.DEMO_CATALOG
DECISIONS = corpus_mod.DECISIONS
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    return corpus_mod.build(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="session")
def layers():
    from zoning.layers import load_layers

    return load_layers(DEMO_CATALOG)


@pytest.fixture(scope="session")
def rules():
    from screening.rules import load_rules

    return load_rules()


# ---------------------------------------------------------------- the command


@dataclass
class Run:
    args: list
    returncode: int
    stdout: str
    stderr: str
    out: Path

    def describe(self) -> str:
        return f"exit {self.returncode}; stderr: {self.stderr[-2000:]}"


def run_cli(*args, out: Path, cwd: Path | None = None, timeout: float = 300) -> Run:
    """`python -m screening.cli screen ...` as a user runs it: its exit code, stdout and stderr."""
    argv = [sys.executable, "-m", "screening.cli", "screen", *map(str, args), "-o", str(out)]
    env = {"COLUMNS": "200", "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"),
           "PYTHONPATH": str(REPO)}
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=str(cwd or REPO), timeout=timeout)
    return Run(argv, proc.returncode, proc.stdout, proc.stderr, out)


def no_traceback(run: Run) -> None:
    assert "Traceback (most recent call last)" not in run.stderr + run.stdout, run.describe()


# ---------------------------------------------------------------- results as one table


def cli_results(out: Path) -> pd.DataFrame:
    """results.csv as text, with lon/lat of each row's geometry from results.gpkg (NaN without one)."""
    import pyogrio

    table = pd.read_csv(out / "results.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    gpkg = pyogrio.read_dataframe(out / "results.gpkg", layer="results")
    assert len(gpkg) == len(table), (len(gpkg), len(table))
    return _with_points(table, gpkg.geometry.to_numpy())


def api_results(results) -> pd.DataFrame:
    """A screen() GeoDataFrame as the same text table cli_results gives."""
    table = pd.DataFrame(results.drop(columns=results.geometry.name)).astype(object)
    table = table.where(table.notna(), "").astype(str)
    return _with_points(table.reset_index(drop=True), results.geometry.to_numpy())


def _with_points(table: pd.DataFrame, geoms) -> pd.DataFrame:
    import shapely

    geoms = np.asarray(geoms, dtype=object)
    usable = ~shapely.is_missing(geoms)
    usable[usable] &= ~shapely.is_empty(geoms[usable])
    lon = np.full(len(geoms), np.nan)
    lat = np.full(len(geoms), np.nan)
    if usable.any():
        pts = shapely.centroid(geoms[usable])
        lon[usable], lat[usable] = shapely.get_x(pts), shapely.get_y(pts)
    return table.assign(_lon=lon, _lat=lat)


# ---------------------------------------------------------------- properties


def _fmt(bad: list, limit: int = 12) -> str:
    head = "\n  ".join(map(str, bad[:limit]))
    more = f"\n  … {len(bad) - limit} more" if len(bad) > limit else ""
    return f"{len(bad)} row(s):\n  {head}{more}"


def check_order(table: pd.DataFrame, rows: list) -> None:
    """rows out = rows in, same order, same row keys (and the `id` column as written)."""
    want = [r.rk for r in rows]
    got = list(table["rk"]) if "rk" in table else None
    assert got is not None, f"no rk column in the results: {list(table.columns)[:20]}"
    assert len(got) == len(want), f"{len(got)} rows out for {len(want)} in; missing {sorted(set(want) - set(got))[:10]}"
    moved = [(i, w, g) for i, (w, g) in enumerate(zip(want, got)) if w != g]
    assert not moved, "rows out of order / lost:\n" + _fmt(moved)


def check_decisions(table: pd.DataFrame, rows: list) -> None:
    """Every row has a decision from the vocabulary, and every invalid row says why."""
    odd = [(r.rk, r.cls, d) for r, d in zip(rows, table["decision"]) if d not in DECISIONS]
    assert not odd, "decisions outside the vocabulary: " + _fmt(odd)
    silent = [(r.rk, r.cls) for r, d, e in zip(rows, table["decision"], table["error"])
              if d == "invalid" and not str(e).strip()]
    assert not silent, "invalid rows without an error: " + _fmt(silent)


def check_expectations(table: pd.DataFrame, rows: list) -> None:
    """must_invalid -> invalid; never_admissible -> not admissible; expect_decision; duplicates warned."""
    bad = []
    for r, (_, res) in zip(rows, table.iterrows()):
        d = res["decision"]
        short = {k: str(v)[:40] for k, v in r.cells.items() if k in ("sector", "construction", "lon", "lat", "wkt",
                                                                    "坐标系", "x", "y") and v != ""}
        if r.must_invalid and d != "invalid":
            bad.append((r.rk, r.cls, "must be invalid, is " + d, short))
        if r.never_admissible and d == "admissible":
            bad.append((r.rk, r.cls, "unknown fact yet admissible", short))
        if r.expect_decision and d != r.expect_decision and d != "invalid":
            bad.append((r.rk, r.cls, f"expected {r.expect_decision}, is {d}", short))
        if r.dup and not str(res.get("warnings", "")).strip():
            bad.append((r.rk, r.cls, "duplicate id without a warning", short))
    assert not bad, _fmt(bad)


def check_points(table: pd.DataFrame, rows: list) -> None:
    """A location that was read lands where it was meant to be (a 'fixed' cell is never silently wrong)."""
    bad = []
    for r, lon, lat, d in zip(rows, table["_lon"], table["_lat"], table["decision"]):
        if r.expect_point is None or d == "invalid":
            continue
        elon, elat, tol = r.expect_point
        if not (abs(lon - elon) <= tol and abs(lat - elat) <= tol):
            cells = {k: r.cells[k] for k in ("lon", "lat", "x", "y", "坐标系") if r.cells.get(k)}
            bad.append((r.rk, r.cls, cells, f"read as ({lon:.6f}, {lat:.6f}), expected ({elon:.6f}, {elat:.6f})"))
    assert not bad, "locations misread: " + _fmt(bad)


def check_shifted(table: pd.DataFrame, rows: list) -> None:
    """GCJ-02/BD-09 rows are moved (by tens to hundreds of metres), not read as CGCS2000."""
    bad = []
    for r, lon, lat, d in zip(rows, table["_lon"], table["_lat"], table["decision"]):
        if r.cls == "crs_hint_shifted" and d != "invalid":
            raw_lon, raw_lat = float(r.cells["lon"]), float(r.cells["lat"])
            if abs(lon - raw_lon) + abs(lat - raw_lat) < 1e-4:
                bad.append((r.rk, r.cells["坐标系"], "not converted"))
    assert not bad, _fmt(bad)


def check_text_kept(table: pd.DataFrame, rows: list, columns=("name", "id")) -> None:
    """The input's own text cells come out as written (a formula cell may gain a leading ')."""
    bad = []
    for r, (_, res) in zip(rows, table.iterrows()):
        for col in columns:
            if col not in r.cells or col not in table:
                continue
            want, got = str(r.cells[col]), str(res[col])
            if got not in (want, "'" + want) and got.replace("\r\n", "\n") not in (want.replace("\r\n", "\n"),
                                                                               "'" + want.replace("\r\n", "\n")):
                bad.append((r.rk, r.cls, col, repr(want[:40]), repr(got[:40])))
    assert not bad, "text changed: " + _fmt(bad)


def unescaped_formulas(cells) -> list:
    """Text cells that a spreadsheet would run as a formula (start with = + - @ TAB CR and no leading ')."""
    bad = []
    for value in cells:
        if not isinstance(value, str) or not value or not value.startswith(FORMULA_START):
            continue
        try:
            float(value)  # -3.5, +1, -inf: numbers, not formulas
            continue
        except ValueError:
            bad.append(value[:50])
    return bad


def check_csv_formulas(out: Path) -> None:
    table = pd.read_csv(out / "results.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    cells = list(table.columns) + [v for col in table.columns for v in table[col]]
    bad = unescaped_formulas(cells)
    assert not bad, "results.csv: formula cells not neutralised: " + _fmt(sorted(set(bad)))


def check_xlsx_formulas(out: Path) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(out / "results.xlsx", read_only=True)
    formulas, texts = [], []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    formulas.append(str(cell.value)[:50])
                elif cell.data_type in ("s", "inlineStr") or isinstance(cell.value, str):
                    texts.append(cell.value)
    wb.close()
    assert not formulas, "results.xlsx holds formula cells: " + _fmt(sorted(set(formulas)))
    bad = unescaped_formulas(texts)
    assert not bad, "results.xlsx: text cells starting like a formula without a leading ': " + _fmt(sorted(set(bad)))


ROW_CHECKS = {"order": check_order, "decisions": check_decisions, "expectations": check_expectations,
              "points": check_points, "shifted": check_shifted}


def rows_by_rk(table: pd.DataFrame, rows: list) -> tuple[pd.DataFrame, list]:
    """The results aligned to `rows` by row key (for checks after check_order failed)."""
    index = {rk: i for i, rk in enumerate(table["rk"])} if "rk" in table else {}
    keep = [r for r in rows if r.rk in index]
    return table.iloc[[index[r.rk] for r in keep]].reset_index(drop=True), keep


def payload_marks(html: str) -> list:
    """Payloads from data that a template or the browser would run in map.html."""
    found = []
    mark = re.escape(corpus_mod.MARK)
    if re.search(mark + r"49", html):
        found.append("{{7*7}} rendered as 49")
    for raw in ("</script><script>alert(1)", "<img src=x onerror=alert(1)>"):
        if corpus_mod.MARK + raw in html:
            found.append(f"unescaped {raw!r}")
    if re.search(mark + r"(?:</?script|<img)", html, flags=re.I):
        found.append("an unescaped tag right after a data marker")
    return found
