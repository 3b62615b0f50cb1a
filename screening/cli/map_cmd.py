"""`zoning map`: the zoning layers of a catalog as a self-contained HTML map."""

from __future__ import annotations

from pathlib import Path

import click

from zoning.errors import ZoningError
from zoning.layers import load_layers

from .options import catalog_option


@click.command("map")
@catalog_option
@click.option("-o", "--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=Path("zoning.html"),
              show_default=True, help="HTML file to write.")
@click.option("--basemap", type=click.Choice(["none", "osm", "tianditu-vec", "tianditu-img", "amap"]), default="none",
              show_default=True, help="Background tiles; 'none' works without any network.")
@click.option("--tianditu-key", envvar="TIANDITU_KEY", help="Tianditu key (or $TIANDITU_KEY).")
@click.option("--embed-key", is_flag=True, help="Consent to writing the Tianditu key into the page.")
@click.option("--online", is_flag=True, help="Load Leaflet from CDNs instead of inlining it.")
def map_cmd(catalog, out, basemap, tianditu_key, embed_key, online) -> None:
    """Write a zoning map: every layer toggleable, legend in Chinese and English, scale bar."""
    from maps.save import save_map
    from maps.zoning_map import zoning_map

    try:
        layers = load_layers(catalog)
        m = zoning_map(dict(layers.frames), basemap=basemap, online=online, tianditu_key=tianditu_key,
                       embed_key_consent=embed_key)
    except (ZoningError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    size = save_map(m, out, online=online)
    click.echo(f"wrote {out} ({size / 1e6:.1f} MB)")
