"""PostGIS tables as layer sources: SQLAlchemy + psycopg (imported lazily), password only from the environment.

The project's GDAL has no PostgreSQL driver, so tables are read with `geopandas.read_postgis`; the rows then
go through the same field mapping, repair and reprojection as files (`zoning.vector.read_vector`).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import geopandas as gpd
from pyproj import CRS
from pyproj.exceptions import CRSError

from .errors import LayerError
from .report import LayerReport

if TYPE_CHECKING:  # pragma: no cover
    from .catalog import LayerSpec

EXTRA_HINT = "pip install 'zoning-screen[postgis]'"


def connect(url: str, password_env: str | None = None, where: str = "database"):
    """A SQLAlchemy engine for `url` (postgresql://… or GDAL-style PG:…); the password comes from
    `$password_env` when given, else libpq's own PGPASSWORD / ~/.pgpass."""
    try:
        import psycopg
        import sqlalchemy
        from sqlalchemy.pool import NullPool
    except ImportError as exc:
        raise LayerError(f"{where}: PostGIS needs {exc.name}, which is not installed; {EXTRA_HINT}") from exc
    conninfo = url[3:].strip() if url.startswith("PG:") else url
    extra: dict[str, Any] = {}
    if password_env:
        password = os.environ.get(password_env)
        if password is None:
            raise LayerError(f"{where}: environment variable {password_env} (password_env) is not set; "
                             f"export it with the database password")
        extra["password"] = password
    return sqlalchemy.create_engine("postgresql+psycopg://", poolclass=NullPool,
                                    creator=lambda: psycopg.connect(conninfo, **extra))


def split_table(name: str) -> tuple[str | None, str]:
    """`schema.name` -> (schema, name); a bare name -> (None, name)."""
    schema, _, table = name.rpartition(".")
    return (schema or None), table


def quote(identifier: str) -> str:
    """A PostgreSQL identifier in double quotes, exactly as spelled."""
    return '"' + identifier.replace('"', '""') + '"'


def read_table(spec: LayerSpec, report: LayerReport, bbox: tuple[float, float, float, float] | None = None
               ) -> gpd.GeoDataFrame:
    """The table's rows as they are (source columns, geometry column renamed `geometry`, CRS from the SRID).

    With `bbox` (lon/lat, EPSG:4490) only rows whose geometry meets the box are read, through the
    table's GiST index: `geom && ST_Transform(ST_MakeEnvelope(…, 4490), srid)`.
    """
    engine = connect(spec.path, spec.password_env, spec.where)
    schema, table = split_table(spec.table or "")
    qualified = f"{quote(schema)}.{quote(table)}" if schema else quote(table)
    report.encoding = "UTF-8 (database)"
    try:
        with engine.connect() as conn:
            geom, srid, crs, order = _describe(conn, qualified, spec)
            sql = f"SELECT * FROM {qualified}"
            params: dict[str, Any] = {}
            target = srid or _epsg(spec.crs)
            if bbox is not None and target:
                step = max(bbox[2] - bbox[0], bbox[3] - bbox[1]) / 16 or 1e-6
                box = "ST_Segmentize(ST_MakeEnvelope(:x0, :y0, :x1, :y1, 4490), :step)"
                box = box if target == 4490 else f"ST_Transform({box}, {int(target)})"
                sql += f" WHERE {quote(geom)} && " + (box if srid else f"ST_SetSRID({box}, 0)")
                params = dict(zip(("x0", "y0", "x1", "y1"), map(float, bbox)), step=step)
                report.notes.append("read only the features near the site")
            if order:
                sql += " ORDER BY " + ", ".join(map(quote, order))
            from sqlalchemy import text

            raw = gpd.read_postgis(text(sql), conn, geom_col=geom, crs=crs, params=params)
    except LayerError:
        raise
    except Exception as exc:  # psycopg / SQLAlchemy errors carry the server's words, never the password
        raise LayerError(f"{spec.where}: cannot read table {spec.table}: {error_text(exc)}") from exc
    report.notes.append(f"PostGIS table {spec.table}, geometry column {geom}, SRID {srid}")
    return raw.rename_geometry("geometry") if geom != "geometry" else raw


def _describe(conn, qualified: str, spec: LayerSpec) -> tuple[str, int, CRS | None, list[str]]:
    """(geometry column, SRID, CRS, primary-key columns) of a table; LayerError when it is not there."""
    from sqlalchemy import text

    found = conn.execute(text("SELECT to_regclass(:q)::oid"), {"q": qualified}).scalar()
    if found is None:
        raise LayerError(f"{spec.where}: table {spec.table} not found in the database; check 'table' "
                         f"(schema.name, case-sensitive)")
    row = conn.execute(text(
        "SELECT a.attname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
        "WHERE a.attrelid = CAST(:oid AS oid) AND a.attnum > 0 AND NOT a.attisdropped AND t.typname = 'geometry' "
        "ORDER BY a.attnum LIMIT 1"), {"oid": int(found)}).first()
    if row is None:
        raise LayerError(f"{spec.where}: table {spec.table} has no PostGIS geometry column")
    geom = row[0]
    srid = conn.execute(text(f"SELECT ST_SRID({quote(geom)}) FROM {qualified} WHERE {quote(geom)} IS NOT NULL "
                             f"LIMIT 1")).scalar() or 0
    crs = None
    if srid:
        ref = conn.execute(text("SELECT auth_name, auth_srid, srtext FROM spatial_ref_sys WHERE srid = :s"),
                           {"s": srid}).first()
        crs = CRS.from_user_input(f"{ref[0]}:{ref[1]}" if ref and ref[0] else (ref[2] if ref else srid))
    order = [r[0] for r in conn.execute(text(
        "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
        "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = CAST(:oid AS oid) AND i.indisprimary "
        "ORDER BY array_position(i.indkey::int2[], a.attnum)"), {"oid": int(found)})]
    return geom, int(srid), crs, order


def _epsg(crs: str | None) -> int | None:
    """EPSG code of a catalog `crs`, so a table without SRID can still be filtered by box."""
    if not crs:
        return None
    try:
        return CRS.from_user_input(crs).to_epsg()
    except CRSError:  # an unusual CRS: read the whole table instead
        return None


def error_text(exc: Exception) -> str:
    """The first line of a driver error (the server's words; URLs here never hold a password)."""
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]

