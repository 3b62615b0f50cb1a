"""Options shared by sub-commands, and where the defaults (demo catalog, rules folder) are found."""

from __future__ import annotations

from pathlib import Path

import click

from zoning.data import default_catalog, default_rules


def _or_default(default):
    """An option callback giving the default path (resolved when the command runs) for an option left out."""
    return lambda _ctx, _param, value: value if value is not None else default()


catalog_option = click.option(
    "--catalog", "catalog", type=click.Path(dir_okay=False, path_type=Path), default=None,
    callback=_or_default(default_catalog),
    help="Layer catalog TOML (default: $ZONING_CATALOG or the demo catalog).",
)
rules_option = click.option(
    "--rules", "rules_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    callback=_or_default(default_rules),
    help="Rules folder (default: $ZONING_RULES or ./rules).",
)
