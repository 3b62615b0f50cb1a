"""What is where: zoning layers, coordinate handling and spatial facts for project sites.

The public API:

>>> import zoning
>>> layers = zoning.load_layers(zoning.demo_catalog())
>>> sorted(layers.frames)[:3]
['control_unit', 'district', 'park']
>>> facts = zoning.compute_facts(layers.frame("park").representative_point(), layers)
>>> len(facts) == len(layers.frame("park"))
True

"""

from __future__ import annotations

STORAGE_CRS = "EPSG:4490"  # CGCS2000 geographic: how layers and sites are kept

from .archive import safe_extract  # noqa: E402 - the modules below read STORAGE_CRS from here
from .catalog import read_catalog  # noqa: E402
from .data import default_catalog, demo_catalog, rules_dir  # noqa: E402
from .errors import CatalogError, LayerError, ZoningError  # noqa: E402
from .facts import compute_facts  # noqa: E402
from .layers import ZoningLayers, check_layers, load_layers  # noqa: E402

__all__ = [
    "STORAGE_CRS", "CatalogError", "LayerError", "ZoningError", "ZoningLayers", "check_layers", "compute_facts",
    "default_catalog", "demo_catalog", "load_layers", "read_catalog", "rules_dir", "safe_extract",
]
