"""standardize: an in-memory table (text cells, optional file geometry) to the standard project columns:
locations (zoning.coords via .location), project facts (.facts), one error and warning text per row."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj

from zoning import STORAGE_CRS, coords
from zoning.errors import CoordinateError

from .base import OUTPUT_COLUMNS, STRING, ProjectFileError
from .columns import _require_location, _Work, resolve_columns
from .facts import _attributes
from .location import _check_geometries, _convert_systems, _file_geometry, _file_system, _locate, _systems

__all__ = ["standardize"]

def standardize(frame: pd.DataFrame, crs=None, geometry=None, source: str = "", coords=None) -> gpd.GeoDataFrame:
    """Standard project columns (EPSG:4490 geometry, error, warnings) for an in-memory table.

    `coords` is the coordinate system of lon/lat cells without a 坐标系 value (CGCS2000 when not given,
    flagged per row in `coords_assumed`).
    """
    return _standardize(frame, crs, geometry, source, coords_system=coords)[0]


def _standardize(frame, crs, geometry, source, generic=(), row_errors=None, row_warnings=None, coords_system=None
                 ) -> tuple[gpd.GeoDataFrame, dict[str, str]]:
    """standardize() plus the column map it used; `generic` columns match only when nothing else does.

    `row_errors` / `row_warnings` (one text per row, '' for none) are problems found while reading the file.
    """
    column_map = resolve_columns(frame.columns, generic)
    _require_location(column_map, geometry, source, frame.columns)
    work = _Work(frame.reset_index(drop=True), column_map, _checked_crs(crs, source), source)
    work.default_system = _checked_system(coords_system, source)
    for level, texts in (("error", row_errors), ("warning", row_warnings)):
        if texts is not None:
            texts = np.asarray(texts, dtype=object)
            work.add(level, texts != "", texts[texts != ""])
    geometry = _file_geometry(geometry, len(frame))
    systems = _systems(work)
    geoms, kind = _locate(work, geometry)
    _file_system(work, systems, kind, geometry)
    _convert_systems(work, geoms, systems)
    geoms = _check_geometries(work, geoms)
    attributes = _attributes(work)
    failed = work.errors != ""
    geoms[failed] = None
    out = pd.DataFrame(attributes)
    out["coords_system"] = pd.array(systems, dtype=STRING)
    out["coords_assumed"] = work.assumed & ~work.projected & ~np.isin(kind, ("file", ""))
    out["error"] = pd.array(_prefixed_errors(work, attributes["id"]), dtype=STRING)
    out["warnings"] = pd.array(work.warnings, dtype=STRING)
    out = out[list(OUTPUT_COLUMNS)]
    out.index = frame.index
    result = gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(geoms, index=frame.index, crs=STORAGE_CRS))
    return result, column_map


def _checked_system(system, source: str) -> str | None:
    """The list's coordinate system (`coords=` / --coords) by its canonical name; None when not given."""
    if system is None or (isinstance(system, str) and not system.strip()):
        return None
    try:
        return coords.normalize_system(system)
    except CoordinateError as exc:
        raise ProjectFileError(f"{source or 'table'}: --coords {system!r} 不是已知坐标系 / is not a known coordinate "
                               "system: use CGCS2000, WGS84, GCJ02 (高德/腾讯) or BD09 (百度)") from exc


def _checked_crs(crs, source: str) -> pyproj.CRS | None:
    """The `crs` argument as a pyproj CRS via zoning.coords.parse_crs (None when not given); one it cannot read is
    a file error."""
    try:
        return coords.parse_crs(crs)
    except CoordinateError as exc:
        raise ProjectFileError(f"{source or 'table'}: 无法识别坐标参照系 {crs!r} / crs {crs!r} is not a coordinate "
                               "reference system pyproj knows; give an EPSG code such as EPSG:4545 (CGCS2000 3° GK, "
                               "CM 108°E)") from exc


def _prefixed_errors(work: _Work, ids: pd.Series) -> np.ndarray:
    """Errors prefixed with the row they belong to: 'row 7 (id P-007): ...'."""
    errors = work.errors.copy()
    has_id = work.present("id")
    for i in np.flatnonzero(errors != ""):
        label = f"row {i + 1} (id {ids.iat[i]})" if has_id[i] else f"row {i + 1}"
        errors[i] = f"{label}: {errors[i]}"
    return errors
