"""Results into a PostGIS table (`zoning screen --to postgresql://… --table schema.name`), replacing it."""

from __future__ import annotations

import geopandas as gpd
from pyproj import CRS

from zoning import STORAGE_CRS
from zoning.catalog import check_database_url
from zoning.errors import CatalogError, LayerError
from zoning.postgis import EXTRA_HINT, connect, error_text, quote, split_table


def check_target(url: str, table: str) -> tuple[str | None, str]:
    """(schema, name) of a --to/--table pair; CatalogError for a password in the URL or a bad table name."""
    check_database_url(url, "--to")
    schema, name = split_table(table or "")
    if not name or not url.startswith(("postgresql://", "postgres://", "PG:")):
        raise CatalogError(f"--to {url.split('@')[-1]!r} --table {table!r}: give a postgresql:// URL and a table "
                           f"name (schema.name)")
    return schema, name


def write_postgis(results: gpd.GeoDataFrame, url: str, table: str, password_env: str | None = None,
                  chunksize: int = 20_000) -> int:
    """Replace `table` (the schema is created if missing) with every result row, geometry in EPSG:4490."""
    schema, name = check_target(url, table)
    try:
        import geoalchemy2  # noqa: F401  (geopandas.to_postgis needs it)
        from sqlalchemy import text
    except ImportError as exc:
        raise LayerError(f"--to: writing to PostGIS needs {exc.name}, which is not installed; {EXTRA_HINT}") from exc
    frame = results
    if frame.crs is None or CRS.from_user_input(frame.crs) != CRS.from_user_input(STORAGE_CRS):
        frame = frame.set_crs(STORAGE_CRS) if frame.crs is None else frame.to_crs(STORAGE_CRS)
    engine = connect(url, password_env, "--to")
    try:
        with engine.begin() as conn:
            if schema:
                conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {quote(schema)}"))
            frame.to_postgis(name, conn, schema=schema, if_exists="replace", index=False, chunksize=chunksize)
    except Exception as exc:
        raise LayerError(f"--to: cannot write table {table}: {error_text(exc)}") from exc
    return len(frame)
