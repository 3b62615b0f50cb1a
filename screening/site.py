"""Screen one site from typed-in values — what an EIA reviewer asks about a single project.

Examples
--------
>>> import screening
>>> one = screening.screen_site(lon="106°33′12″", lat="29°33′36″", sector="C2614", construction="新建")
>>> one["decision"].iloc[0], one["decision_zh"].iloc[0]
('review', '需人工复核')

A single site reads the layers only near it (`site_layers`). The search radius caps what is reported,
never what decides: the layers are read at least as far as the largest distance a rule compares with
(`read_radius_m`), and `screen` computes those distances that far whatever `max_distance_m` says.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import geopandas as gpd
import pandas as pd

from zoning.data import default_catalog, default_rules
from zoning.facts import DISTANCE_FACTS, check_max_distance
from zoning.layers import ZoningLayers, load_layers
from zoning.metric import METRES_PER_DEGREE, METRES_PER_DEGREE_LAT_MIN

from .projects import ProjectList, standardize
from .rules import RuleSet, load_rules
from .screen import screen

_FIELDS = ("id", "name", "sector", "construction", "lon", "lat", "wkt", "coords", "process", "major", "park")
#: read this much past the largest rule threshold, so a feature at the threshold is read whole
_READ_PAD_M = 100.0


def site_projects(crs=None, **values) -> ProjectList:
    """A one-row ProjectList from keyword values (the same column names a project file uses)."""
    unknown = set(values) - set(_FIELDS)
    if unknown:
        raise TypeError(f"unknown field(s) {', '.join(sorted(unknown))}; use {', '.join(_FIELDS)}")
    row = {k: ("" if v is None else str(v)) for k, v in values.items() if v is not None}
    row.setdefault("id", "site-1")
    frame = pd.DataFrame([row], dtype=object)
    return ProjectList(source="(single site)", original=frame, projects=standardize(frame, crs=crs))


def read_radius_m(rules: RuleSet, radius_m: float) -> float:
    """How far around a site the layers must be read: `radius_m`, or farther when a rule compares a distance
    fact with a larger threshold (the threshold wins, so a small radius never makes such a fact "beyond").

    `radius_m` must be above 0 (else a MaxDistanceError naming --max-distance / the radius).
    """
    radius = check_max_distance(radius_m)
    need = max((t for f, t in rules.thresholds.items() if f in DISTANCE_FACTS), default=0.0)
    floor = need + _READ_PAD_M if need > 0 else 0.0
    return math.inf if radius is None else max(radius, floor)


def site_bbox(geoms: gpd.GeoSeries, margin_m: float) -> tuple[float, float, float, float] | None:
    """Lon/lat box around the sites plus `margin_m` (None when no site could be read, or an infinite
    margin: read everything)."""
    if not math.isfinite(margin_m) or geoms.isna().all() or geoms.is_empty.all():
        return None
    minx, miny, maxx, maxy = geoms.total_bounds
    dlat = margin_m / METRES_PER_DEGREE_LAT_MIN
    dlon = margin_m / (METRES_PER_DEGREE * math.cos(math.radians(max(abs(miny), abs(maxy)))))
    return (minx - dlon, miny - dlat, maxx + dlon, maxy + dlat)


def site_layers(catalog: str | Path, projects: ProjectList, rules: RuleSet, radius_m: float) -> ZoningLayers:
    """The catalog's layers read only around the site(s): within `radius_m`, widened to every rule threshold."""
    return load_layers(catalog, bbox=site_bbox(projects.projects.geometry, read_radius_m(rules, radius_m)))


def screen_site(layers: ZoningLayers | str | Path | None = None, rules: RuleSet | str | Path | None = None, *,
                crs=None, as_of: dt.date | None = None, tolerance_m2: float = 1.0,
                max_distance_m: float | None = None, radius_m: float = 10_000.0, **values) -> gpd.GeoDataFrame:
    """Screen one project given as keywords (lon/lat or wkt, sector, construction, ...); one result row.

    `layers` may be loaded layers, or a catalog path (default: `zoning.data.default_catalog()`): then only
    the features within `radius_m` of the site are read (widened to every rule threshold, `site_layers`)
    and distances are reported up to `radius_m`. `max_distance_m` caps the distances reported (as for
    `screen`); decisions are those without the cap.
    """
    projects = site_projects(crs=crs, **values)
    rules = rules if isinstance(rules, RuleSet) else load_rules(rules if rules is not None else default_rules())
    if not isinstance(layers, ZoningLayers):
        check_max_distance(radius_m)
        layers = site_layers(layers if layers is not None else default_catalog(), projects, rules, radius_m)
        max_distance_m = min(max_distance_m or radius_m, radius_m)
    return screen(projects, layers, rules, as_of=as_of, tolerance_m2=tolerance_m2, max_distance_m=max_distance_m)
