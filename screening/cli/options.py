"""Options shared by sub-commands, and where the defaults (demo catalog, rules folder) are found."""

from __future__ import annotations

import os
from pathlib import Path

import click

from zoning.data import demo_catalog, rules_dir


def default_catalog() -> Path:
    """$ZONING_CATALOG, else ./layers/demo/catalog.toml, else the shipped demo catalog (zoning.data)."""
    env = os.environ.get("ZONING_CATALOG")
    if env:
        return Path(env)
    local = Path("layers/demo/catalog.toml")
    return local if local.exists() else demo_catalog()


def default_rules() -> Path:
    """$ZONING_RULES, else ./rules, else the shipped rules folder (zoning.data)."""
    env = os.environ.get("ZONING_RULES")
    if env:
        return Path(env)
    local = Path("rules")
    return local if (local / "sectors.yaml").exists() else rules_dir()


catalog_option = click.option(
    "--catalog", "catalog", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Layer catalog TOML (default: $ZONING_CATALOG or the demo catalog).",
)
rules_option = click.option(
    "--rules", "rules_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Rules folder (default: $ZONING_RULES or ./rules).",
)
