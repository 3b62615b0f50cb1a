"""Workbooks as offices make them: title rows above the header, merged cells, instruction sheets (hidden or not),
numbers typed as numbers, formulas without cached values; and lists with a header but no rows (CSV, XLSX,
GeoJSON)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from openpyxl import Workbook

from screening.projects import ProjectFileError, read_projects

HEADER = ["项目编号", "项目名称", "行业代码", "建设性质", "经度", "纬度"]


def _rows(n: int = 3, start: int = 1) -> list[list]:
    """Project rows in Chongqing with numbers typed as numbers."""
    return [[f"P{i:03d}", f"项目{i}", "C3011", "新建", 106.5 + i / 100, 29.5 + i / 100] for i in range(start, start + n)]


def _titled_sheet(ws, rows) -> None:
    """A title row with a merged title cell (A1:F1), a date line, then the header on row 3 and the rows."""
    ws.append(["重庆市 2024 年工业项目清单"])
    ws.merge_cells("A1:F1")
    ws.append(["填报单位：某区经信委", None, None, "填报日期：", dt.date(2024, 3, 1)])
    ws.append(HEADER)
    for row in rows:
        ws.append(row)


def test_title_rows_above_the_header_are_skipped_with_a_note(tmp_path):
    book = Workbook()
    _titled_sheet(book.active, _rows())
    book.save(path := tmp_path / "titled.xlsx")
    pl = read_projects(path)
    p = pl.projects
    assert list(p["id"]) == ["P001", "P002", "P003"] and (p["error"] == "").all(), list(p["error"])
    assert list(pl.original.columns) == HEADER
    assert "跳过标题行 1–2，表头在第 3 行 / skipped title rows 1–2; header on row 3" in pl.notes
    assert pl.sheet == "Sheet"


def test_explicit_header_row_overrides_detection(tmp_path):
    book = Workbook()
    ws = book.active
    ws.append(["经度", "纬度", "说明"])  # a decoy that detection would take (two known names)
    ws.append(["编号", "名称", "经度", "纬度", "范围"])  # the real header has more, but --header-row says row 3
    ws.append(["项目编号", "经度", "纬度"])
    ws.append(["A1", 106.55, 29.56])
    book.save(path := tmp_path / "given.xlsx")
    assert read_projects(path).original.columns[0] == "编号"  # detection: the row naming the most columns
    pl = read_projects(path, header_row=3)
    assert list(pl.original.columns) == ["项目编号", "经度", "纬度"] and list(pl.projects["id"]) == ["A1"]
    assert "跳过标题行 1–2，表头在第 3 行（--header-row） / skipped title rows 1–2; header on row 3 (--header-row)" \
        in pl.notes
    with pytest.raises(ProjectFileError, match="--header-row 9.*only 4 rows"):
        read_projects(path, header_row=9)


def test_header_row_applies_to_csv_too(tmp_path):
    path = tmp_path / "given.csv"
    path.write_text("清单\n说明,见附件\n项目编号,经度,纬度\nA1,106.55,29.56\n", encoding="utf-8")
    pl = read_projects(path, header_row=3)
    assert list(pl.projects["id"]) == ["A1"] and pl.projects.loc[0, "error"] == ""
    assert any("header on line 3 (--header-row)" in n for n in pl.notes)
    detected = read_projects(path)  # the same header found without help
    assert list(detected.projects["id"]) == ["A1"]
    assert "跳过标题行 1–2，表头在第 3 行 / skipped title lines 1–2; header on line 3" in detected.notes
    with pytest.raises(ProjectFileError, match="--header-row 7.*not in the file"):
        read_projects(path, header_row=7)


def test_merged_cells_in_the_data_are_filled_with_a_warning(tmp_path):
    book = Workbook()
    ws = book.active
    _titled_sheet(ws, _rows(4))
    ws["B5"] = "同一项目"
    ws.merge_cells("B5:B7")  # rows 5-7 share the name
    ws["D4"] = "扩建"
    ws.merge_cells("C4:D4")  # a horizontal merge: D4 takes C4's value
    book.save(path := tmp_path / "merged.xlsx")
    pl = read_projects(path)
    p = pl.projects
    assert list(p["name"]) == ["项目1", "同一项目", "同一项目", "同一项目"]
    assert list(p["sector_raw"]) == ["C3011"] * 4 and pl.original.loc[0, "建设性质"] == "C3011"
    assert p.loc[0, "warnings"].startswith("合并单元格 C4:D4 已按首格填充 / merged cells C4:D4 filled from C4")
    for i in (1, 2, 3):
        assert "合并单元格 B5:B7 已按首格填充 / merged cells B5:B7 filled from B5" in p.loc[i, "warnings"]
    assert "A1:F1" not in " ".join(p["warnings"])  # the title merge is above the header
    assert any("2 merged ranges" in n for n in pl.notes)


def test_hidden_instruction_sheet_first_is_skipped(tmp_path):
    book = Workbook()
    hidden = book.active
    hidden.title = "填表说明"
    hidden.append(HEADER)  # even with location columns a hidden sheet is not chosen
    hidden.append(["HIDDEN", "旧", "2614", "新建", 106.5, 29.5])
    hidden.sheet_state = "hidden"
    _titled_sheet(book.create_sheet("项目"), _rows(2))
    book.active = 1
    book.save(path := tmp_path / "hidden_first.xlsx")
    pl = read_projects(path)
    assert pl.sheet == "项目" and list(pl.projects["id"]) == ["P001", "P002"]
    assert "读取工作表「项目」（跳过 「填表说明」隐藏） / read sheet '项目' (skipped '填表说明' hidden)" in pl.notes
    asked = read_projects(path, layer="填表说明")  # an explicit --layer still reads it, with a note
    assert asked.sheet == "填表说明" and list(asked.projects["id"]) == ["HIDDEN"]
    assert any("read the hidden sheet '填表说明' as asked (--layer)" in n for n in asked.notes)


def test_visible_instruction_sheet_without_locations_then_data(tmp_path):
    book = Workbook()
    info = book.active
    info.title = "说明"
    info.append(["序号", "说明"])
    info.append([1, "请按模板填写经纬度"])
    very = book.create_sheet("宏")
    very.append(HEADER)
    very.append(["VHIDDEN", "x", "2614", "新建", 106.5, 29.5])
    very.sheet_state = "veryHidden"
    data = book.create_sheet("数据")
    data.append(HEADER)
    for row in _rows(2):
        data.append(row)
    book.save(path := tmp_path / "info_first.xlsx")
    pl = read_projects(path)
    assert pl.sheet == "数据" and list(pl.projects["id"]) == ["P001", "P002"]
    note = next(n for n in pl.notes if n.startswith("读取工作表"))
    assert "'说明' no location columns" in note and "'宏' very hidden" in note
    assert read_projects(path, layer="宏").projects.loc[0, "id"] == "VHIDDEN"


def test_no_sheet_fits_lists_the_sheets_tried(tmp_path):
    book = Workbook()
    info = book.active
    info.title = "说明"
    info.append(["序号", "说明", "经度"])
    old = book.create_sheet("旧版")
    old.append(HEADER)
    old.sheet_state = "hidden"
    book.create_sheet("空白")
    book.save(path := tmp_path / "none.xlsx")
    with pytest.raises(ProjectFileError) as caught:
        read_projects(path)
    message = str(caught.value)
    assert "none.xlsx: 没有含位置列的可见工作表 / no visible sheet has location columns" in message
    assert "'说明' (columns: 序号, 说明, 经度)" in message and "'旧版' (隐藏 hidden, not read)" in message
    assert "'空白' (columns: empty)" in message and "--layer <sheet>" in message
    with pytest.raises(ProjectFileError, match="no sheet 'nope'; sheets are 说明, 旧版 \\(hidden\\), 空白"):
        read_projects(path, layer="nope")


def test_numbers_are_read_by_type(tmp_path):
    book = Workbook()
    ws = book.active
    ws.append(["编号", "行业代码", "经度", "纬度", "投资", "开工日期", "重大项目"])
    ws.append([1, 810, 106.123456789012, 29.98765432109876, 1500.0, dt.date(2024, 3, 1), True])
    ws.append([2.0, 3011.0, 106, 29, 1e16, dt.datetime(2024, 3, 1, 8, 30), False])
    ws.append([3, 3011.5, 106.00000012345, 29.5, 0.00001, None, None])
    ws.append([4, "0311", "106.55", "29.56", None, None, None])
    book.save(path := tmp_path / "typed.xlsx")
    pl = read_projects(path)
    o, p = pl.original, pl.projects
    assert list(o["编号"]) == ["1", "2", "3", "4"]
    assert list(o["行业代码"]) == ["0810", "3011", "3011.5", "0311"]  # 3011.5 stays, to be refused as a code
    assert list(o["经度"]) == ["106.123456789012", "106", "106.00000012345", "106.55"]
    assert o.loc[0, "纬度"] == repr(29.98765432109876)
    assert list(o["投资"]) == ["1500", "10000000000000000", "0.00001", ""]
    assert list(o["开工日期"]) == ["2024-03-01", "2024-03-01T08:30:00", "", ""]
    assert list(o["重大项目"][:2]) == ["TRUE", "FALSE"] and list(p["major"][:2]) == [True, False]
    assert p.geometry[0].x == 106.123456789012 and p.geometry[2].x == 106.00000012345
    assert any("1 numeric sector cell zero-padded to four digits" in n for n in pl.notes)


def test_formula_without_cached_value_makes_the_row_invalid(tmp_path):
    book = Workbook()
    ws = book.active
    ws.append(HEADER)
    for row in _rows(3):
        ws.append(row)
    ws["E3"] = "=E2+0.01"  # openpyxl writes formulas without a cached value, as some export tools do
    ws["F3"] = "=F2+0.01"
    book.save(path := tmp_path / "formula.xlsx")
    pl = read_projects(path)
    p = pl.projects
    assert list(p["id"]) == ["P001", "P002", "P003"]
    assert p.loc[0, "error"] == "" and p.loc[2, "error"] == ""
    assert "单元格 E3 是公式但没有计算结果 / cell E3 is a formula without a cached value; open and save the file in " \
           "Excel/WPS" in p.loc[1, "error"] and "cell F3" in p.loc[1, "error"]
    assert p.geometry[1] is None
    assert any("2 formula cells without a cached value" in n for n in pl.notes)


def _patched(path, tmp_path, *replacements):
    """A copy of a workbook with byte replacements in its first sheet's XML (each must apply)."""
    import zipfile

    patched = tmp_path / f"patched_{path.name}"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(patched, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                for old, new in replacements:
                    assert old in data, old
                    data = data.replace(old, new)
            dst.writestr(item, data)
    return patched


def test_formula_with_cached_value_is_read(tmp_path):
    """Formulas Excel saved (<f> with its <v>) are read as their value, an empty text result included."""
    book = Workbook()
    ws = book.active
    ws.append(HEADER + ["备注"])
    ws.append(["P1", "甲", "C3011", "新建", 106.55, 29.56, "x"])
    book.save(path := tmp_path / "cached.xlsx")
    patched = _patched(path, tmp_path,
                       (b'<c r="E2" t="n"><v>106.55</v></c>', b'<c r="E2"><f>106.5+0.05</f><v>106.55</v></c>'),
                       (b'<c r="G2" t="inlineStr"><is><t>x</t></is></c>', b'<c r="G2" t="str"><f>""</f><v></v></c>'))
    pl = read_projects(patched)
    assert pl.projects.loc[0, "error"] == "" and pl.projects.geometry[0].x == pytest.approx(106.55)
    assert pl.original.loc[0, "备注"] == ""


def test_formula_cell_without_position_is_still_found(tmp_path):
    """A writer that leaves out r="E3" on cells: the formula cell is found by reading the formula view."""
    book = Workbook()
    ws = book.active
    ws.append(HEADER)
    for row in _rows(2):
        ws.append(row)
    ws["E3"] = "=E2+0.01"
    book.save(path := tmp_path / "noref.xlsx")
    patched = _patched(path, tmp_path, (b'<c r="E3"><f>', b"<c><f>"))
    p = read_projects(patched).projects
    assert p.loc[0, "error"] == "" and "cell E3 is a formula without a cached value" in p.loc[1, "error"]


# ---------------------------------------------------------------- header but no rows


def test_header_without_rows_gives_an_empty_list(tmp_path):
    csv_path = tmp_path / "empty.csv"
    csv_path.write_text("项目编号,项目名称,经度,纬度\n\n", encoding="utf-8")
    book = Workbook()
    book.active.append(HEADER)
    book.save(xlsx_path := tmp_path / "empty.xlsx")
    titled = Workbook()
    _titled_sheet(titled.active, [])
    titled.save(titled_path := tmp_path / "titled_empty.xlsx")
    geojson_path = tmp_path / "empty.geojson"
    geojson_path.write_text(json.dumps({"type": "FeatureCollection", "features": []}), encoding="utf-8")
    for path in (csv_path, xlsx_path, titled_path, geojson_path):
        pl = read_projects(path)
        assert len(pl.projects) == 0 and len(pl.original) == 0, path
        assert "error" in pl.projects.columns and pl.projects.crs.to_epsg() == 4490
    assert list(read_projects(xlsx_path).original.columns) == HEADER
