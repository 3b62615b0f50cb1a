"""Self-contained pages: folium's CDN links replaced by the vendored assets in maps/assets/, inlined.

Every JS/CSS link that folium elements declare (`default_js` / `default_css`) is either inlined from a
vendored file or, for the jQuery/Bootstrap/Font-Awesome/awesome-markers bundle that only folium.Popup
and folium.Icon need, dropped; a page holding one of those elements cannot be made offline and is refused.
"""

import base64
import re
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

import folium
from branca.element import CssLink, Element, JavascriptLink
from folium.elements import JSCSSMixin

ASSETS_DIR = Path(__file__).parent / "assets"

VENDORED = {
    "leaflet": "leaflet/leaflet.js",
    "leaflet_css": "leaflet/leaflet.css",
    "markerclusterjs": "leaflet.markercluster/leaflet.markercluster.js",
    "markerclustercss": "leaflet.markercluster/MarkerCluster.css",
    "markerclusterdefaultcss": "leaflet.markercluster/MarkerCluster.Default.css",
}
"""folium asset name -> vendored file (relative to maps/assets/)."""

UNNEEDED = {"jquery", "bootstrap", "awesome_markers", "bootstrap_css", "glyphicons_css",
            "awesome_markers_font_css", "awesome_markers_css", "awesome_rotate_css"}
"""Assets folium's Map always declares but only folium.Popup / folium.Icon use; our maps use neither."""

_ASSET_NAME = "maps_offline_assets"


@lru_cache(maxsize=None)
def asset_text(relpath: str) -> str:
    """A vendored file's text, ready to inline: source-map comments removed, CSS images as data URIs."""
    path = ASSETS_DIR / relpath
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^\s*//# sourceMappingURL=.*$", "", text, flags=re.M)
    if relpath.endswith(".css"):
        def data_uri(match):
            image = path.parent / match.group(1)
            encoded = base64.b64encode(image.read_bytes()).decode("ascii")
            return f"url(data:image/png;base64,{encoded})"
        text = re.sub(r"url\((images/[\w.-]+\.png)\)", data_uri, text)
    return text


def _walk(element):
    """Yield an element and all its descendants."""
    yield element
    for child in list(element._children.values()):
        yield from _walk(child)


class InlineAssets(Element):
    """The vendored scripts and stylesheets, inlined in the page header in declaration order."""

    def __init__(self, names: list[str]):
        super().__init__()
        self.names = names

    def render(self, **kwargs) -> str:
        """Inline <style> and <script> blocks for the assets."""
        parts = []
        for name in self.names:
            relpath = VENDORED[name]
            body = asset_text(relpath).replace("</script", "<\\/script")
            tag = "style" if relpath.endswith(".css") else "script"
            parts.append(f"<{tag}>/* {relpath} (vendored, see maps/assets/README.md) */\n{body}</{tag}>")
        return "\n".join(parts)


def make_offline(m: folium.Map) -> folium.Map:
    """Make the page of `m` self-contained (idempotent); raise ValueError for assets we do not ship."""
    figure = m.get_root()
    names = list(getattr(figure, "_maps_offline_names", []))
    for element in _walk(figure):
        if isinstance(element, (folium.Popup, folium.Icon)):
            raise ValueError(f"{type(element).__name__} needs jQuery/Bootstrap/Font-Awesome from a CDN; "
                             "offline maps use the escaped popups of maps.popups and circle markers")
        if getattr(element, "objects_to_stay_in_front", None):
            raise ValueError("keep_in_front needs jQuery from a CDN; it cannot be used in an offline map")
        if not isinstance(element, JSCSSMixin):
            continue
        for name, url in list(element.default_js) + list(element.default_css):
            if name in UNNEEDED:
                continue
            if name not in VENDORED:
                raise ValueError(f"{type(element).__name__} needs {name} ({url}), which is not vendored "
                                 "in maps/assets/; an offline page cannot include it")
            if name not in names:
                names.append(name)
        element.default_js = []
        element.default_css = []
    for name, child in list(figure.header._children.items()):
        if isinstance(child, (JavascriptLink, CssLink)):
            del figure.header._children[name]
    names.sort(key=lambda n: (not VENDORED[n].endswith(".css"), list(VENDORED).index(n)))
    figure._maps_offline_names = names
    figure.header.add_child(InlineAssets(names), name=_ASSET_NAME)
    return m


class _ResourceFinder(HTMLParser):
    """Collects URLs the browser would load by itself: src/href of resources, CSS url() and @import."""

    _ATTRS = {"src", "href", "srcset", "poster", "data", "background", "manifest"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        for attr, value in attrs:
            if value is None:
                continue
            if attr == "style":
                self.urls.extend(css_urls(value))
            elif attr == "srcset":
                self.urls.extend(part.strip().split(" ")[0] for part in value.split(",") if part.strip())
            elif attr in self._ATTRS and not (tag == "a" and attr == "href"):
                self.urls.append(value.strip())
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.urls.extend(css_urls(data))


def css_urls(css: str) -> list[str]:
    """URLs referenced by CSS text through url(...) or @import."""
    found = re.findall(r"""url\(\s*['"]?([^'")]+)""", css)
    found += re.findall(r"""@import\s+['"]([^'"]+)""", css)
    return found


def fetched_urls(html: str) -> list[str]:
    """Every resource URL in the page that is not inline (data:, #fragment): what a browser would request."""
    finder = _ResourceFinder()
    finder.feed(html)
    return [u for u in finder.urls if not u.startswith(("data:", "#", "about:", "javascript:"))]
