"""Hypothesis properties over generated project rows: written as a CSV, read with read_projects, screened with
screen() on the demo layers (loaded once per session), written with write_outputs. Whatever the cells hold:
every row comes out in order with a decision, invalid rows say why, a row with an unknown needed fact is never
admissible, a readable location lands where it was meant, and no output cell runs as a formula."""

from __future__ import annotations

import csv
import math
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from . import corpus as corpus_mod
from .conftest import (api_results, check_csv_formulas, check_decisions, check_expectations, check_order,
                       check_points, check_text_kept, check_xlsx_formulas)

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])

#: The demo coverage (Chongqing) and a margin: a site outside this box cannot be inside the coverage.
COVER = (105.28, 28.16, 110.20, 32.21)
KNOWN_SECTORS = ("3911", "C3911", "1391", "3670", "2614", "C2614", "3011", "3110", "4812", "Ｃ３９１１", " 3911 ", "3911.0")
UNKNOWN_SECTORS = ("3098", "810", "abc", "", "9999", "0000", "39111", "C", "=1+1", "{{7*7}}")
KNOWN_CONSTRUCTION = ("新建", "扩建", "改建", "技术改造", "迁建", "new", "Expansion", "RELOCATION", "新建项目")
UNKNOWN_CONSTRUCTION = ("新造", "build", "", "???", "拆除", "@SUM(1)", "<img src=x onerror=alert(1)>")
SYSTEMS_SAME = ("", "CGCS2000", "wgs84", "WGS-84")

TEXT = st.text(max_size=60)
PAYLOAD_TEXT = st.one_of(TEXT, st.sampled_from(corpus_mod.PAYLOADS + corpus_mod.FORMULAS),
                         st.builds(lambda a, b: a + b, st.sampled_from(corpus_mod.FORMULAS[:4] + ("=", "+", "-", "@")),
                                   TEXT))


def _number_text(x: float) -> str:
    return repr(x) if not math.isfinite(x) else f"{x:.7f}"


@st.composite
def rows(draw):
    """One row: text anywhere, a site that is inside, outside or garbage, known or unknown words."""
    where = draw(st.sampled_from(("inside", "anywhere", "garbage", "swapped")))
    if where == "inside":
        lon = draw(st.floats(106.35, 106.75))
        lat = draw(st.floats(29.40, 29.75))
        cells = (_number_text(lon), _number_text(lat))
    elif where == "swapped":
        lon = draw(st.floats(106.35, 106.75))
        lat = draw(st.floats(29.40, 29.75))
        cells = (_number_text(lat), _number_text(lon))
    elif where == "anywhere":
        lon = draw(st.floats(allow_nan=True, allow_infinity=True))
        lat = draw(st.floats(allow_nan=True, allow_infinity=True))
        cells = (_number_text(lon), _number_text(lat))
    else:
        lon = lat = math.nan
        cells = (draw(PAYLOAD_TEXT), draw(PAYLOAD_TEXT))
    sector_known = draw(st.booleans())
    sector = draw(st.sampled_from(KNOWN_SECTORS if sector_known else UNKNOWN_SECTORS))
    construction_known = draw(st.booleans())
    construction = draw(st.sampled_from(KNOWN_CONSTRUCTION if construction_known else UNKNOWN_CONSTRUCTION))
    system = draw(st.sampled_from(SYSTEMS_SAME))
    inside = _in_cover(lon, lat) or _in_cover(lat, lon)  # a swapped pair is put right by the reader
    return {
        "cells": {"id": draw(PAYLOAD_TEXT), "name": draw(PAYLOAD_TEXT), "sector": sector,
                  "construction": construction, "lon": cells[0], "lat": cells[1], "坐标系": system,
                  "process": draw(st.sampled_from(("", "粉磨站", "电炉", "{{7*7}}", "=1+1"))),
                  "所在园区": draw(PAYLOAD_TEXT)},
        # garbage cells may spell a legal location by chance ("106", "29"): only their words count then
        "never_admissible": not (sector_known and construction_known) or (where == "anywhere" and not inside),
        "point": (lon, lat) if where in ("inside", "swapped") else None,
    }


def _in_cover(lon: float, lat: float) -> bool:
    return math.isfinite(lon) and math.isfinite(lat) and COVER[0] <= lon <= COVER[2] and COVER[1] <= lat <= COVER[3]


def _as_corpus_rows(drawn: list[dict]) -> list:
    return [corpus_mod.Row(cells={"rk": f"K{i:03d}", **d["cells"]}, cls="hypothesis",
                           never_admissible=d["never_admissible"],
                           expect_point=None if d["point"] is None else (*d["point"], 1e-6))
            for i, d in enumerate(drawn)]


def _write_csv(path: Path, rows: list) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(corpus_mod.COLUMNS)
        for r in rows:
            writer.writerow([r.cells.get(c, "") for c in corpus_mod.COLUMNS])


def _screen_rows(rows, layers, rules, folder: Path):
    from screening.projects import read_projects
    from screening.screen import screen

    path = folder / "p.csv"
    _write_csv(path, rows)
    return screen(read_projects(path), layers, rules)


def _screen_and_check(rows, layers, rules):
    """Screen corpus rows in a temporary folder; check order, decisions and expectations; (results, table)."""
    with tempfile.TemporaryDirectory() as tmp:
        results = _screen_rows(rows, layers, rules, Path(tmp))
    table = api_results(results)
    check_order(table, rows)
    check_decisions(table, rows)
    check_expectations(table, rows)
    return results, table


@settings(SETTINGS, max_examples=60)
@given(drawn=st.lists(rows(), min_size=1, max_size=12))
def test_generated_rows_keep_every_property(drawn, layers, rules):
    rows = _as_corpus_rows(drawn)
    _, table = _screen_and_check(rows, layers, rules)
    check_points(table, rows)


@SETTINGS
@given(drawn=st.lists(rows(), min_size=1, max_size=6))
def test_generated_text_survives_and_never_runs_in_outputs(drawn, layers, rules):
    from screening.output import write_outputs

    rows = _as_corpus_rows(drawn)
    with tempfile.TemporaryDirectory() as tmp:
        results = _screen_rows(rows, layers, rules, Path(tmp))
        check_text_kept(api_results(results), rows)
        out = Path(tmp) / "out"
        write_outputs(results, out, formats=("csv", "xlsx"))
        check_csv_formulas(out)
        check_xlsx_formulas(out)


STANDARD_DMS = ("°", "′", "″")


@st.composite
def dms_rows(draw):
    """A site in Chongqing spelled in DMS with a random choice of symbols and spacing."""
    lon, lat = draw(st.floats(106.0, 108.0)), draw(st.floats(29.0, 31.0))
    style = draw(st.sampled_from((STANDARD_DMS, ("°", "'", '"'), ("度", "分", "秒"), (" ", " ", ""),
                                  ("° ", "′ ", "″"), (":", ":", ""))))

    def spell(v):
        d, m, s = corpus_mod._dms(v)
        return f"{d}{style[0]}{m}{style[1]}{s:.4f}{style[2]}"

    return spell(lon), spell(lat), lon, lat, style == STANDARD_DMS


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(sites=st.lists(dms_rows(), min_size=1, max_size=10))
def test_dms_is_read_right_or_refused(sites):
    """A DMS cell in any usual spelling is read to within 0.04″ or refused with an error, never misread; the
    README's own spelling (106°33′12.5″) is always read."""
    from screening.projects import read_projects

    rows = [corpus_mod.Row(cells={"rk": f"D{i}", "id": f"D{i}", "sector": "3911", "construction": "新建", "lon": a,
                                  "lat": b}, cls="dms", expect_point=(lon, lat, 1e-5))
            for i, (a, b, lon, lat, _) in enumerate(sites)]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "d.csv"
        _write_csv(path, rows)
        projects = read_projects(path).projects
    errors = list(projects["error"].fillna(""))
    table = api_results(projects.assign(rk=[r.rk for r in rows], decision=["invalid" if e else "read" for e in errors]))
    check_points(table, rows)
    refused = [(r.cells["lon"], r.cells["lat"], e) for r, e, site in zip(rows, errors, sites) if e and site[4]]
    assert not refused, refused


@settings(max_examples=30, deadline=None, derandomize=True, database=None)
@given(codes=st.lists(st.integers(0, 9999), min_size=1, max_size=15),
       spelling=st.sampled_from(("{:04d}", "C{:04d}", "{:04d}.0", " {:04d} ", "ｃ{:04d}")))
def test_sector_codes_that_name_no_class_are_never_admissible(codes, spelling, layers, rules):
    """Random four-digit codes in a real site: a code that is not a GB/T 4754-2017 class never makes a row
    admissible; one that is keeps its class (whatever the spelling)."""
    full = str.maketrans("0123456789", "０１２３４５６７８９")
    rows = []
    for i, code in enumerate(codes):
        text = spelling.format(code)
        text = text.translate(full) if text.startswith("ｃ") else text
        # a section letter must match the division (C is divisions 13-43)
        valid = rules.sectors.is_valid(f"{code:04d}") and (not spelling.lstrip().lower().startswith(("c", "ｃ"))
                                                           or 13 <= code // 100 <= 43)
        rows.append(corpus_mod.Row(cells={"rk": f"S{i}", "id": f"S{i}", "sector": text, "construction": "新建",
                                          "lon": "106.5516", "lat": "29.5630"},
                                   cls="sector", never_admissible=not valid))
    results, _ = _screen_and_check(rows, layers, rules)
    for r, code, got in zip(rows, codes, results["sector_code"]):
        if rules.sectors.is_valid(f"{code:04d}") and not r.cells["sector"].lower().startswith(("c", "ｃ")):
            assert got == f"{code:04d}", (r.cells["sector"], got)


def test_hypothesis_oracle_sees_unknowns():
    """The generator's own bookkeeping: unknown sectors/words are flagged, known in-coverage rows are not."""
    good = {"cells": {"sector": "3911", "construction": "新建"}, "never_admissible": False, "point": (106.5, 29.5)}
    bad = {"cells": {"sector": "3098", "construction": "新建"}, "never_admissible": True, "point": None}
    a, b = _as_corpus_rows([good, bad])
    assert not a.never_admissible and b.never_admissible and a.expect_point == (106.5, 29.5, 1e-6)
    assert _in_cover(106.55, 29.56) and _in_cover(29.56, 106.55) is False and not _in_cover(math.nan, 29.5)
