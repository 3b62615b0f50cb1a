"""A single site's verdict for people (rich text) and for programs (JSON)."""

from __future__ import annotations

import math

import pandas as pd
from rich.console import Console
from rich.panel import Panel

from zoning.vocabulary import fact_text
from zoning.vocabulary import label as value_label

_STYLE = {"prohibited": "bold red", "review": "bold dark_orange", "conditional": "bold yellow",
          "admissible": "bold green", "invalid": "bold magenta"}
_FACTS = (
    ("district", "区县 district"), ("control_units", "管控单元 control units"),
    ("control_unit_categories", "单元类别 category"), ("in_redline", "在生态保护红线内 in red line"),
    ("redline_distance_m", "距红线 m / to red line"), ("redline_overlap_m2", "红线重叠 m² / overlap"),
    ("park", "所在园区 park"), ("in_compliant_park", "在合规园区内 in compliant park"),
    ("river_distance_m", "距河流 m / to river"), ("river_nearest", "最近河流 nearest river"),
    ("in_urban_area", "在城区 in urban area"), ("pm25", "PM2.5 µg/m³"), ("sector_code", "行业代码 sector"),
    ("sector_name", "行业名称 sector name"), ("construction_type", "建设性质 construction"),
    ("missing_layers", "无数据图层 layers without an answer"),
)


def _value(v):
    """A fact as a plain JSON value: numbers stay numbers; a distance beyond the search radius is null
    (listed in `beyond_radius`)."""
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    if isinstance(v, float):
        return None if math.isinf(v) else round(v, 1)
    if hasattr(v, "item"):
        return v.item()
    return v


def verdict_json(row: pd.Series, meta: dict) -> dict:
    """Decision, reasons, obligations, citations and facts as plain JSON types."""
    split = lambda text, sep: [p for p in str(text or "").split(sep) if p]  # noqa: E731
    return {
        "decision": row["decision"], "decision_zh": row["decision_zh"],
        "rule_ids": split(row["rule_ids"], ";"), "reasons": split(row["reasons"], " | "),
        "obligations": split(row["obligations"], " | "), "citations": split(row["citations"], ";"),
        "list_requirements": split(row.get("list_requirements"), " | "),
        "requirements_to_check": split(row.get("requirements_to_check"), " | "),
        "error": row["error"] or None, "warnings": split(row["warnings"], "; "),
        "facts": {k: _value(row[k]) for k, _ in _FACTS if k in row.index},
        "beyond_radius": [k for k, _ in _FACTS if k in row.index and isinstance(row[k], float) and math.isinf(row[k])],
        "location": row.geometry.wkt if row.geometry is not None else None,
        "decided_with": meta,
    }


def print_verdict(row: pd.Series, console: Console, meta: dict) -> None:
    """A reviewer-readable verdict: decision, reasons with citations, obligations, facts, editions."""
    d = row["decision"]
    console.print(Panel(f"{row['decision_zh']}  ·  {value_label('decision', d)[1]}", style=_STYLE.get(d, "bold"),
                        title=str(row.get("name") or row.get("id") or "site"), expand=False))
    data = verdict_json(row, meta)
    if data["error"]:
        console.print(f"[magenta]输入错误 / input error:[/magenta] {data['error']}")
    for title, items in (("理由 / reasons", data["reasons"]), ("条件 / obligations", data["obligations"]),
                         ("依据 / citations", data["citations"]),
                         ("准入清单要求 / admission-list requirements", data["list_requirements"]),
                         ("待核实的清单要求 / list requirements to check", data["requirements_to_check"]),
                         ("提示 / warnings", data["warnings"])):
        if items:
            console.print(f"[bold]{title}[/bold]")
            for item in items:
                console.print(f"  • {item}", markup=False, highlight=False)
    console.print("[bold]事实 / facts[/bold]")
    radius = meta.get("search_radius_m")
    for key, label in _FACTS:
        value = data["facts"].get(key)
        if key in data["beyond_radius"]:
            value = f"> {radius:.0f}（搜索半径内没有 / none within the search radius）" if radius else "—"
        elif value not in (None, "") and not isinstance(value, (int, float)) or isinstance(value, bool):
            value = fact_text(key, value)  # 是/否, 重点管控单元, 新建: plain words, not codes
        if value not in (None, ""):
            console.print(f"  {label}: {value}", markup=False, highlight=False)
    editions = "; ".join(f"{k} {v}" for k, v in meta.get("layer_editions", {}).items())
    console.print(f"[dim]图层版本 / layer editions: {editions}; rules as of {meta.get('as_of')}[/dim]")
