"""Shared fixtures: the synthetic GK/GBK zoning world, built once per test session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import zoning_world  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DEMO_CATALOG = REPO / "layers" / "demo" / "catalog.toml"


@pytest.fixture(scope="session")
def world_catalog(tmp_path_factory) -> Path:
    """Catalog of GBK shapefiles without .cpg in EPSG:4545 plus a GeoTIFF (see tests/zoning_world.py)."""
    return zoning_world.build(tmp_path_factory.mktemp("world"))


@pytest.fixture(scope="session")
def world_layers(world_catalog):
    from zoning.layers import load_layers

    return load_layers(world_catalog)


@pytest.fixture(scope="session")
def demo_layers():
    from zoning.layers import load_layers

    return load_layers(DEMO_CATALOG)
