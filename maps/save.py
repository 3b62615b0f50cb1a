"""Writing maps to HTML files: self-contained unless asked otherwise."""

from pathlib import Path

import folium

from maps.offline import fetched_urls, make_offline


def render_html(m: folium.Map, online: bool = False) -> str:
    """The page of `m` as HTML text; offline pages are checked to request nothing from elsewhere."""
    if not online:
        make_offline(m)
    html = m.get_root().render()
    if not online:
        urls = fetched_urls(html)
        if urls:
            raise ValueError(f"offline page would still request: {', '.join(sorted(set(urls))[:5])}")
    return html


def save_map(m: folium.Map, path, online: bool = False) -> int:
    """Write the map's HTML to `path` (self-contained unless online=True); return its size in bytes."""
    data = render_html(m, online=online).encode("utf-8")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return len(data)
