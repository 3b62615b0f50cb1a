"""CSV rows in = rows out: a malformed line becomes one invalid row naming the line and the problem, the lines
around it are read normally, a properly quoted cell may span lines; the file is refused whole only when no row
can be read. Also Excel's "Unicode text" (UTF-16, tab-delimited) and title lines above the header."""

from __future__ import annotations

import codecs

import numpy as np
import pytest

from screening.projects import ProjectFileError, read_projects
from screening.projects.csvfile import _parse_records

HEADER = "项目编号,项目名称,行业代码,建设性质,经度,纬度"


def _good(i: int) -> str:
    return f"P{i:02d},项目{i},3011,新建,106.{50 + i},29.{50 + i}"


def _write(tmp_path, lines, name="list.csv", encoding="utf-8", end="\n"):
    path = tmp_path / name
    path.write_bytes((end.join(lines) + end).encode(encoding))
    return path


def test_stray_quote_mid_file_is_one_invalid_row(tmp_path):
    """The issue's file: 21 rows in, a quote opened on line 7 and never closed. Before, 9 lines merged into one
    name and 13 rows came out."""
    lines = [HEADER] + [_good(i) for i in range(1, 22)]
    lines[6] = 'P06,"某项目,3011,新建,106.56,29.56'
    lines[15] = 'P15,"项目,十五",3011,新建,106.65,29.65'  # a later quoted cell the stray quote used to pair with
    pl = read_projects(_write(tmp_path, lines))
    p = pl.projects
    assert len(p) == 21 and list(p["id"]) == [f"P{i:02d}" for i in range(1, 22)]
    bad = p["error"] != ""
    assert list(np.flatnonzero(bad)) == [5]
    assert "第 7 行：引号不成对 / line 7: unbalanced quote" in p.loc[5, "error"]
    assert "'P06,\"某项目,3011" in p.loc[5, "error"] and "close the quote" in p.loc[5, "error"]
    assert "no location" not in p.loc[5, "error"]  # the line's fault, said once, not a second made-up one
    assert p.loc[5, "name"] is not None and pl.original.loc[5, "项目编号"] == "P06"  # cells before the quote kept
    assert pl.original.loc[5, "项目名称"] == "" and p.geometry[5] is None
    assert list(p["name"][[4, 6, 14]]) == ["项目5", "项目7", "项目,十五"]
    assert p.geometry[6].x == pytest.approx(106.57)
    assert "1 malformed line marked invalid (line 7)" in pl.notes[0]


def test_too_many_fields_on_two_lines(tmp_path):
    """Before, the whole file was refused (pandas: 'Expected 6 fields in line 4, saw 7')."""
    lines = [HEADER] + [_good(i) for i in range(1, 7)]
    lines[3] = "P03,某,项目,3011,新建,106.53,29.53"  # a comma in the name, unquoted
    lines[5] = "P05,项目5,3011,新建,106.55,29.55,备注,更多"
    lines.append("P07,项目7,3011,新建,106.57,29.57,,")  # extra EMPTY fields (Excel's ragged export): fine
    p = read_projects(_write(tmp_path, lines)).projects
    assert len(p) == 7 and list(p["id"]) == [f"P{i:02d}" for i in range(1, 8)]
    assert list(np.flatnonzero(p["error"] != "")) == [2, 4]
    assert "第 4 行：有 7 个字段，表头只有 6 个 / line 4: 7 fields but the header has 6" in p.loc[2, "error"]
    assert "line 6: 8 fields but the header has 6" in p.loc[4, "error"]
    assert "quote cells that contain the delimiter (逗号 comma)" in p.loc[2, "error"]
    assert p.loc[6, "error"] == "" and p.geometry[6].y == pytest.approx(29.57)


def test_too_few_fields(tmp_path):
    lines = [HEADER, _good(1), "P02,项目2,3011", _good(3), "合计"]
    p = read_projects(_write(tmp_path, lines)).projects
    assert list(p["id"]) == ["P01", "P02", "P03", "合计"]
    assert "第 3 行：只有 3 个字段，表头有 6 个 / line 3: only 3 fields but the header has 6" in p.loc[1, "error"]
    assert "line 5: only 1 fields" in p.loc[3, "error"]
    assert p.loc[0, "error"] == p.loc[2, "error"] == ""


def test_multi_line_quoted_cells_are_one_row(tmp_path):
    """Cells with line breaks as Excel writes them (CRLF records, LF inside quotes), a multi-line header cell,
    a doubled quote inside a multi-line cell, and a cell closing on one line while the next opens there."""
    lines = [HEADER.replace("项目名称", '"项目\n名称"'), _good(1),
             'P02,"第一行\n第二行 ""引号""\n\n第四行",3011,新建,106.52,29.52',
             _good(3),
             'P04,"甲\n乙","扩\n建",新建,106.54,29.54',
             'P05,"a\nb",3011,"新\n建",106.55,29.55',
             _good(6)]
    pl = read_projects(_write(tmp_path, lines, end="\r\n"))
    p = pl.projects
    assert list(p["id"]) == ["P01", "P02", "P03", "P04", "P05", "P06"] and (p["error"] == "").all(), list(p["error"])
    assert pl.column_map["name"] == "项目\n名称"
    assert p.loc[1, "name"] == '第一行\n第二行 "引号"\n\n第四行'
    assert p.loc[3, "sector_raw"] == "扩\n建" and p.loc[4, "construction_raw"] == "新\n建"
    assert p.geometry[5].x == pytest.approx(106.56)


def test_lenient_quotes_stay_as_before(tmp_path):
    """A quote inside an unquoted cell is text; text after a closing quote is kept (as pandas/Excel read them)."""
    lines = [HEADER, 'P01,名"称,3011,新建,106.51,29.51', 'P02,"名称"后缀,3011,新建,106.52,29.52', _good(3)]
    p = read_projects(_write(tmp_path, lines)).projects
    assert list(p["name"]) == ['名"称', "名称后缀", "项目3"] and (p["error"] == "").all()


def test_quote_closed_lines_later_with_wrong_fields_is_not_merged(tmp_path):
    """A quote opened on line 3 and 'closed' by a quote on line 5: the merged record would have the wrong number
    of fields, so line 3 is the malformed one and lines 4-5 are read on their own."""
    lines = [HEADER, _good(1), 'P02,"项目2,3011,新建,106.52,29.52', _good(3), 'P04,项目4",3011,新建,106.54,29.54']
    p = read_projects(_write(tmp_path, lines)).projects
    assert list(p["id"]) == ["P01", "P02", "P03", "P04"]
    assert list(np.flatnonzero(p["error"] != "")) == [1] and "line 3: unbalanced quote" in p.loc[1, "error"]
    assert p.loc[3, "name"] == '项目4"'


def test_unclosed_quote_on_the_last_line(tmp_path):
    lines = [HEADER, _good(1), 'P02,项目2,"3011,新建,106.52,29.52']
    pl = read_projects(_write(tmp_path, lines))
    assert list(pl.projects["id"]) == ["P01", "P02"] and "line 3: unbalanced quote" in pl.projects.loc[1, "error"]
    assert list(pl.original.loc[1]) == ["P02", "项目2", "", "", "", ""]


def test_blank_lines_are_skipped_but_counted(tmp_path):
    lines = [HEADER, "", _good(1), "   ", "P02,项目2", "", _good(3)]
    p = read_projects(_write(tmp_path, lines, end="\r\n")).projects
    assert list(p["id"]) == ["P01", "P02", "P03"] and "第 5 行" in p.loc[1, "error"]


def test_every_line_broken_is_refused_whole(tmp_path):
    lines = ["项目编号;项目名称;经度;纬度", "P1,甲,106.5,29.5", "P2,乙,106.6,29.6"]  # header in ; rows in ,
    with pytest.raises(ProjectFileError) as caught:
        read_projects(_write(tmp_path, lines))
    message = str(caught.value)
    assert "list.csv: 没有一行能读取 / no row can be read: all 2 lines below the header are malformed" in message
    assert "line 2: only 1 fields but the header has 4" in message and "separated by 分号 semicolon" in message
    quotes = [HEADER, 'P1,"甲,3011,新建,106.5,29.5']
    with pytest.raises(ProjectFileError, match="no row can be read.*line 2: unbalanced quote"):
        read_projects(_write(tmp_path, quotes, name="quotes.csv"))


def test_broken_header_quote_is_refused(tmp_path):
    with pytest.raises(ProjectFileError, match="line 1 \\(the header\\): unbalanced quote"):
        read_projects(_write(tmp_path, ['项目编号,"项目名称,经度,纬度', "P1,甲,106.5,29.5"]))


def test_excel_unicode_text_utf16(tmp_path):
    """Excel's "Unicode text" export: UTF-16 LE with BOM, tab-delimited; also UTF-16 without BOM."""
    rows = ["项目编号\t项目名称\t经度\t纬度", "P1\t甲项目\t106.55\t29.56", "P2\t乙项目\t106.60\t29.60"]
    text = "\r\n".join(rows) + "\r\n"
    path = tmp_path / "unicode.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    p = read_projects(path).projects
    assert list(p["name"]) == ["甲项目", "乙项目"] and (p["error"] == "").all()
    bare = tmp_path / "bare.txt"
    bare.write_bytes(text.encode("utf-16-be"))
    assert list(read_projects(bare).projects["id"]) == ["P1", "P2"]
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("项目编号,经度,纬度\nP1,106.55,29.56\n".encode("gbk"))
    assert list(read_projects(gbk).original.columns) == ["项目编号", "经度", "纬度"]


def test_title_lines_above_the_csv_header(tmp_path):
    lines = ["重庆市工业项目清单", "填报日期：2024-03-01,,,,,", HEADER, _good(1), _good(2)]
    pl = read_projects(_write(tmp_path, lines))
    assert list(pl.projects["id"]) == ["P01", "P02"] and (pl.projects["error"] == "").all()
    assert "跳过标题行 1–2，表头在第 3 行 / skipped title lines 1–2; header on line 3" in pl.notes


def test_python_csv_fallback_reads_the_same_records():
    """_parse_records' csv-module path (used only if pandas ever counts records differently) gives the same frame."""
    block = "\n".join([HEADER + ",", 'P1,"a\nb",3011,新建,106.5,29.5,', 'P2,名"称,3011,新建,106.6,29.6',
                       'P3,"x"y,3011,新建,106.7,29.7,', "P4,短"])
    fast = _parse_records(block, ",", 4)
    slow = _parse_records(block, ",", 4, engine="csv")
    assert list(fast.columns) == list(slow.columns) == HEADER.split(",") + ["Unnamed: 6"]
    assert fast.values.tolist() == slow.values.tolist()
    assert slow.loc[0, "项目名称"] == "a\nb" and slow.loc[2, "项目名称"] == "xy" and slow.loc[3, "经度"] == ""


def test_multi_line_remark_in_the_last_column(tmp_path):
    """The opening line of a remark cell in the last column looks like a whole row; the cell is still one."""
    lines = [HEADER + ",备注", _good(1) + ',"第一行，含逗号, 也行\n第二行"', _good(2) + ",", _good(3) + ',"a\nb\nc"']
    p = read_projects(_write(tmp_path, lines)).projects
    assert list(p["id"]) == ["P01", "P02", "P03"] and (p["error"] == "").all(), list(p["error"])


def test_carriage_returns_inside_quoted_cells_are_kept(tmp_path):
    """CRLF ends the records; a CR or CRLF inside a quoted cell is the cell's text and comes out as written."""
    text = HEADER + "\r\n" + 'P01,"\r=1+1",3011,新建,106.51,29.51\r\n' + 'P02,"甲\r\n乙",3011,新建,106.52,29.52\r\n'
    path = tmp_path / "cr.csv"
    path.write_bytes(text.encode("utf-8"))
    pl = read_projects(path)
    assert list(pl.original["项目名称"]) == ["\r=1+1", "甲\r\n乙"] and (pl.projects["error"] == "").all()
