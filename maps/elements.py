"""Small folium elements of our own: GeoJSON layers with fixed style and pre-escaped popups, HTML overlays.

folium.Popup puts HTML into a JavaScript template literal through jQuery (`${...}` in data would run);
these elements pass every string as JSON instead, so content is only ever the HTML we escaped ourselves.
"""

import json

from branca.element import Element, MacroElement
from folium.template import Template


def js_json(value) -> str:
    """JSON text that is safe inside an inline <script> (no `</script>` or `<!--` can close it)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


class VectorLayer(MacroElement):
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
        self._name = name
        self.data = features_json.replace("</", "<\\/").replace("<!--", "<\\!--")
        self.style = js_json(style)


class HtmlOverlay(MacroElement):
    """Fixed-position HTML (legend, title, data note) laid over the map; the HTML must be pre-escaped."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}<style>{{ this.css }}</style>{% endmacro %}
        {% macro html(this, kwargs) %}{{ this.body }}{% endmacro %}
        """
    )

    def __init__(self, body: str, css: str = "", name: str = "overlay"):
        super().__init__()
        self._name = name
        self.body = body
        self.css = css


class StyleSheet(Element):
    """A <style> block added to the page header (e.g. the plain background used without a base map)."""

    def __init__(self, css: str):
        super().__init__("<style>" + css + "</style>")
