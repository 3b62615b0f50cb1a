"""The zoning map: every zoning layer in its own toggleable group, with legend, scale bar and data note."""

import folium
import numpy as np

from maps.basemap import resolve_basemap
from maps.draw import add_zoning_layers, display_bounds, finish_map, in_storage_crs, new_map
from maps.legend import legend

CHONGQING_BOUNDS = (105.28, 28.16, 110.20, 32.20)
"""Used to frame a map when no layer has any geometry."""


def layers_bounds(layers: dict):
    """Total bounds (EPSG:4490) of all non-empty layers, or Chongqing's when there are none."""
    boxes = [in_storage_crs(g).total_bounds for g in layers.values() if g is not None and len(g)]
    boxes = [b for b in boxes if np.isfinite(b).all()]
    if not boxes:
        return CHONGQING_BOUNDS
    arr = np.array(boxes)
    return (arr[:, 0].min(), arr[:, 1].min(), arr[:, 2].max(), arr[:, 3].max())


def zoning_map(layers: dict, *, basemap: str = "none", online: bool = False, tianditu_key: str | None = None,
               embed_key_consent: bool = False, title: str | None = None) -> folium.Map:
    """A folium map of the zoning layers keyed by role (redline, park, control_unit, river, urban_area, district)."""
    key = resolve_basemap(basemap, tianditu_key, embed_key_consent)
    bounds = layers_bounds(layers)
    m = new_map(display_bounds(bounds, basemap), basemap, key)
    roles = add_zoning_layers(m, layers, bounds=bounds, basemap=basemap)
    m.add_child(legend(roles))
    return finish_map(m, layers, title, online)


__all__ = ["zoning_map", "layers_bounds"]
