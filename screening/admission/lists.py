"""The admission lists of a catalog, loaded once: validated against every control unit and district of the
loaded layers (their attribute tables, read with the layers: no layer file is opened here) and the sectors.

    >>> lst = admission_lists(layers, rules.sectors)        # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from zoning.layers import ZoningLayers

from ..sectors import SectorCatalog
from .load import AdmissionList, Context, combine, load_list
from .schema import ROLE, key


def unit_table(layers: ZoningLayers) -> pd.DataFrame:
    """unit, category, district of every control unit ('' district when the layer has none)."""
    frame = layers.frame("control_unit")
    if frame is None:
        return pd.DataFrame({"unit": pd.Series(dtype=object), "category": pd.Series(dtype=object),
                             "district": pd.Series(dtype=object)})
    district = frame["district"] if "district" in frame else pd.Series("", index=frame.index)
    return pd.DataFrame({"unit": frame["id"].astype(str).to_numpy(),
                         "category": frame["category"].astype(str).to_numpy(),
                         "district": district.fillna("").astype(str).to_numpy()}).drop_duplicates("unit")


def context(layers: ZoningLayers, sectors: SectorCatalog) -> Context:
    """Unit codes and accepted district spellings (unit districts, district names and codes), and sectors.

    Units and districts come from the layers' attribute tables, which hold every feature even when only
    those near a site were read; without them (no table layers, an unreadable source), from the frames."""
    units = unit_table(layers)
    full = layers.attributes("control_unit", ("id", "district"))
    if full is not None and "id" in full:
        extra = full[~full["id"].isin(units["unit"])]
        units = pd.concat([units, pd.DataFrame({"unit": extra["id"], "category": "",
                                                "district": extra.get("district", "")})], ignore_index=True)
    districts = {key(d): d for d in units["district"].unique() if d}
    frame = layers.attributes("district", ("id", "name"))
    if frame is None or not {"id", "name"} <= set(frame):
        frame = layers.frame("district")
    if frame is not None:
        for code, name in zip(frame["id"].astype(str), frame["name"].astype(str)):
            districts.setdefault(key(name), name)
            districts.setdefault(key(code), districts[key(name)])
    return Context(units, districts, sectors)


def load_admission_lists(layers: ZoningLayers, sectors: SectorCatalog) -> AdmissionList | None:
    """Every `role = "admission_list"` entry of the layers' catalog, read and validated now; None if none."""
    specs = layers.catalog.by_role(ROLE) if layers.catalog is not None else []
    if not specs:
        return None
    ctx = context(layers, sectors)
    return combine([load_list(spec, ctx) for spec in specs])


def admission_lists(layers: ZoningLayers, sectors: SectorCatalog) -> AdmissionList | None:
    """The catalog's admission lists (load_admission_lists), loaded once per file version and kept with the
    layers (ZoningLayers.derived), keyed by each list file's path, mtime and size and the sector catalog:
    every screen of the same loaded layers shares them, and an edited list file is read again."""
    specs = layers.catalog.by_role(ROLE) if layers.catalog is not None else []
    if not specs:
        return None
    stamp = tuple((s.path, Path(s.path).stat().st_mtime_ns, Path(s.path).stat().st_size) for s in specs)
    return layers.derived((ROLE, stamp, str(sectors.path)), lambda: load_admission_lists(layers, sectors))
