"""The attribute table of every feature of a role, read without geometry once, with the layers.

A load limited to a site's box keeps only the features near it, yet the tables of a catalog (admission
lists) name control units and districts anywhere: `load_layers` keeps, for those roles, our fields of every
feature as stripped text ('' for blanks), read here through `opened_source` (zipped layers safely).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyogrio

from .catalog import ROLE_FIELDS, TABLE_ROLES, Catalog, LayerSpec, source_field
from .encoding import shapefile_encoding
from .vector import opened_source

#: roles whose whole attribute table is kept: the units and districts that table layers name by code
ATTRIBUTE_ROLES = ("control_unit", "district")


def read_tables(catalog: Catalog) -> dict[str, pd.DataFrame | None]:
    """Role -> attribute table of every feature, for the ATTRIBUTE_ROLES of a catalog that has table layers
    (nothing otherwise: no one asks). None for a role whose sources cannot be read without geometry."""
    if not any(spec.role in TABLE_ROLES for spec in catalog.layers):
        return {}
    return {role: read_attributes(catalog.by_role(role)) for role in ATTRIBUTE_ROLES if catalog.by_role(role)}


def read_attributes(specs: list[LayerSpec]) -> pd.DataFrame | None:
    """Our fields (those of ROLE_FIELDS the source has) of every feature of `specs`, one table, as stripped
    text; None when any source cannot be read so (a database table, or a fault `load_layers` reports)."""
    parts = []
    try:
        for entry in specs:
            with opened_source(entry) as spec:
                shp = Path(spec.path).suffix.lower() in (".shp", ".dbf")
                encoding = spec.encoding or (shapefile_encoding(spec.path) if shp else None)
                raw = pyogrio.read_dataframe(spec.path, layer=spec.layer, read_geometry=False,
                                             **({"encoding": encoding} if encoding else {}))
            parts.append(_our_fields(raw, spec))
    except Exception:  # an unreadable source is reported by the layer's own load; callers fall back to the frames
        return None
    return pd.concat(parts, ignore_index=True) if parts else None


def _our_fields(raw: pd.DataFrame, spec: LayerSpec) -> pd.DataFrame:
    """The source columns of our fields (matched case-insensitively), as stripped text with '' for blanks."""
    required, optional = ROLE_FIELDS[spec.role]
    lower = {str(c).lower(): c for c in raw.columns}
    cols = {f: raw[lower[source_field(spec, f).lower()]] for f in (*optional, *required)
            if source_field(spec, f).lower() in lower}
    return pd.DataFrame(cols).astype("string").fillna("").apply(lambda c: c.str.strip())
