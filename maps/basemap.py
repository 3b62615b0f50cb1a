"""Base maps (none, OpenStreetMap, Tianditu, Amap) and the GCJ-02 display shift that Amap tiles need."""

import os

import folium
import numpy as np
import shapely

from maps.elements import Tiles

BASEMAPS = ("none", "osm", "tianditu-vec", "tianditu-img", "amap")
GCJ02_BASEMAPS = {"amap"}
"""Base maps whose tiles are drawn in GCJ-02, so vector data must be shifted to sit on them."""

_TIANDITU = "https://t{s}.tianditu.gov.cn/%s_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=%s&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=%s"
_TIANDITU_LAYERS = {"tianditu-vec": ("vec", "cva"), "tianditu-img": ("img", "cia")}
_TIANDITU_ATTR = "天地图 Tianditu &copy; 国家地理信息公共服务平台"
_AMAP = "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"
_AMAP_ATTR = "高德地图 &copy; AutoNavi"
NO_BASEMAP_CSS = ".folium-map.leaflet-container { background: #f4f3ee; }"


def resolve_basemap(basemap: str, tianditu_key: str | None = None, embed_key_consent: bool = False) -> str | None:
    """Validate the base map choice; return the Tianditu key to embed (None for other base maps).

    A Tianditu key is written into the page, so it is only used when the caller consents to that.
    """
    if basemap not in BASEMAPS:
        raise ValueError(f"unknown basemap {basemap!r}; choose one of {', '.join(BASEMAPS)}")
    if not basemap.startswith("tianditu"):
        return None
    key = tianditu_key or os.environ.get("TIANDITU_KEY")
    if not key:
        raise ValueError(f"basemap {basemap!r} needs a Tianditu key: pass tianditu_key=... or set TIANDITU_KEY")
    if not embed_key_consent:
        raise ValueError(
            f"basemap {basemap!r} would embed your Tianditu key in the HTML page, where anyone who "
            "receives the file can read and reuse it; pass embed_key_consent=True to accept that, "
            "or use basemap='none'")
    return key


def add_basemap(m: folium.Map, basemap: str, key: str | None = None) -> None:
    """Add the tile layer(s) of the base map; 'none' gives a plain background and needs no network."""
    if basemap == "none":
        return
    if basemap == "osm":
        Tiles("OpenStreetMap", name="OpenStreetMap", control=False).add_to(m)
    elif basemap in _TIANDITU_LAYERS:
        base, label = _TIANDITU_LAYERS[basemap]
        for layer, name in ((base, "天地图 Tianditu"), (label, "天地图注记 Tianditu labels")):
            Tiles(tiles=_TIANDITU % (layer, layer, key), attr=_TIANDITU_ATTR, name=name,
                  subdomains="01234567", max_zoom=18, overlay=layer == label, control=False).add_to(m)
    elif basemap == "amap":
        Tiles(tiles=_AMAP, attr=_AMAP_ATTR, name="高德地图 Amap", subdomains="1234",
              max_zoom=18, control=False).add_to(m)


def is_gcj02(basemap: str) -> bool:
    """True when the base map's tiles are in GCJ-02."""
    return basemap in GCJ02_BASEMAPS


def _to_gcj02(xy: np.ndarray) -> np.ndarray:
    """Shift an (n, 2) lon/lat array from WGS84/CGCS2000 to GCJ-02."""
    from zoning.coords import wgs84_to_gcj02

    lon, lat = wgs84_to_gcj02(xy[:, 0], xy[:, 1])
    return np.column_stack([np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)])


def to_display(geoms: np.ndarray, basemap: str, decimals: int = 6) -> np.ndarray:
    """Geometries as drawn on the base map: for Amap shifted to GCJ-02 (and re-rounded), else unchanged."""
    if not is_gcj02(basemap) or len(geoms) == 0:
        return geoms
    return shapely.transform(geoms, lambda xy: np.round(_to_gcj02(xy), decimals))

