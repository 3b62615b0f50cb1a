"""Results into a PostGIS table (`zoning screen --to postgresql://… --table schema.name`), replacing it.

The replacement is atomic: the rows go into a new table under a temporary name, and in the same transaction
the old table is dropped and the new one renamed (with its indexes) onto the final name. Readers see the old
table, whole, until the commit and the new one, whole, after it; an interrupted or failed write rolls back and
leaves neither a half-filled table nor the temporary one. The old table is locked only for the final
drop-and-rename, not while the rows are sent.
"""

from __future__ import annotations

import uuid

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
    staging = temp_table(name)
    qualified = (f"{quote(schema)}." if schema else "") + quote(name)
    try:
        with engine.begin() as conn:
            if schema:
                conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {quote(schema)}"))
            frame.to_postgis(staging, conn, schema=schema, if_exists="fail", index=False, chunksize=chunksize)
            _swap(conn, schema, staging, name, qualified)
    except Exception as exc:
        raise LayerError(f"--to: cannot write table {table}: {error_text(exc)}") from exc
    return len(frame)


def temp_table(name: str) -> str:
    """A fresh table name for staging rows bound for `name` (within PostgreSQL's 63-byte identifiers)."""
    tag = f"_partial_{uuid.uuid4().hex[:8]}"
    head = name.encode("utf-8")[:63 - len(tag)].decode("utf-8", "ignore")
    return head + tag


def _swap(conn, schema: str | None, staging: str, name: str, qualified: str) -> None:
    """In the open transaction: drop the old table `qualified` (if any) and rename `staging` (and the indexes
    named after it, such as the spatial index idx_<staging>_geometry) onto `name`."""
    from sqlalchemy import text

    where = f"{quote(schema)}." if schema else ""
    conn.execute(text(f"DROP TABLE IF EXISTS {qualified}"))
    conn.execute(text(f"ALTER TABLE {where}{quote(staging)} RENAME TO {quote(name)}"))
    indexes = conn.execute(text(
        "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = to_regclass(:q) AND position(:tmp in c.relname) > 0"),
        {"q": qualified, "tmp": staging}).scalars().all()
    for index in indexes:
        renamed = index.replace(staging, name).encode("utf-8")[:63].decode("utf-8", "ignore")
        taken = conn.execute(text("SELECT to_regclass(:q)"), {"q": where + quote(renamed)}).scalar()
        if taken is None:  # an index of another table may hold the name; then the temporary name stays
            conn.execute(text(f"ALTER INDEX {where}{quote(index)} RENAME TO {quote(renamed)}"))
