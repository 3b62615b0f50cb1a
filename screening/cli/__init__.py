"""The `zoning` command: one small module per sub-command over the Python API.

    zoning layers check [--catalog F]
    zoning screen INPUT -o OUTDIR            (or --lon/--lat/--wkt for one site)
    zoning rules test [--rules DIR]
    zoning map [--catalog F] -o zoning.html
"""

from __future__ import annotations

import click

from .errors import EXIT_CODES_HELP, QuietGroup, debug_option
from .layers_cmd import layers
from .lists_cmd import lists
from .map_cmd import map_cmd
from .rules_cmd import rules
from .screen_cmd import screen_cmd


@click.group(cls=QuietGroup, context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_CODES_HELP)
@click.version_option(package_name="zoning-screen")
@debug_option
def main() -> None:
    """Screen industrial projects against ecological zoning (三线一单) and 渝环〔2023〕71号."""


main.add_command(layers)
main.add_command(screen_cmd)
main.add_command(rules)
main.add_command(map_cmd)
main.add_command(lists)
