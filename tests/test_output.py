"""Output writers: the column-wise XLSX and the Arrow CSV read back as written."""

from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest

from screening import xlsx
from screening.output import write_csv, write_xlsx


def _table():
    return pd.DataFrame({
        "项目名称": pd.array(["甲<script>&", None, "a\x01b", "x" * 40_000], dtype="string"),
        "distance": pd.array([1.5, None, np.inf, 0.0], dtype="Float64"),
        "in_redline": pd.array([True, False, None, True], dtype="boolean"),
        "count": [1, 2, 3, 4],
    })


def test_xlsx_round_trip(tmp_path):
    write_xlsx(_table(), tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx").active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("项目名称", "distance", "in_redline", "count")
    assert rows[1] == ("甲<script>&", 1.5, True, 1)
    assert rows[2] == (None, None, False, 2)          # missing values are empty cells
    assert rows[3] == ("ab", "inf", None, 3)          # XML-illegal control characters dropped; inf as text
    assert len(rows[4][0]) == xlsx.MAX_TEXT           # Excel's cell limit
    assert ws.freeze_panes == "A2"


def test_xlsx_continues_on_more_sheets(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_ROWS", 3)
    table = pd.DataFrame({"id": [f"P{i}" for i in range(7)]})
    write_xlsx(table, tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "t.xlsx")
    assert wb.sheetnames == ["results", "results_2", "results_3"]
    got = [r[0] for ws in wb for r in list(ws.iter_rows(values_only=True))[1:]]
    assert got == list(table["id"])


def test_xlsx_empty_table(tmp_path):
    write_xlsx(pd.DataFrame({"id": pd.array([], dtype="string")}), tmp_path / "t.xlsx")
    assert list(openpyxl.load_workbook(tmp_path / "t.xlsx").active.iter_rows(values_only=True)) == [("id",)]


@pytest.mark.parametrize("n", [0, 1, 26, 27, 701, 702])
def test_column_letters(n):
    expected = {0: "A", 1: "B", 26: "AA", 27: "AB", 701: "ZZ", 702: "AAA"}[n]
    assert xlsx.column_letter(n) == expected


def test_csv_has_bom_and_reads_back(tmp_path):
    write_csv(_table(), tmp_path / "t.csv")
    raw = (tmp_path / "t.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(tmp_path / "t.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(back.columns) == ["项目名称", "distance", "in_redline", "count"]
    assert back.loc[0, "项目名称"] == "甲<script>&" and back.loc[0, "in_redline"] == "True"
    assert back.loc[2, "distance"] == "inf" and back.loc[1, "distance"] == ""
