"""Drawing screened sites: coloured by decision, polygons as polygons, points as (clustered) circle markers."""

import folium
import geopandas as gpd
import numpy as np
import shapely

from maps.basemap import to_display
from maps.draw import features_json, in_storage_crs
from maps.elements import Cluster, DataGroup, VectorLayer
from maps.popups import decision_popup, decision_tip
from maps.simplify import round_coords
from maps.styles import DECISION_COLORS, DECISION_LABELS, DECISION_ORDER

_POINT_TYPES = (0, 4)  # Point, MultiPoint
_CLUSTER_ICON = """
function (cluster) {
    var n = cluster.getChildCount();
    var s = n < 10 ? 30 : (n < 100 ? 36 : 44);
    return L.divIcon({
        html: '<div style="background:%s;width:' + s + 'px;height:' + s + 'px;line-height:' + (s - 4) +
              'px;border-radius:50%%;border:2px solid #333;text-align:center;font:bold 12px sans-serif;' +
              'box-sizing:border-box;color:#111">' + n + '</div>',
        className: 'maps-cluster', iconSize: L.point(s, s)});
}
"""


def drawable(results: gpd.GeoDataFrame) -> np.ndarray:
    """Mask of the rows that can be drawn: a geometry, and not an invalid input row."""
    geoms = np.asarray(results.geometry.values, dtype=object)
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if "decision" in results.columns:
        ok &= (results["decision"].astype("string").fillna("") != "invalid").to_numpy(dtype=bool)
    return ok


def decision_counts(results: gpd.GeoDataFrame) -> dict[str, int]:
    """Number of sites per decision, invalid rows included."""
    if "decision" not in results.columns:
        return {}
    return {str(k): int(v) for k, v in results["decision"].value_counts(dropna=True).items()}


def site_style(decision: str, point: bool) -> dict:
    """Leaflet style of a site: filled with the decision colour, dark outline."""
    style = {"color": "#333333", "weight": 1.5, "fillColor": DECISION_COLORS.get(decision, "#777777"),
             "fillOpacity": 0.8 if point else 0.65, "opacity": 1}
    if point:
        style["radius"] = 7
    return style


def add_sites(m: folium.Map, results: gpd.GeoDataFrame, *, basemap: str, cluster_threshold: int = 500) -> int:
    """Draw every drawable site in one group per decision; return how many were drawn."""
    results = in_storage_crs(results)
    results = results[drawable(results)]
    if len(results) == 0:
        return 0
    geoms = to_display(round_coords(np.asarray(results.geometry.values, dtype=object), 6), basemap)
    is_point = np.isin(shapely.get_type_id(geoms), _POINT_TYPES)
    cluster = int(is_point.sum()) > cluster_threshold
    records = results.drop(columns=results.geometry.name).to_dict("records")
    decisions = results["decision"].astype("string").fillna("").to_numpy() if "decision" in results else \
        np.array([""] * len(results))
    order = [d for d in DECISION_ORDER if d in set(decisions)] + sorted(set(decisions) - set(DECISION_ORDER))
    for decision in order:
        idx_all = np.flatnonzero(decisions == decision)
        zh, en = DECISION_LABELS.get(decision, (decision or "未定", decision or "undecided"))
        group = DataGroup(f"{zh} {en} ({len(idx_all)})").add_to(m)
        for point in (False, True):
            idx = idx_all[is_point[idx_all] == point]
            if len(idx) == 0:
                continue
            data = features_json(geoms[idx], [decision_popup(records[i]) for i in idx],
                                 [decision_tip(records[i]) for i in idx])
            layer = VectorLayer(data, site_style(decision, point), name="sites")
            if point and cluster:
                colour = DECISION_COLORS.get(decision, "#777777")
                holder = Cluster(control=False, icon_create_function=_CLUSTER_ICON % colour,
                                 options={"maxClusterRadius": 80}).add_to(group)
                holder.add_child(layer)
            else:
                group.add_child(layer)
    return len(results)

