"""The map of one screened site: zoomed on it, distance rings, nearest red line and river highlighted."""

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from maps.basemap import resolve_basemap, to_display
from maps.draw import add_zoning_layers, display_bounds, features_json, finish_map, in_storage_crs, new_map
from maps.elements import DataGroup, VectorLayer
from maps.legend import legend
from maps.nearest import local_crs, nearest_feature, ring_lines
from maps.popups import fact_value, zoning_popup
from maps.simplify import display_tolerance, expand_bounds, for_display, round_coords
from maps.sites import add_sites, decision_counts

RING_STYLE = {"color": "#333333", "weight": 1.5, "dashArray": "6 6", "fill": False}
NEAREST = {
    "redline": ({"color": "#7f0000", "weight": 4, "fill": False}, "生态保护红线", "red line"),
    "river": ({"color": "#00bcd4", "weight": 7, "opacity": 0.6, "fill": False}, "河流", "river"),
}
"""Highlight style and names of the nearest features shown on a site map."""
CONNECTOR_STYLE = {"color": "#000000", "weight": 2, "dashArray": "2 6"}


def _one_site(result) -> gpd.GeoDataFrame:
    """The site as a one-row GeoDataFrame in EPSG:4490, from a one-row frame or a row."""
    if isinstance(result, gpd.GeoDataFrame):
        if len(result) != 1:
            raise ValueError(f"site_map draws one site; got {len(result)} rows (use decision_map for a batch)")
        frame = result
    elif isinstance(result, pd.Series):
        frame = gpd.GeoDataFrame([result.to_dict()], geometry="geometry", crs=4490)
    else:
        raise TypeError("site_map expects a one-row GeoDataFrame or a row of one")
    frame = in_storage_crs(frame)
    geom = frame.geometry.iloc[0]
    if geom is None or geom.is_empty:
        raise ValueError("this site has no geometry (invalid input), so it cannot be mapped")
    return frame


def _ring_label(metres: float) -> str:
    """A distance as people write it: 500 m, 1 km, 2.5 km."""
    return f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"


def _add_rings(m, site, rings_m, crs, basemap) -> None:
    """Distance rings around the site, each with its distance as tooltip."""
    lines = to_display(round_coords(ring_lines(site, rings_m, crs), 6), basemap)
    tips = [f"{_ring_label(r)} 范围 / within {_ring_label(r)}" for r in rings_m]
    group = DataGroup("距离圈 distance rings").add_to(m)
    group.add_child(VectorLayer(features_json(lines, None, tips), RING_STYLE, name="rings"))


def _add_nearest(m, site, layers, role, crs, view, basemap) -> bool:
    """Highlight the layer's nearest feature and connect it to the site; False when the layer is absent."""
    layer = layers.get(role)
    found = None if layer is None or len(layer) == 0 else nearest_feature(site, layer, crs)
    if found is None:
        return False
    style, zh, en = NEAREST[role]
    distance = fact_value("distance_m", found.distance_m)
    layer = in_storage_crs(layer)
    row = layer.iloc[found.position]
    reach = expand_bounds(shapely.union(shapely.box(*view), found.line).bounds, 500)
    geom, _ = for_display(np.array([row.geometry], dtype=object), reach, tolerance=display_tolerance(view),
                          clip=True)
    group = DataGroup(f"最近的{zh} nearest {en} ({distance})").add_to(m)
    record = row.drop(labels=layer.geometry.name).to_dict()
    if len(geom):
        group.add_child(VectorLayer(features_json(to_display(geom, basemap), [zoning_popup(role, record)],
                                                  [f"最近的{zh} nearest {en}: {distance}"]), style,
                                        name="nearest"))
    if found.distance_m > 0:
        line = to_display(round_coords(np.array([found.line], dtype=object), 6), basemap)
        group.add_child(VectorLayer(features_json(line, None, [f"距{zh} {distance} / to {en}: {distance}"]),
                                    CONNECTOR_STYLE, name="connector"))
    return True


def site_map(result, layers: dict, *, rings_m=(1000, 5000), basemap: str = "none", online: bool = False,
             tianditu_key: str | None = None, embed_key_consent: bool = False,
             title: str | None = None) -> folium.Map:
    """A folium map of one screened site with distance rings and its nearest red line and river."""
    key = resolve_basemap(basemap, tianditu_key, embed_key_consent)
    frame = _one_site(result)
    site = frame.geometry.iloc[0]
    crs = local_crs(site)
    rings_m = tuple(sorted(float(r) for r in rings_m if r > 0))
    outer = ring_lines(site, [max(rings_m or (1000.0,)) * 1.15], crs)[0]
    view = outer.bounds
    m = new_map(display_bounds(view, basemap), basemap, key)
    clip = expand_bounds(view, max(rings_m or (1000.0,)))  # beyond the frame, for wide windows
    roles = add_zoning_layers(m, layers, bounds=clip, basemap=basemap, clip=True,
                              tolerance=display_tolerance(view))
    extra = []
    for role in ("redline", "river"):
        if _add_nearest(m, site, layers, role, crs, view, basemap):
            style, zh, en = NEAREST[role]
            extra.append((style, True, f"最近的{zh}", f"nearest {en}"))
    if extra:
        extra.append((CONNECTOR_STYLE, True, "最短距离", "shortest distance"))
    if rings_m:
        _add_rings(m, site, rings_m, crs, basemap)
        label = " / ".join(_ring_label(r) for r in rings_m)
        extra.append((RING_STYLE, True, f"距离圈 {label}", "distance rings"))
    add_sites(m, frame, basemap=basemap)
    m.add_child(legend(roles, decision_counts(frame), show_empty=False, extra=extra))
    return finish_map(m, layers, title, online)
