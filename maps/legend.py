"""The bilingual (中文 / English) legend overlay: zoning styles and, for decision maps, counts per decision."""


from maps.elements import HtmlOverlay, html_text
from maps.styles import DECISION_COLORS, DECISION_LABELS, DECISION_ORDER, LINE_ROLES, ROLE_LABELS, legend_entries

_CSS = """
.maps-legend { position: fixed; bottom: 28px; right: 10px; z-index: 1000; max-height: 60vh; overflow: auto;
  background: rgba(255,255,255,.94); padding: 6px 10px; border-radius: 4px; box-shadow: 0 1px 5px rgba(0,0,0,.4);
  font: 12px/1.5 "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; color: #222; }
.maps-legend h4 { margin: 0 0 2px; font-size: 13px; }
.maps-legend .sec { margin-top: 4px; font-weight: bold; }
.maps-legend .sw { display: inline-block; width: 22px; height: 12px; margin-right: 6px; vertical-align: middle;
  box-sizing: border-box; }
.maps-legend .ln { height: 0; }
.maps-legend .pt { width: 12px; border-radius: 50%; margin: 0 11px 0 5px; border: 1px solid #333; }
"""


def _rgba(hex_colour: str, alpha: float) -> str:
    """CSS rgba() from #rrggbb and an opacity."""
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha:.2f})"


def _swatch(style: dict, line: bool) -> str:
    """A small inline box or line drawn like the layer's style."""
    dash = "dashed" if style.get("dashArray") else "solid"
    colour = style.get("color", "#555555")
    if line:
        weight = max(1, round(style.get("weight", 1)))
        return f'<span class="sw ln" style="border-top:{weight}px {dash} {colour}"></span>'
    fill = "transparent"
    if style.get("fill", True):
        fill = _rgba(style.get("fillColor", colour), max(style.get("fillOpacity", 0.2), 0.25))
    weight = max(1, min(3, round(style.get("weight", 1))))
    return f'<span class="sw" style="background:{fill};border:{weight}px {dash} {colour}"></span>'


def _row(swatch: str, zh: str, en: str, extra: str = "") -> str:
    """One legend line: swatch, Chinese label, English label in grey."""
    return f"<div>{swatch}{html_text(zh)} <span style='color:#555'>{html_text(en)}</span>{extra}</div>"


def legend(roles: list[str], decision_counts: dict[str, int] | None = None, *, show_empty: bool = True,
           extra: list[tuple[dict, bool, str, str]] = ()) -> HtmlOverlay:
    """Legend overlay for the zoning roles drawn and, if given, the number of sites per decision.

    `extra` rows are (style, is_line, zh, en) for further map elements such as distance rings.
    """
    parts = ['<div class="maps-legend"><h4>图例 Legend</h4>']
    if decision_counts is not None:
        parts.append('<div class="sec">审查结论 Decision</div>')
        for decision in DECISION_ORDER:
            count = decision_counts.get(decision, 0)
            if not count and (decision == "invalid" or not show_empty):
                continue
            zh, en = DECISION_LABELS[decision]
            swatch = f'<span class="sw pt" style="background:{DECISION_COLORS[decision]}"></span>'
            note = "，未绘制 not drawn" if decision == "invalid" else ""
            parts.append(_row(swatch, zh, en, f" ({count}{note})"))
    for style, line, zh, en in extra:
        parts.append(_row(_swatch(style, line), zh, en))
    for role in reversed(roles):
        zh, en = ROLE_LABELS.get(role, (role, role))
        entries = legend_entries(role)
        if len(entries) == 1:
            parts.append(_row(_swatch(entries[0][0], role in LINE_ROLES), zh, en))
            continue
        parts.append(f'<div class="sec">{html_text(zh)} {html_text(en)}</div>')
        for style, ezh, een in entries:
            parts.append(_row(_swatch(style, role in LINE_ROLES), ezh, een))
    parts.append("</div>")
    return HtmlOverlay("".join(parts), _CSS, name="maps_legend")
