"""Write the admission-list templates an office fills in: rules/templates/admission_list_template.{xlsx,csv}.

    python scripts/make_admission_template.py

The headers are the ones layers/demo/catalog.toml maps in its admission_list entry; the format is
documented in docs/admission_lists.md. The example rows use demo unit codes and must be replaced.
"""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

OUT = Path(__file__).resolve().parents[1] / "rules" / "templates"
#: (header, our field, width, what to write)
COLUMNS = (
    ("条目编号", "id", 12, "optional row id, unique in the file (default: file name + row number)"),
    ("管控单元编码", "scope_unit", 18, "unit code(s), ';'-separated; 全市 = whole city; blank = use 管控类别/所属区县"),
    ("管控类别", "scope_category", 14, "优先保护单元 | 重点管控单元 | 一般管控单元 | 全部 (rows without a unit code)"),
    ("所属区县", "scope_district", 12, "district name or 6-digit code; blank or 全市 = every district"),
    ("管控维度", "dimension", 16, "空间布局约束 | 污染物排放管控 | 环境风险防控 | 资源开发效率要求"),
    ("适用行业", "sectors", 24, "GB/T 4754 codes (2614), divisions (26), sections (C), categories (chemical, 化工), "
                            "all; '-26' excludes; blank = all"),
    ("建设性质", "construction", 14, "新建;扩建;改建;迁建 or 全部 (blank = all)"),
    ("管控要求类型", "effect", 14, "禁止 | 限制 | 仅允许 | 要求 | 待核 (blank = 待核: kept as a requirement to check)"),
    ("管控要求", "text", 60, "the requirement exactly as issued"),
    ("依据", "source", 36, "document, edition and clause, e.g. 渝环〔2024〕XX号 附件2 第3条"),
    ("版本", "edition", 12, "edition of the list, e.g. 2024版"),
    ("生效日期", "valid_from", 12, "first day in force, 2024-01-31 (blank = the catalog entry's valid_from)"),
)
EXAMPLES = (
    ("示例-1", "ZH50011520001", "", "", "空间布局约束", "chemical;27;29", "", "仅允许",
     "（示例）单元内仅允许布局化工、医药、橡胶塑料项目", "（示例）某区县生态环境准入清单 2024版 第1条", "2024版", "2024-01-01"),
    ("示例-2", "ZH50011520001", "", "", "空间布局约束", "化工", "新建;扩建", "限制",
     "（示例）新建、扩建化工项目须距长江干流岸线1公里以上", "（示例）某区县生态环境准入清单 2024版 第2条", "2024版", "2024-01-01"),
    ("示例-3", "", "优先保护单元", "长寿区", "空间布局约束", "B;C;D", "新建;扩建", "禁止",
     "（示例）优先保护单元内禁止新建、扩建工业项目", "（示例）长寿区生态环境准入清单总体要求 第1条", "2024版", "2024-01-01"),
    ("示例-4", "全市", "", "", "污染物排放管控", "all", "", "要求",
     "（示例）建设项目须落实主要污染物排放总量控制制度", "（示例）重庆市生态环境准入清单总体要求 第5条", "2024版", "2024-01-01"),
    ("示例-5", "全市", "", "", "环境风险防控", "", "", "待核",
     "（示例）无法结构化的条款原文照录，筛查时作为待核实要求附上", "（示例）重庆市生态环境准入清单总体要求 第9条", "2024版", ""),
)
CHOICES = {"dimension": "空间布局约束,污染物排放管控,环境风险防控,资源开发效率要求",
           "effect": "禁止,限制,仅允许,要求,待核", "scope_category": "优先保护单元,重点管控单元,一般管控单元,全部"}


def write_xlsx(path: Path) -> None:
    """The list sheet (text cells, drop-downs for coded columns) and a sheet explaining each column."""
    wb = Workbook()
    ws = wb.active
    ws.title = "准入清单"
    ws.append([c[0] for c in COLUMNS])
    for row in EXAMPLES:
        ws.append(list(row))
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for i, (_, field, width, _) in enumerate(COLUMNS, start=1):
        letter = ws.cell(row=1, column=i).column_letter
        ws.column_dimensions[letter].width = width
        ws.cell(row=1, column=i).font, ws.cell(row=1, column=i).fill = bold, fill
        for r in range(2, 2001):
            ws.cell(row=r, column=i).number_format = "@"  # text: keeps 06, 0611 and dates as typed
        if field in CHOICES:
            check = DataValidation(type="list", formula1=f'"{CHOICES[field]}"', allow_blank=True)
            check.add(f"{letter}2:{letter}2000")
            ws.add_data_validation(check)
    ws.freeze_panes = "A2"
    notes = wb.create_sheet("填写说明")
    notes.append(["列 column", "字段 field", "填写 what to write"])
    for header, field, _, what in COLUMNS:
        notes.append([header, field, what])
    notes.append([])
    notes.append(["", "", "One row per requirement. Format and catalog entry: docs/admission_lists.md. "
                          "Replace the 示例 rows; unit codes must exist in the control-unit layer."])
    for cell in notes[1]:
        cell.font = bold
    notes.column_dimensions["A"].width, notes.column_dimensions["B"].width = 16, 16
    notes.column_dimensions["C"].width = 100
    for row in notes.iter_rows(min_row=2):
        row[2].alignment = Alignment(wrap_text=True)
    wb.save(path)


def write_csv(path: Path) -> None:
    """The same header and example rows as UTF-8 CSV with BOM (Excel opens it with the right encoding)."""
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow([c[0] for c in COLUMNS])
        out.writerows(EXAMPLES)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    write_xlsx(OUT / "admission_list_template.xlsx")
    write_csv(OUT / "admission_list_template.csv")
    print(f"wrote {OUT / 'admission_list_template.xlsx'} and {OUT / 'admission_list_template.csv'}")


if __name__ == "__main__":
    main()
