"""Drawing shared by all maps: the base map frame, zoning layers as toggleable groups, overlays."""

import json

import folium
import geopandas as gpd
import numpy as np
import shapely

from maps.basemap import NO_BASEMAP_CSS, add_basemap, to_display
from maps.elements import DataGroup, HtmlOverlay, LayerList, StyleSheet, VectorLayer, html_text, js_json
from maps.offline import make_offline
from maps.popups import CATEGORY_COLUMNS, is_missing, zoning_popup, zoning_tip
from maps.simplify import decimals_for, display_tolerance, for_display
from maps.styles import CATEGORY_LABELS, ROLE_LABELS, ROLE_ORDER, feature_style

STORAGE_EPSG = 4490
COVERAGE_ROLES = {"control_unit", "district"}
"""Roles whose polygons tile the territory, so coverage simplification keeps shared edges shared."""
MAX_ZOOM = 18
MAX_FEATURES = 25_000
"""A layer with more features than this in view is drawn merged by style (a province's 100,000 control units)."""
ILLUSTRATIVE_NOTE = "示例数据，非官方 / illustrative data, not official"


def in_storage_crs(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The frame in EPSG:4490 (frames without a CRS are taken to be in it already)."""
    if gdf.crs is None or gdf.crs.to_epsg() == STORAGE_EPSG:
        return gdf
    return gdf.to_crs(STORAGE_EPSG)


def features_json(geoms: np.ndarray, popups=None, tips=None) -> str:
    """A GeoJSON FeatureCollection text from display-ready geometries and escaped popup/tooltip HTML.

    The text is script-safe (see `maps.elements.js_json`): it is embedded in an inline <script> as is.
    """
    geometry_texts = shapely.to_geojson(geoms) if len(geoms) else []
    features = []
    for i, geometry in enumerate(geometry_texts):
        props = {}
        if popups is not None:
            props["popup"] = popups[i]
        if tips is not None:
            props["tip"] = tips[i]
        features.append('{"type":"Feature","geometry":%s,"properties":%s}'
                        % (geometry, js_json(props)))
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"


def new_map(bounds, basemap: str, key: str | None) -> folium.Map:
    """A map framed on `bounds` (display coordinates) with a scale bar and the chosen base map."""
    minx, miny, maxx, maxy = bounds
    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=9, tiles=None,
                   control_scale=True, zoom_snap=0.25)
    m.options["max_zoom"] = MAX_ZOOM  # folium passes max_zoom only to tile layers; clustering needs it on the map
    add_basemap(m, basemap, key)
    if basemap == "none":
        m.get_root().header.add_child(StyleSheet(NO_BASEMAP_CSS), name="maps_no_basemap")
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    return m


def display_bounds(bounds, basemap: str):
    """Bounds as drawn on the base map (shifted for GCJ-02 base maps)."""
    box = to_display(np.array([shapely.box(*bounds)], dtype=object), basemap)[0]
    return box.bounds


def add_zoning_layers(m: folium.Map, layers: dict, *, bounds, basemap: str, clip: bool = False,
                      tolerance: float | None = None) -> list[str]:
    """Draw each zoning layer in view as its own toggleable group; return the roles drawn."""
    tolerance = display_tolerance(bounds) if tolerance is None else tolerance
    roles = [r for r in ROLE_ORDER if r in layers] + [r for r in layers if r not in ROLE_ORDER]
    drawn = []
    for role in roles:
        gdf = layers[role]
        if gdf is None or len(gdf) == 0:
            continue
        gdf = in_storage_crs(gdf)
        geoms, positions = for_display(gdf.geometry.values, bounds, tolerance=tolerance, clip=clip,
                                       coverage=role in COVERAGE_ROLES)
        if len(geoms) == 0:
            continue
        geoms = to_display(geoms, basemap, decimals_for(tolerance))
        records = gdf.drop(columns=gdf.geometry.name).iloc[positions].to_dict("records")
        zh, en = ROLE_LABELS.get(role, (role, role))
        group = DataGroup(f"{zh} {en}", overlay=True, show=True).add_to(m)
        by_style: dict[str, list[int]] = {}
        for i, row in enumerate(records):
            by_style.setdefault(json.dumps(feature_style(role, row), sort_keys=True), []).append(i)
        dissolve = len(records) > MAX_FEATURES
        for style_key, idx in by_style.items():
            if dissolve:
                data = _dissolved_json(role, geoms[idx], records[idx[0]], len(idx), tolerance)
            else:
                data = features_json(geoms[idx], [zoning_popup(role, records[i]) for i in idx],
                                     [zoning_tip(role, records[i]) for i in idx])
            group.add_child(VectorLayer(data, json.loads(style_key), name=f"zoning_{role}"))
        drawn.append(role)
    return drawn


def _dissolved_json(role: str, geoms: np.ndarray, sample: dict, count: int, tolerance: float) -> str:
    """One merged feature for all `count` features of a style: at this scale their outlines would be noise
    and their popups megabytes; the popup says so and points to site maps for single features."""
    union = shapely.coverage_union_all(geoms) if role in COVERAGE_ROLES else shapely.union_all(geoms)
    union = shapely.simplify(union, tolerance, preserve_topology=True)
    union = shapely.transform(union, lambda xy: np.round(xy, decimals_for(tolerance)))
    zh, en = ROLE_LABELS.get(role, (role, role))
    label = f"{html_text(zh)} / {html_text(en)}"
    column = CATEGORY_COLUMNS.get(role)
    if column and not is_missing(sample.get(column)):
        czh, cen = CATEGORY_LABELS.get(str(sample[column]), (str(sample[column]),) * 2)
        label = f"{html_text(czh)} / {html_text(cen)}"
    popup = (f"<b>{html_text(zh)} / {html_text(en)}</b><br>{label}<br>"
             f"{count:,} 个要素在此比例尺下合并显示 / {count:,} features merged at this scale.<br>"
             "<small>单个要素请看项目位置图 / see a site map for single features</small>")
    return features_json(np.array([union], dtype=object), [popup], [f"{label} ({count:,})"])


def is_illustrative(layers: dict) -> bool:
    """True when any layer's source marks it as illustrative (demo) data."""
    for gdf in layers.values():
        if gdf is None or "source" not in gdf.columns:
            continue
        if gdf["source"].dropna().astype(str).str.lower().str.startswith("illustrative").any():
            return True
    return False


_HEAD_CSS = """
.maps-head { position: fixed; top: 10px; left: 50%; transform: translateX(-50%); z-index: 1000;
  text-align: center; font: 14px/1.35 "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; pointer-events: none; }
.maps-title { background: rgba(255,255,255,.92); padding: 4px 12px; border-radius: 4px; font-weight: bold;
  box-shadow: 0 1px 4px rgba(0,0,0,.3); margin-bottom: 4px; }
.maps-note { background: #fff3cd; color: #7a4b00; border: 1px solid #e0a800; padding: 3px 10px;
  border-radius: 4px; font-size: 13px; }
"""


def finish_map(m: folium.Map, layers: dict, title: str | None, online: bool) -> folium.Map:
    """The steps every map ends with: title and data note, layer control, then (offline) inlined assets."""
    add_head(m, title, is_illustrative(layers))
    LayerList(collapsed=False).add_to(m)
    if not online:
        make_offline(m)
    return m


def add_head(m: folium.Map, title: str | None, illustrative: bool) -> None:
    """Title and, for demo data, the visible 'illustrative data, not official' note at the top."""
    if not title and not illustrative:
        return
    body = '<div class="maps-head">'
    if title:
        body += f'<div class="maps-title">{html_text(title)}</div>'
    if illustrative:
        body += f'<div class="maps-note">{html_text(ILLUSTRATIVE_NOTE)}</div>'
    m.add_child(HtmlOverlay(body + "</div>", _HEAD_CSS, name="maps_head"))
