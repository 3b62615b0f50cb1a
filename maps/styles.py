"""Fixed cartographic conventions: colours, line styles and bilingual labels for every layer and decision."""

from zoning.vocabulary import labels

ROLE_ORDER = ("district", "urban_area", "control_unit", "park", "river", "redline")
"""Drawing order, bottom to top: the red line is drawn last so nothing hides it."""

ROLE_LABELS = {
    "redline": ("生态保护红线", "Ecological red line"),
    "park": ("产业园区", "Industrial parks"),
    "control_unit": ("环境管控单元", "Environmental control units"),
    "river": ("河流", "Rivers"),
    "urban_area": ("城镇开发边界", "Urban area"),
    "district": ("区县", "Districts"),
}

CATEGORY_LABELS = {**labels("park_kind"), **labels("unit_category"), **labels("river_class")}
"""code → (zh, en) of park kinds, unit categories and river classes, from rules/vocabulary.yaml."""

DECISION_COLORS = {
    "prohibited": "#d7191c",
    "review": "#fdae61",
    "conditional": "#ffd92f",
    "admissible": "#1a9641",
    "invalid": "#9e9e9e",
}

DECISION_LABELS = labels("decision")
"""decision → (zh, en), from rules/vocabulary.yaml (the labels results.csv's decision_zh uses)."""

DECISION_ORDER = ("prohibited", "review", "conditional", "admissible", "invalid")

_REDLINE = {"color": "#c00000", "weight": 1.5, "fillColor": "#e31a1c", "fillOpacity": 0.45}
_PARK = {
    "chemical": {"color": "#7b3294", "weight": 2, "fillColor": "#7b3294", "fillOpacity": 0.08},
    "industrial": {"color": "#2166ac", "weight": 2, "fillColor": "#2166ac", "fillOpacity": 0.08},
}
_UNIT = {
    "priority": {"color": "#1b7837", "weight": 0.6, "fillColor": "#5aae61", "fillOpacity": 0.35},
    "key": {"color": "#d95f0e", "weight": 0.6, "fillColor": "#fe9929", "fillOpacity": 0.35},
    "general": {"color": "#b8a94f", "weight": 0.6, "fillColor": "#fff7bc", "fillOpacity": 0.45},
}
_RIVER = {
    "mainstream": {"color": "#08519c", "weight": 4, "opacity": 0.9},
    "tributary": {"color": "#3182bd", "weight": 2, "opacity": 0.9},
    "other": {"color": "#6baed6", "weight": 1, "opacity": 0.9},
}
_URBAN = {"color": "#636363", "weight": 1, "fillColor": "#969696", "fillOpacity": 0.3}
_DISTRICT = {"color": "#252525", "weight": 0.8, "fill": False, "opacity": 0.8}
_FALLBACK = {"color": "#555555", "weight": 1, "fillOpacity": 0.1}


def feature_style(role: str, row) -> dict:
    """Leaflet path options for one feature of a zoning layer, from its role and attributes."""
    if role == "redline":
        return dict(_REDLINE)
    if role == "park":
        style = dict(_PARK.get(str(row.get("kind")), _PARK["industrial"]))
        if row.get("compliant") is False or str(row.get("compliant")).lower() in ("false", "0"):
            style["dashArray"] = "6 4"
        return style
    if role == "control_unit":
        return dict(_UNIT.get(str(row.get("category")), _FALLBACK))
    if role == "river":
        return dict(_RIVER.get(str(row.get("class")), _RIVER["other"]))
    if role == "urban_area":
        return dict(_URBAN)
    if role == "district":
        return dict(_DISTRICT)
    return dict(_FALLBACK)


def legend_entries(role: str) -> list[tuple[dict, str, str]]:
    """Legend rows (style, zh, en) for one zoning role, one per category that the role distinguishes."""
    if role == "park":
        rows = [(_PARK[k], *CATEGORY_LABELS[k]) for k in ("chemical", "industrial")]
        rows.append(({**_PARK["industrial"], "dashArray": "6 4"}, "非合规园区（虚线）", "non-compliant park (dashed)"))
        return rows
    if role == "control_unit":
        return [(_UNIT[k], *CATEGORY_LABELS[k]) for k in ("priority", "key", "general")]
    if role == "river":
        return [(_RIVER[k], *CATEGORY_LABELS[k]) for k in ("mainstream", "tributary", "other")]
    style = {"redline": _REDLINE, "urban_area": _URBAN, "district": _DISTRICT}.get(role, _FALLBACK)
    return [(style, *ROLE_LABELS.get(role, (role, role)))]


LINE_ROLES = {"river"}
"""Roles drawn as lines in the legend swatch (everything else as a filled box)."""
