"""Where each project is: lon/lat cells (decimal or DMS), projected X/Y (with --crs or a GK zone prefix), WKT /
GeoJSON text or the file's own geometry, in the stated coordinate system (坐标系 cell, --coords, else
CGCS2000 assumed), shifted from GCJ-02 / BD-09 to CGCS2000, swapped lon/lat fixed, checked to lie in China.
All through zoning.coords, vectorised per kind of location."""

from __future__ import annotations

from functools import partial

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zoning import STORAGE_CRS, coords
from zoning.coords import CHINA_BOUNDS, looks_swapped
from zoning.errors import CoordinateError
from zoning.reproject import to_storage
from zoning.repair import repair

from .base import _quote
from .columns import _Work

__all__ = ["SWAP_WARNING", "DEFAULT_SYSTEM", "ASSUMED_NOTICE"]

SWAP_WARNING = "经纬度互换，已纠正 / lon/lat swapped, fixed"
#: The coordinate system of lon/lat cells when neither a 坐标系 cell nor the list's `coords` says one.
DEFAULT_SYSTEM = "CGCS2000"
ASSUMED_NOTICE = ("未注明坐标系的经纬度按 CGCS2000 处理；若坐标取自高德/腾讯（GCJ-02）或百度（BD-09）地图，请用 --coords "
                  "或“坐标系”列注明 / coordinates without a stated system were taken as CGCS2000; if they come from "
                  "Amap/Tencent (GCJ-02) or Baidu (BD-09) maps, say so with --coords or a 坐标系 column")


def _systems(work: _Work) -> np.ndarray:
    """Per-row coordinate system name (object array); unknown names make the row invalid (None).

    A 坐标系 cell wins; else the list's default (`coords=`, the CLI's --coords); else CGCS2000, assumed
    (`work.assumed` marks those rows, reported per row as coords_assumed and once in the summary).
    """
    systems = np.full(work.n, work.default_system or DEFAULT_SYSTEM, dtype=object)
    values = work.text.get("coords")
    work.assumed = np.full(work.n, work.default_system is None, dtype=bool)
    if values is None:
        return systems
    work.assumed &= ~values.notna().to_numpy()
    for value in values.dropna().unique():
        rows = (values == value).fillna(False).to_numpy(bool)
        try:
            systems[rows] = coords.normalize_system(value)
        except CoordinateError:
            systems[rows] = None
            work.add("error", rows, f"{work.column('coords')} {_quote(value)} is not a known coordinate system: "
                                    "use CGCS2000, WGS84, GCJ02 (高德/腾讯) or BD09 (百度)")
    return systems


def _file_system(work: _Work, systems: np.ndarray, kind: np.ndarray, file_geoms: gpd.GeoSeries) -> None:
    """Rows located by a WGS84 file's own geometry (GeoJSON, KML) report WGS84 unless 坐标系 says otherwise."""
    crs = file_geoms.crs
    if crs is not None and crs.to_epsg() == 4326:
        systems[(kind == "file") & ~work.present("coords")] = "WGS84"


def _convert_systems(work: _Work, geoms: np.ndarray, systems: np.ndarray) -> None:
    """GCJ-02 / BD-09 rows to CGCS2000, one vectorised transform per system; X/Y rows are left alone."""
    for system in ("GCJ02", "BD09"):
        rows = (systems == system) & ~shapely.is_missing(geoms)
        projected = rows & work.projected
        work.add("warning", projected, f"{work.column('coords')} {system} does not apply to projected X/Y; ignored")
        rows &= ~projected
        if rows.any():
            geoms[rows] = shapely.transform(geoms[rows], partial(_to_cgcs2000, system))


def _to_cgcs2000(system: str, xy: np.ndarray) -> np.ndarray:
    """An (n, 2) lon/lat array in `system` converted to CGCS2000."""
    lon, lat = coords.to_cgcs2000(xy[:, 0], xy[:, 1], system)
    return np.column_stack([np.asarray(lon, float), np.asarray(lat, float)])


def _locate(work: _Work, file_geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Geometry per row (EPSG:4490, before datum shifts) and where it came from: wkt/lonlat/xy/file/''."""
    geoms = np.full(work.n, None, dtype=object)
    kind = np.full(work.n, "", dtype=object)
    for name, locator in (("wkt", _from_wkt), ("lonlat", _from_lonlat), ("xy", _from_xy), ("file", _from_file)):
        rows = _claims(work, name, file_geoms) & (kind == "")
        if rows.any():
            kind[rows] = name
            geoms[rows] = locator(work, rows, file_geoms)
    # a row already refused (a malformed CSV line) is not told again that it has no location
    _no_location(work, (kind == "") & (work.errors == ""))
    return geoms, kind


def _claims(work: _Work, name: str, file_geoms: np.ndarray) -> np.ndarray:
    """Rows that carry this kind of location at all (valid or not)."""
    if name == "wkt":
        return work.present("wkt")
    if name == "lonlat":
        return work.present("lon") | work.present("lat")
    if name == "xy":
        return work.present("x") | work.present("y")
    return ~shapely.is_missing(file_geoms) & ~shapely.is_empty(file_geoms)


def _no_location(work: _Work, rows: np.ndarray) -> None:
    """Error for rows without any location."""
    have = [work.column(k) for k in ("wkt", "lon", "lat", "x", "y") if k in work.column_map]
    where = f"{'/'.join(have)} are empty" if have else "the row has no geometry"
    work.add("error", rows, f"no location: {where}; fill 经度/纬度 in decimal degrees (e.g. 106.55, 29.56), "
                            "X/Y with --crs, or a WKT outline")


def _pair(work: _Work, rows: np.ndarray, first: str, second: str) -> np.ndarray:
    """Rows with both cells of a coordinate pair; an error on rows where only one is filled."""
    a, b = work.present(first), work.present(second)
    for filled, empty in ((first, second), (second, first)):
        half = rows & work.present(filled) & ~work.present(empty)
        if half.any():
            values = work.text[filled].to_numpy(object)[half]
            work.add("error", half, [f"{work.column(empty)} is empty while {work.column(filled)} is {_quote(v)}: "
                                     "fill both coordinates" for v in values])
    return rows & a & b


def _from_lonlat(work: _Work, rows: np.ndarray, _file=None) -> np.ndarray:
    """Points from longitude/latitude cells (decimal or DMS), via zoning.coords.parse_lonlat_columns."""
    both = _pair(work, rows, "lon", "lat")
    parsed = coords.parse_lonlat_columns(_cells(work, "lon", both), _cells(work, "lat", both))
    _record(work, both, parsed, f"{work.column('lon')}/{work.column('lat')}: ", SWAP_WARNING)
    return _points(work, both, parsed)[rows]


def _from_xy(work: _Work, rows: np.ndarray, _file=None) -> np.ndarray:
    """Points from projected X/Y cells via zoning.coords.xy_to_lonlat; without `crs`, degrees pass as lon/lat."""
    both = _pair(work, rows, "x", "y")
    names = f"{work.column('x')}/{work.column('y')}"
    degrees = np.zeros(work.n, bool)
    if work.crs is None and both.any():
        parsed = coords.parse_lonlat_columns(_cells(work, "x", both), _cells(work, "y", both))
        degrees[np.flatnonzero(both)[(parsed["error"] == "").to_numpy(bool)]] = True
        work.add("warning", degrees, f"{names} read as longitude/latitude degrees (no --crs given)")
    out = np.full(work.n, None, dtype=object)
    work.projected |= both & ~degrees
    readers = ((degrees, coords.parse_lonlat_columns, SWAP_WARNING),
               (both & ~degrees, partial(coords.xy_to_lonlat, crs=work.crs), None))  # its notes tell of swaps
    for part, reader, swap_message in readers:
        if part.any():
            parsed = reader(_cells(work, "x", part), _cells(work, "y", part))
            _record(work, part, parsed, f"{names}: ", swap_message)
            out[part] = _points(work, part, parsed)[part]
    return out[rows]


def _cells(work: _Work, ours: str, rows: np.ndarray) -> pd.Series:
    """The raw cells of our column on `rows`, on a 0..k-1 index (numbers stay numbers)."""
    return work.frame[work.column_map[ours]][rows].reset_index(drop=True)


def _record(work: _Work, rows: np.ndarray, parsed: pd.DataFrame, prefix: str, swap_message: str | None) -> None:
    """Errors, swap warnings and notes of a parsed coordinate frame onto `rows`."""
    positions = np.flatnonzero(rows)
    error = parsed["error"].fillna("").astype(str).to_numpy(object)
    lon, lat = parsed["lon"].to_numpy(float), parsed["lat"].to_numpy(float)
    error[(error == "") & ~(np.isfinite(lon) & np.isfinite(lat))] = "the coordinates cannot be read"
    bad = error != ""
    work.add("error", positions[bad], prefix + error[bad])
    if swap_message:
        work.add("warning", positions[parsed["swapped"].to_numpy(bool) & ~bad], swap_message)
    if "note" in parsed:
        note = parsed["note"].fillna("").astype(str).to_numpy(object)
        work.add("warning", positions[(note != "") & ~bad], note[(note != "") & ~bad])


def _points(work: _Work, rows: np.ndarray, parsed: pd.DataFrame) -> np.ndarray:
    """A length-n array with points from parsed lon/lat on `rows` (None where they could not be read)."""
    out = np.full(work.n, None, dtype=object)
    lon, lat = parsed["lon"].to_numpy(float), parsed["lat"].to_numpy(float)
    good = np.isfinite(lon) & np.isfinite(lat)
    out[np.flatnonzero(rows)[good]] = shapely.points(lon[good], lat[good])
    return out


def _from_wkt(work: _Work, rows: np.ndarray, _file=None) -> np.ndarray:
    """Geometries from WKT (or GeoJSON) text in EPSG:4490, or in `crs` when given."""
    texts = work.text["wkt"].to_numpy(object)[rows]
    positions = np.flatnonzero(rows)
    geoms = shapely.from_wkt(texts, on_invalid="ignore")
    for i in np.flatnonzero(shapely.is_missing(geoms)):
        geoms[i] = _geometry_or_error(work, positions[i], texts[i])
    geoms = shapely.force_2d(geoms)
    if work.crs is not None:
        return _wkt_in_crs(work, positions, geoms)
    return _degrees_or_error(work, positions, geoms)


def _wkt_in_crs(work: _Work, positions: np.ndarray, geoms: np.ndarray) -> np.ndarray:
    """WKT in `crs` reprojected; with a projected `crs`, rows that are plainly degrees stay as they are."""
    crs = work.crs
    degrees = ~_projected_looking(shapely.bounds(geoms)) & ~shapely.is_missing(geoms)
    if crs.is_geographic or not degrees.any():
        return _to_storage(geoms, crs)
    work.add("warning", positions[degrees],
             f"{work.column('wkt')} is in degrees; read as CGCS2000 lon/lat, not {crs.name}")
    out = geoms.copy()
    out[~degrees] = _to_storage(geoms[~degrees], crs)
    return out


def _projected_looking(bounds: np.ndarray) -> np.ndarray:
    """Rows whose bounds cannot be degrees (|x| > 180 or |y| > 90)."""
    with np.errstate(invalid="ignore"):
        return (np.abs(bounds[:, [0, 2]]) > 180).any(axis=1) | (np.abs(bounds[:, [1, 3]]) > 90).any(axis=1)


def _geometry_or_error(work: _Work, position: int, text: str):
    """One WKT/GeoJSON text that shapely could not read fast, via zoning.coords.parse_geometry."""
    try:
        return coords.parse_geometry(text)
    except CoordinateError as exc:
        work.add("error", [position], f"{work.column('wkt')}: {exc}")
        return None


def _degrees_or_error(work: _Work, positions: np.ndarray, geoms: np.ndarray) -> np.ndarray:
    """WKT without --crs must be lon/lat degrees: projected-looking rows fail, swapped ones are fixed."""
    bounds = shapely.bounds(geoms)
    swapped = looks_swapped(bounds, box=CHINA_BOUNDS)
    projected = _projected_looking(bounds) & ~swapped
    for i in np.flatnonzero(projected):
        work.add("error", [positions[i]], f"{work.column('wkt')} coordinates look projected "
                 f"(x={bounds[i, 0]:.0f}, y={bounds[i, 1]:.0f}), not degrees: pass the CRS with crs=... (--crs), "
                 "e.g. EPSG:4545")
    geoms[projected] = None
    if swapped.any():
        geoms[swapped] = shapely.transform(geoms[swapped], lambda xy: xy[:, ::-1])
        work.add("warning", positions[swapped], SWAP_WARNING)
    return geoms


def _to_storage(geoms: np.ndarray, crs) -> np.ndarray:
    """Geometries reprojected from `crs` to EPSG:4490 (densified first, so polygon edges keep their course)."""
    return to_storage(gpd.GeoSeries(geoms, crs=crs)).to_numpy()


def _file_geometry(geometry, n: int) -> gpd.GeoSeries:
    """The file's own geometry as a GeoSeries on 0..n-1 (all None when there is none)."""
    if geometry is None:
        return gpd.GeoSeries([None] * n)
    if not isinstance(geometry, gpd.GeoSeries):
        geometry = gpd.GeoSeries(list(geometry), crs=STORAGE_CRS)
    return geometry.reset_index(drop=True)


def _from_file(work: _Work, rows: np.ndarray, file_geoms: gpd.GeoSeries) -> np.ndarray:
    """The file's geometry for `rows`, reprojected; a file without CRS must hold lon/lat in China."""
    selected = gpd.GeoSeries(shapely.force_2d(file_geoms.to_numpy()[rows]), crs=file_geoms.crs)
    if selected.crs is None and work.crs is not None:
        selected = selected.set_crs(work.crs)
    if selected.crs is None:
        return _assume_storage(work, np.flatnonzero(rows), selected.to_numpy())
    return to_storage(selected).to_numpy()


def _assume_storage(work: _Work, positions: np.ndarray, geoms: np.ndarray) -> np.ndarray:
    """Geometry of a file without CRS: kept as EPSG:4490 when it is lon/lat in China, else an error."""
    inside = _in_china(geoms)
    work.add("warning", positions[inside], "文件无坐标系，按 CGCS2000 经纬度读取 / file has no CRS; read as CGCS2000 lon/lat")
    work.add("error", positions[~inside], "the file has no CRS and its coordinates are not lon/lat in China: "
                                          "add the .prj file or pass crs=... (--crs)")
    geoms = geoms.copy()
    geoms[~inside] = None
    return geoms


def _in_china(geoms: np.ndarray) -> np.ndarray:
    """True where a geometry's bounds lie within the lon/lat box around China."""
    bounds = shapely.bounds(geoms)
    with np.errstate(invalid="ignore"):
        return ((bounds[:, 0] >= CHINA_BOUNDS[0]) & (bounds[:, 2] <= CHINA_BOUNDS[2])
                & (bounds[:, 1] >= CHINA_BOUNDS[1]) & (bounds[:, 3] <= CHINA_BOUNDS[3]))


def _check_geometries(work: _Work, geoms: np.ndarray) -> np.ndarray:
    """Repair invalid polygons (warning); empty or out-of-China geometries become errors."""
    polygonal = np.isin(shapely.get_type_id(geoms), (3, 6))
    fixed, repaired, reasons = repair(geoms[polygonal], keep="polygon")
    geoms = geoms.copy()
    geoms[polygonal] = fixed
    work.add("warning", np.flatnonzero(polygonal)[repaired],
             [f"几何无效（{r}），已用 make_valid 修复 / invalid polygon ({r}) repaired" for r in reasons[repaired]])
    present = ~shapely.is_missing(geoms) & (work.errors == "")
    empty = present & shapely.is_empty(geoms)
    work.add("error", empty, "the geometry is empty: give the site as a point (经度/纬度) or a polygon outline")
    located = present & ~empty
    outside = located & ~_in_china(geoms)
    for i in np.flatnonzero(outside):
        x, y = shapely.get_coordinates(geoms[i])[0]
        work.add("error", [i], f"location ({x:.6g}, {y:.6g}) is outside China (lon 73–136, lat 3–54): check the "
                               "numbers, the column order and the coordinate system")
    return geoms
