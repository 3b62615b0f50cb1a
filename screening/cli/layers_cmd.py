"""`zoning layers check`: what each layer of a catalog holds and what was wrong with it."""

from __future__ import annotations

import time

import click
from rich.console import Console
from rich.table import Table

from zoning.errors import ZoningError
from zoning.layers import check_layers

from .options import catalog_option


@click.group()
def layers() -> None:
    """Zoning layers: check a catalog (and prepare caches)."""


@layers.command("check")
@catalog_option
def check(catalog) -> None:
    """Print, per layer: source, CRS, features, vertices, extent, repairs, encoding, problems."""
    console = Console(soft_wrap=True)
    try:
        reports = check_layers(catalog)
    except ZoningError as exc:
        raise click.ClickException(str(exc)) from exc
    failed = 0
    for r in reports:
        failed += bool(r.failed)
        console.print(_block(r))
    if failed:
        raise click.ClickException(f"{failed} of {len(reports)} layer(s) could not be loaded; see problems above")
    console.print(f"[green]{len(reports)} layer(s) loaded from {catalog}[/green]")


@layers.command("prepare")
@catalog_option
def prepare_cmd(catalog) -> None:
    """Repair and reproject every vector layer once and cache it (GeoParquet); later runs use it."""
    from zoning.cache import prepare

    started = time.perf_counter()
    try:
        folder = prepare(catalog)
    except ZoningError as exc:
        raise click.ClickException(str(exc)) from exc
    size = sum(f.stat().st_size for f in folder.iterdir())
    click.echo(f"prepared {catalog} -> {folder} ({size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s")


def _block(r) -> Table:
    """One layer as a two-column key/value table."""
    table = Table(title=f"{r.role}", title_justify="left", show_header=False, box=None, padding=(0, 1))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    extent = "" if r.extent is None else "{:.4f}, {:.4f} – {:.4f}, {:.4f}".format(*r.extent)
    edition = " · ".join(x for x in (r.version, f"valid from {r.valid_from}" if r.valid_from else None, r.issued_by) if x)
    rows = [
        ("source", r.where), ("CRS", r.crs), ("features", f"{r.features:,}"), ("vertices", f"{r.vertices:,}"),
        ("extent", extent), ("encoding", r.encoding), ("edition", edition or "not given"),
        ("repaired", f"{len(r.repaired)}" + "".join(f"\n  {x}" for x in r.repaired[:20])),
        ("notes", "\n".join(r.notes) or "none"),
        ("problems", "[red]" + "\n".join(r.problems) + "[/red]" if r.problems else "none"),
    ]
    for key, value in rows:
        table.add_row(key, value)
    return table
