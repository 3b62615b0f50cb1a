"""The decision map of a screened batch: sites coloured by decision over the zoning layers of their area."""

import folium
import geopandas as gpd
import numpy as np

from maps.basemap import resolve_basemap
from maps.draw import add_zoning_layers, display_bounds, finish_map, in_storage_crs, new_map
from maps.legend import legend
from maps.simplify import expand_bounds
from maps.site_map import site_map
from maps.sites import add_sites, decision_counts, drawable
from maps.zoning_map import layers_bounds


def decision_map(results: gpd.GeoDataFrame, layers: dict, *, basemap: str = "none", online: bool = False,
                 tianditu_key: str | None = None, embed_key_consent: bool = False, title: str | None = None,
                 margin_m: float = 5000, cluster_threshold: int = 500) -> folium.Map:
    """A folium map of screening results; zoning layers are clipped to the batch extent plus `margin_m`."""
    key = resolve_basemap(basemap, tianditu_key, embed_key_consent)
    results = in_storage_crs(results)
    shown = results[drawable(results)]
    bounds = shown.total_bounds if len(shown) else np.array(layers_bounds(layers))
    view = expand_bounds(tuple(float(v) for v in bounds), margin_m)
    m = new_map(display_bounds(view, basemap), basemap, key)
    roles = add_zoning_layers(m, layers, bounds=view, basemap=basemap, clip=True)
    add_sites(m, results, basemap=basemap, cluster_threshold=cluster_threshold)
    m.add_child(legend(roles, decision_counts(results)))
    return finish_map(m, layers, title, online)


__all__ = ["decision_map", "site_map"]
