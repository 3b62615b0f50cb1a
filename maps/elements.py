"""Small folium elements of our own: GeoJSON layers with fixed style and pre-escaped popups, HTML overlays.

Data is never code. branca renders an element's `_template` with Jinja and then wraps each macro's output in
a new `Element(template=...)`, which parses that output as Jinja *again*: a project or park name such as
`{{ 7*7 }}` would show as 49 (and `{{ cycler.__init__.__globals__.os... }}` would run Python), and
`{% endraw %}` would crash the render. Every element here therefore renders literally (`LiteralMacroElement`:
the macro output goes into the page as text, never parsed again), and every data string reaches the page
only as escaped HTML text inside script-safe JSON (`js_json`, `script_safe`), shown by Leaflet as text.

folium.Popup puts HTML into a JavaScript template literal through jQuery (`${...}` in data would run);
these elements pass every string as JSON instead, so content is only ever the HTML we escaped ourselves.
"""

import json
import re
from html import escape

import folium
from branca.element import Element, Figure, MacroElement
from folium.plugins import MarkerCluster
from folium.template import Template

_SCRIPT_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_SCRIPT_UNSAFE_RE = re.compile("[<>&\u2028\u2029]")


def script_safe(json_text: str) -> str:
    """JSON text made safe inside an inline <script>: `<`, `>`, `&`, U+2028 and U+2029 as \\u escapes.

    Valid JSON holds these characters only inside strings, where the escape means the same character,
    so the value is unchanged; `</script>`, `<!--` and `]]>` can no longer appear in the page source.
    """
    return _SCRIPT_UNSAFE_RE.sub(lambda m: _SCRIPT_UNSAFE[m.group(0)], json_text)


def js_json(value) -> str:
    """JSON text that is safe inside an inline <script> (no `</script>` or `<!--` can close it)."""
    return script_safe(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def html_text(value) -> str:
    """Plain text as HTML text: escaped (quotes too), line/paragraph separators as character references."""
    return escape(str(value), quote=True).replace("\u2028", "&#8232;").replace("\u2029", "&#8233;")


def js_identifier(name: str) -> str:
    """A name usable in a JavaScript variable (folium builds `var <name>_<id>`): ASCII letters, digits, _."""
    return re.sub(r"[^0-9A-Za-z_]", "", str(name)) or "element"


def _text_carriers() -> tuple[type, ...]:
    """folium/branca elements that put their text into a template that is parsed again (data would run)."""
    from branca.element import Html, IFrame
    from folium.features import GeoJson, GeoJsonPopup, GeoJsonTooltip, TopoJson

    return (folium.Popup, folium.Tooltip, Html, IFrame, GeoJson, TopoJson, GeoJsonPopup, GeoJsonTooltip)


def refuse_text_templates(root: Element) -> None:
    """Raise ValueError when the page holds a folium element that would evaluate its text as Jinja.

    Our maps pass data only through the literal elements of this module; a folium.Popup/Tooltip/Html
    (or GeoJson with its properties) added from outside would re-parse names like `{{ 7*7 }}` as code.
    """
    carriers = _text_carriers()
    stack = [root]
    while stack:
        element = stack.pop()
        if isinstance(element, carriers):
            raise ValueError(
                f"地图含有 {type(element).__name__}，它会把文字当作模板执行；请改用 maps.elements 中的元素 / "
                f"the map holds a {type(element).__name__}, which evaluates its text as a template; "
                "use the elements of maps.elements (data as escaped JSON) instead")
        stack.extend(element._children.values())


class RawText(Element):
    """Text put into the page exactly as given: never parsed as a template."""

    def __init__(self, text: str):
        super().__init__()
        self._name = "RawText"
        self.text = text

    def render(self, **kwargs) -> str:
        """The text itself."""
        return self.text


class LiteralMacroElement(MacroElement):
    """A MacroElement whose header/html/script output goes into the page as text, never re-parsed as Jinja.

    branca's MacroElement.render wraps each macro's output in `Element(output)`, i.e. compiles the output
    as a template; any data rendered by the macro would then be evaluated. Here the output is final.
    """

    def render(self, **kwargs):
        """Add the macros' output to the page literally, then render the children."""
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise TypeError("元素不在页面中，无法绘制 / this element is not in a Figure, so it cannot be rendered")
        macros = self._template.module.__dict__
        for part, target in (("header", figure.header), ("html", figure.html), ("script", figure.script)):
            macro = macros.get(part)
            if macro is not None:
                target.add_child(RawText(str(macro(self, kwargs))), name=self.get_name())
        for element in list(self._children.values()):
            element.render(**kwargs)


class DataGroup(folium.FeatureGroup, LiteralMacroElement):
    """A toggleable FeatureGroup whose label is plain text (it may come from data).

    Leaflet's layer control shows a layer name as HTML, so the label is HTML-escaped here; folium's
    LayerControl writes it as JSON (`tojson`), and `LayerList` renders that literally.
    """

    def __init__(self, label: str, **kwargs):
        super().__init__(name=html_text(label), **kwargs)
        self.label = str(label)


class LayerList(folium.LayerControl, LiteralMacroElement):
    """folium's LayerControl, rendered literally (its layer names are JSON of escaped text)."""


class Cluster(MarkerCluster, LiteralMacroElement):
    """folium's MarkerCluster, rendered literally."""


class Tiles(folium.TileLayer, LiteralMacroElement):
    """folium's TileLayer, rendered literally (its URL may hold a user's Tianditu key)."""


class VectorLayer(LiteralMacroElement):
    """A GeoJSON FeatureCollection (pre-serialised text) drawn with one style; points as circle markers.

    Feature properties `popup` and `tip` hold HTML already escaped by `maps.popups`.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJson({{ this.data }}, {
            style: function () { return {{ this.style }}; },
            pointToLayer: function (f, latlng) { return L.circleMarker(latlng, {{ this.style }}); },
            onEachFeature: function (f, layer) {
                var p = f.properties || {};
                if (p.popup) { layer.bindPopup(p.popup, {maxWidth: 460, maxHeight: 420}); }
                if (p.tip) { layer.bindTooltip(p.tip, {sticky: true}); }
            }
        }).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, features_json: str, style: dict, name: str = "vector_layer"):
        super().__init__()
        self._name = js_identifier(name)
        self.data = script_safe(features_json)
        self.style = js_json(style)


class HtmlOverlay(LiteralMacroElement):
    """Fixed-position HTML (legend, title, data note) laid over the map; the HTML must be pre-escaped."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}<style>{{ this.css }}</style>{% endmacro %}
        {% macro html(this, kwargs) %}{{ this.body }}{% endmacro %}
        """
    )

    def __init__(self, body: str, css: str = "", name: str = "overlay"):
        super().__init__()
        self._name = js_identifier(name)
        self.body = body
        self.css = css


class StyleSheet(RawText):
    """A <style> block added to the page header (e.g. the plain background used without a base map)."""

    def __init__(self, css: str):
        super().__init__("<style>" + css + "</style>")
