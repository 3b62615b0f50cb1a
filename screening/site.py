"""Screen one site from typed-in values — what an EIA reviewer asks about a single project.

>>> from zoning.layers import load_layers                                    # doctest: +SKIP
>>> verdict = screen_site(load_layers("layers/demo/catalog.toml"), load_rules(),
...                       lon="106°33′12″", lat="29°33′36″", sector="C2614", construction="新建")  # doctest: +SKIP
>>> verdict["decision"]                                                       # doctest: +SKIP
'prohibited'
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd

from zoning.layers import ZoningLayers

from .projects import ProjectList, standardize
from .rules import RuleSet
from .screen import screen

_FIELDS = ("id", "name", "sector", "construction", "lon", "lat", "wkt", "coords", "process", "major", "park")


def site_projects(crs=None, **values) -> ProjectList:
    """A one-row ProjectList from keyword values (the same column names a project file uses)."""
    unknown = set(values) - set(_FIELDS)
    if unknown:
        raise TypeError(f"unknown field(s) {', '.join(sorted(unknown))}; use {', '.join(_FIELDS)}")
    row = {k: ("" if v is None else str(v)) for k, v in values.items() if v is not None}
    row.setdefault("id", "site-1")
    frame = pd.DataFrame([row], dtype=object)
    return ProjectList(source="(single site)", original=frame, projects=standardize(frame, crs=crs))


def screen_site(layers: ZoningLayers, rules: RuleSet, *, crs=None, as_of: dt.date | None = None,
                tolerance_m2: float = 1.0, **values) -> gpd.GeoDataFrame:
    """Screen one project given as keywords (lon/lat or wkt, sector, construction, ...); one result row."""
    return screen(site_projects(crs=crs, **values), layers, rules, as_of=as_of, tolerance_m2=tolerance_m2)
