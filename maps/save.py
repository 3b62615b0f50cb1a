"""Writing maps to HTML files: self-contained unless asked otherwise, and atomically."""

import folium

from maps.elements import refuse_text_templates
from maps.offline import fetched_urls, make_offline
from zoning.atomic import write_bytes


def render_html(m: folium.Map, online: bool = False) -> str:
    """The page of `m` as HTML text; offline pages are checked to request nothing from elsewhere.

    Every data string must reach the page as data (see maps.elements): folium elements that would
    evaluate their text as a Jinja template are refused.
    """
    refuse_text_templates(m.get_root())
    if not online:
        make_offline(m)
    html = m.get_root().render()
    if not online:
        urls = fetched_urls(html)
        if urls:
            raise ValueError(f"offline page would still request: {', '.join(sorted(set(urls))[:5])}")
    return html


def save_map(m: folium.Map, path, online: bool = False) -> int:
    """Write the map's HTML to `path` (self-contained unless online=True); return its size in bytes.

    The page is rendered completely in memory first, then written under a hidden temporary name in the
    same folder and renamed into place: a failed render or an interrupted write leaves `path` as it was
    (absent, or the previous complete map) and no partial file behind.
    """
    data = render_html(m, online=online).encode("utf-8")
    return write_bytes(path, data)
