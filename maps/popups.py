"""Popup and tooltip HTML built from data strings, every one of them HTML-escaped here."""

import math

import pandas as pd

from maps.elements import html_text
from zoning.vocabulary import fact_kind, fact_text
from maps.styles import CATEGORY_LABELS, DECISION_COLORS, DECISION_LABELS, ROLE_LABELS

FACT_LABELS = (
    ("in_redline", "位于生态保护红线内", "in ecological red line"),
    ("redline_distance_m", "距生态保护红线", "distance to red line"),
    ("park", "所在园区", "park"),
    ("park_kind", "园区类型", "park kind"),
    ("control_units", "环境管控单元", "control units"),
    ("control_unit_categories", "管控类别", "unit categories"),
    ("river_distance_m", "距河流", "distance to river"),
    ("river_nearest", "最近河流", "nearest river"),
    ("in_urban_area", "位于城镇开发边界内", "in urban area"),
    ("district", "区县", "district"),
    ("construction_type", "建设性质", "construction"),
    ("pm25", "PM2.5 (µg/m³)", "PM2.5 (µg/m³)"),
)
"""Key facts shown in a decision popup, in this order, when the column exists and has a value."""

CATEGORY_COLUMNS = {"park": "kind", "control_unit": "category", "river": "class"}


def text(value) -> str:
    """A data value as escaped HTML text; missing values become an empty string."""
    if is_missing(value):
        return ""
    return html_text(value)


def is_missing(value) -> bool:
    """True for None, NaN and pandas NA (never raises on arrays or strings)."""
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def fact_value(column: str, value) -> str:
    """A fact formatted for people: distances in metres or km, booleans as 是/否 and coded values
    (unit categories, park kinds, construction) by their labels in rules/vocabulary.yaml, escaped."""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return html_text(f"{fact_text(column, value)} {fact_text(column, value, 'en')}")
    if fact_kind(column) is not None:
        return html_text(fact_text(column, value))
    if column.endswith("distance_m"):
        try:
            metres = float(value)
        except (TypeError, ValueError):  # a results file may hold any text here: show it, as text
            return text(value)
        if math.isnan(metres):
            return text(value)
        if math.isinf(metres):
            return "—"
        return f"{metres / 1000:.2f} km" if metres >= 1000 else f"{metres:.0f} m"
    if isinstance(value, float):
        return f"{value:.1f}"
    return text(value)


def zoning_popup(role: str, row) -> str:
    """Popup for one zoning feature: layer, id, name, category and data source."""
    zh, en = ROLE_LABELS.get(role, (role, role))
    parts = [f"<b>{html_text(zh)} / {html_text(en)}</b>"]
    parts.append(f"编号 id: {text(row.get('id'))}")
    parts.append(f"名称 name: {text(row.get('name'))}")
    column = CATEGORY_COLUMNS.get(role)
    if column and not is_missing(row.get(column)):
        value = str(row.get(column))
        czh, cen = CATEGORY_LABELS.get(value, (value, value))
        parts.append(f"类别 category: {html_text(czh)} / {html_text(cen)}")
    if role == "park" and not is_missing(row.get("compliant")):
        parts.append("合规园区 compliant: " + fact_value("compliant", bool(row.get("compliant"))))
    if not is_missing(row.get("source")):
        parts.append(f"<small>来源 source: {text(row.get('source'))}</small>")
    return "<br>".join(parts)


def zoning_tip(role: str, row) -> str:
    """Hover text for a zoning feature: its name (or id)."""
    name = row.get("name")
    return text(row.get("id") if is_missing(name) else name)


def _items(value, sep: str) -> list[str]:
    """Split a joined string column into escaped items."""
    if is_missing(value) or not str(value).strip():
        return []
    return [html_text(part.strip()) for part in str(value).split(sep) if part.strip()]


def decision_badge(decision: str) -> str:
    """The coloured decision label, Chinese and English."""
    zh, en = DECISION_LABELS.get(decision, (decision, decision))
    colour = DECISION_COLORS.get(decision, "#777777")
    return (f'<span style="background:{colour};padding:1px 6px;border-radius:3px;'
            f'color:#111">{html_text(zh)} / {html_text(en)}</span>')


def decision_popup(row) -> str:
    """Popup for one screened site: name, decision, reasons, obligations, citations and key facts."""
    decision = str(row.get("decision", ""))
    parts = [f"<b>{text(_first(row, 'project_name', 'name'))}</b> "
             f"<small>({text(_first(row, 'project_id', 'id'))})</small>"]
    sector = _first(row, "sector_code", "sector")
    if not is_missing(sector):
        parts.append(f"<div>行业 sector: {text(sector)}</div>")
    parts.append(f"<div>结论 decision: {decision_badge(decision)}</div>")
    for column, zh, en, sep in (("reasons", "理由", "reasons", " | "),
                                ("obligations", "义务", "obligations", " | "),
                                ("list_requirements", "准入清单要求", "admission-list requirements", " | "),
                                ("requirements_to_check", "待核要求", "requirements to check", " | "),
                                ("citations", "依据", "citations", ";"),
                                ("rule_ids", "规则", "rules", ";")):
        items = _items(row.get(column), sep)
        if items:
            lis = "".join(f"<li>{item}</li>" for item in items)
            parts.append(f"<div>{zh} {en}:<ul style='margin:2px 0 4px 16px;padding:0'>{lis}</ul></div>")
    facts = []
    for column, zh, en in FACT_LABELS:
        value = row.get(column)
        if column in row and not is_missing(value):
            facts.append(f"<tr><td>{html_text(zh)} <small>{html_text(en)}</small></td>"
                         f"<td>{fact_value(column, value)}</td></tr>")
    if facts:
        parts.append("<table style='font-size:11px'>" + "".join(facts) + "</table>")
    return "".join(parts)


def decision_tip(row) -> str:
    """Hover text for a site: name and decision in Chinese."""
    zh = DECISION_LABELS.get(str(row.get("decision")), ("", ""))[0]
    return f"{text(_first(row, 'project_name', 'name'))} — {html_text(zh)}"


def _first(row, *columns):
    """The value of the first of `columns` the row has (screening results: project_id, project_name,
    sector_code; other site tables: id, name, sector); None when it has none."""
    for column in columns:
        if column in row and not is_missing(row.get(column)):
            return row.get(column)
    return None
