"""Geometry text: WKT (with an optional 'SRID=4490;' prefix) or GeoJSON (a geometry or a Feature) to shapely,
with errors that say what was expected."""

from __future__ import annotations

import json
import math
import re

import shapely
import shapely.errors
from shapely.geometry import shape

from zoning.errors import CoordinateError

__all__ = ["parse_geometry"]

_SRID_PREFIX = re.compile(r"^\s*SRID\s*=\s*(?P<srid>[^;]*?)\s*;\s*", re.IGNORECASE)
_LONLAT_SRIDS = {"4490", "4326"}
_GEOJSON_GEOMETRIES = {
    "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection",
}
_GEOMETRY_EXAMPLE = (
    "WKT like 'POINT (106.55 29.56)' or GeoJSON like '{\"type\": \"Point\", \"coordinates\": [106.55, 29.56]}'"
)


def _preview(text: str, limit: int = 60) -> str:
    """The start of a long text, quoted, for error messages."""
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _geometry_from_wkt(text: str) -> shapely.Geometry:
    """WKT (any case) with an optional 'SRID=4490;' prefix, which must name a lon/lat CRS."""
    prefix = _SRID_PREFIX.match(text)
    if prefix:
        srid = prefix.group("srid")
        if srid not in _LONLAT_SRIDS:
            raise CoordinateError(
                f"geometry {_preview(text)} has SRID={srid}: expected lon/lat in SRID=4490 (CGCS2000) or "
                "SRID=4326 (WGS84); convert projected coordinates first"
            )
        text = text[prefix.end():]
    try:
        return shapely.from_wkt(text)
    except (shapely.errors.ShapelyError, ValueError, TypeError) as exc:
        raise CoordinateError(f"cannot read WKT {_preview(text)} ({exc}): expected {_GEOMETRY_EXAMPLE}") from exc


def _geojson_geometry_dict(obj, text: str) -> dict:
    """The geometry member of a GeoJSON geometry or Feature, with a clear error otherwise."""
    kind = obj.get("type") if isinstance(obj, dict) else None
    if kind == "Feature":
        geometry = obj.get("geometry")
        if not isinstance(geometry, dict):
            raise CoordinateError(f"GeoJSON Feature {_preview(text)} has no geometry: expected a geometry object")
        obj, kind = geometry, geometry.get("type")
    if kind == "FeatureCollection":
        count = len(obj.get("features") or [])
        raise CoordinateError(
            f"GeoJSON is a FeatureCollection with {count} features: expected one geometry or one Feature"
        )
    if kind not in _GEOJSON_GEOMETRIES:
        raise CoordinateError(
            f"GeoJSON {_preview(text)} has type {kind!r}: expected a geometry "
            f"({', '.join(sorted(_GEOJSON_GEOMETRIES))}) or a Feature"
        )
    member = "geometries" if kind == "GeometryCollection" else "coordinates"
    if member not in obj:
        raise CoordinateError(f"GeoJSON {kind} {_preview(text)} has no '{member}': expected {_GEOMETRY_EXAMPLE}")
    return obj


def _geometry_from_geojson(text: str) -> shapely.Geometry:
    """A shapely geometry from GeoJSON text holding a geometry or a Feature."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CoordinateError(
            f"cannot read GeoJSON {_preview(text)}: {exc.msg} at line {exc.lineno} column {exc.colno}; "
            f"expected {_GEOMETRY_EXAMPLE}"
        ) from exc
    geometry = _geojson_geometry_dict(obj, text)
    try:
        return shape(geometry)
    except (shapely.errors.ShapelyError, ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise CoordinateError(
            f"cannot build a {geometry['type']} from GeoJSON {_preview(text)} ({exc}): expected {_GEOMETRY_EXAMPLE}"
        ) from exc


def parse_geometry(text: str) -> shapely.Geometry:
    """A shapely geometry from WKT ('SRID=4490;' prefix allowed) or GeoJSON (geometry or Feature) text.

    >>> parse_geometry("SRID=4490;point (106.55 29.56)").wkt
    'POINT (106.55 29.56)'
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CoordinateError(f"geometry bytes are not UTF-8 ({exc}): expected {_GEOMETRY_EXAMPLE}") from exc
    if text is None or (isinstance(text, float) and math.isnan(text)):
        raise CoordinateError(f"geometry is missing: expected {_GEOMETRY_EXAMPLE}")
    if not isinstance(text, str):
        raise CoordinateError(f"cannot read geometry from {type(text).__name__}: expected {_GEOMETRY_EXAMPLE}")
    body = text.strip().lstrip("\ufeff").strip()
    if not body:
        raise CoordinateError(f"geometry text is empty: expected {_GEOMETRY_EXAMPLE}")
    geometry = _geometry_from_geojson(body) if body.startswith("{") else _geometry_from_wkt(body)
    if geometry is None or geometry.is_empty:
        raise CoordinateError(f"geometry {_preview(body)} is empty: expected at least one coordinate")
    return geometry
