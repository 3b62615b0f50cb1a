"""CGCS2000 3-degree Gauss-Krüger x/y: the one home of zone handling.

Zone CRSs with and without the zone prefix on the easting (EPSG:4513–4533 prefixed zones 25–45, EPSG:4534–4554
unprefixed CM 75–135°E), recognising a GK zone in any CRS spelling, surveyors' X = northing order, projected
x/y to CGCS2000 lon/lat (xy_to_lonlat, one pyproj call per CRS), and fix_gk_prefix for layers whose .prj names
the wrong twin of a zone.
"""

from __future__ import annotations

import math
from functools import cache, lru_cache

import numpy as np
import pandas as pd
import pyproj

from zoning.errors import CoordinateError

from ._arrays import _join_rows, _missing, _paired, _plain_numbers, _put, _to_float
from .crs import _method_name, crs_label, parse_crs
from .notation import _ANGLE_TABLE

__all__ = ["STORAGE_EPSG", "gk_zone_crs", "gk_zone_of", "fix_gk_prefix", "xy_to_lonlat"]

STORAGE_EPSG = 4490  # CGCS2000 geographic, what xy_to_lonlat returns

_GK_FIRST_ZONE, _GK_LAST_ZONE = 25, 45  # CGCS2000 3-degree zones over China: CM 75E .. 135E
_GK_PREFIXED_EPSG_BASE = 4488  # prefixed zone n is EPSG:(4488 + n): 4513 = zone 25 .. 4533 = zone 45
_GK_UNPREFIXED_EPSG_CM75 = 4534  # unprefixed CM 75E; one code per 3 degrees up to 4554 = CM 135E
_EASTING_MIN, _EASTING_MAX = 100_000.0, 900_000.0  # eastings within a zone, without prefix
_NORTHING_MIN, _NORTHING_MAX = 1_000_000.0, 6_000_000.0  # 7-digit northings over China


@cache
def _gk_crs_cached(zone: int, prefixed: bool) -> pyproj.CRS:
    """EPSG CRS of a CGCS2000 3-degree GK zone (cached: building a CRS reads the PROJ database)."""
    if prefixed:
        return pyproj.CRS.from_epsg(_GK_PREFIXED_EPSG_BASE + zone)
    return pyproj.CRS.from_epsg(_GK_UNPREFIXED_EPSG_CM75 + zone - _GK_FIRST_ZONE)


def gk_zone_crs(zone: int, prefixed: bool) -> pyproj.CRS:
    """CGCS2000 3-degree Gauss-Krüger CRS of zone 25–45 (central meridian 3·zone °E).

    prefixed=True: eastings carry the zone number (EPSG:4513–4533); False: plain 6-digit (EPSG:4534–4554).
    >>> gk_zone_crs(36, prefixed=False).to_epsg(), gk_zone_crs(36, prefixed=True).to_epsg()
    (4545, 4524)
    """
    if isinstance(zone, (bool, np.bool_)) or not isinstance(zone, (int, np.integer)):
        raise CoordinateError(f"GK zone {zone!r} is not an integer: expected a zone number 25–45")
    zone = int(zone)
    if not _GK_FIRST_ZONE <= zone <= _GK_LAST_ZONE:
        hint = f" (central meridian {zone}°E is zone {zone // 3})" if zone % 3 == 0 and 75 <= zone <= 135 else ""
        raise CoordinateError(
            f"GK zone {zone} is outside 25–45: expected a CGCS2000 3-degree zone number, "
            f"e.g. 36 for central meridian 108°E{hint}"
        )
    return _gk_crs_cached(zone, bool(prefixed))


def gk_zone_of(crs: pyproj.CRS) -> tuple[int, bool] | None:
    """(zone, prefixed) when crs is a CGCS2000-ellipsoid 3-degree GK zone (any spelling), else None."""
    operation = crs.coordinate_operation if crs.is_projected else None
    if operation is None or "transverse mercator" not in operation.method_name.lower():
        return None
    params = {p.name.lower(): p.value for p in operation.params}
    ellipsoid = crs.ellipsoid
    grs80 = (
        ellipsoid is not None
        and math.isclose(ellipsoid.semi_major_metre, 6378137.0, abs_tol=1e-3)
        and math.isclose(ellipsoid.inverse_flattening, 298.257222101, abs_tol=1e-6)
    )
    cm = params.get("longitude of natural origin")
    if not grs80 or cm is None or params.get("scale factor at natural origin") != 1.0:
        return None
    if params.get("latitude of natural origin", 0.0) != 0.0 or params.get("false northing", 0.0) != 0.0:
        return None
    zone = round(cm / 3.0)
    if not math.isclose(cm, 3.0 * zone) or not _GK_FIRST_ZONE <= zone <= _GK_LAST_ZONE:
        return None
    false_easting = params.get("false easting")
    if false_easting == 500_000.0:
        return zone, False
    if false_easting == zone * 1_000_000.0 + 500_000.0:
        return zone, True
    return None


def fix_gk_prefix(crs: pyproj.CRS, bounds: np.ndarray) -> tuple[pyproj.CRS, str]:
    """Swap a GK CRS for its prefixed/unprefixed twin when the eastings say so; (crs, note) with note '' if kept."""
    info = gk_zone_of(crs) if crs is not None else None
    if info is None:
        return crs, ""
    zone, prefixed = info
    minx, maxx = float(bounds[0]), float(bounds[2])
    if not prefixed and minx > 1e7:
        data_zone = int(minx // 1e6)
        if data_zone != zone or int(maxx // 1e6) != zone:
            return crs, ""
        fixed = gk_zone_crs(zone, prefixed=True)
        return fixed, f"eastings carry zone prefix {zone}: read as EPSG:{fixed.to_epsg()} instead of EPSG:{crs.to_epsg()}"
    if prefixed and maxx < 1e6:
        fixed = gk_zone_crs(zone, prefixed=False)
        return fixed, f"eastings have no zone prefix: read as EPSG:{fixed.to_epsg()} instead of EPSG:{crs.to_epsg()}"
    return crs, ""


@lru_cache(maxsize=64)
def _to_storage(crs: pyproj.CRS) -> pyproj.Transformer:
    """Transformer from crs to EPSG:4490, easting/northing order (cached per CRS)."""
    return pyproj.Transformer.from_crs(crs, STORAGE_EPSG, always_xy=True)


def _metres(raw: pd.Series, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Numbers from a column of x or y (full-width digits, spaces and thousands commas tolerated)."""
    values = _plain_numbers(raw)
    missing = _missing(raw)
    text = np.isnan(values) & ~missing
    if text.any():
        cleaned = raw[text].astype("string").str.translate(_ANGLE_TABLE).str.replace(r"[\s,]", "", regex=True)
        values[text] = _to_float(cleaned)
    err = np.full(len(raw), "", dtype=object)
    err[missing] = f"missing {what}: expected a number of metres"
    bad = ~np.isfinite(values) & ~missing
    if bad.any():
        shown = raw[bad].astype("string").to_numpy(dtype=object, copy=True)
        err[bad] = [f"cannot read {what} '{s}': expected a number of metres like 359474.1 or 3272217.3" for s in shown]
    values[err != ""] = np.nan
    return values, err


def _zone_prefix(easting: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(zone, has_prefix): the leading zone number of 8-digit eastings whose zone is 25–45."""
    with np.errstate(invalid="ignore"):
        zone = np.floor(easting / 1_000_000.0)
        rest = easting - zone * 1_000_000.0
        prefixed = (zone >= _GK_FIRST_ZONE) & (zone <= _GK_LAST_ZONE) & (rest >= _EASTING_MIN) & (rest < _EASTING_MAX)
    return np.where(prefixed, zone, 0).astype(int), prefixed


def _plain_easting(values: np.ndarray) -> np.ndarray:
    """True for 6-digit eastings (100000–900000) without a zone prefix."""
    return (values >= _EASTING_MIN) & (values < _EASTING_MAX)


def _surveyor_swap(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """True where x looks like a 7-digit northing and y like an easting: surveyors' X/Y order."""
    northing_x = (x >= _NORTHING_MIN) & (x <= _NORTHING_MAX)
    return northing_x & (_plain_easting(y) | _zone_prefix(y)[1])


class _Plan:
    """Per-row choice of source CRS (index into crs_list, -1 = error), with notes and errors."""

    def __init__(self, n: int):
        self.target = np.full(n, -1)
        self.crs_list: list[pyproj.CRS] = []
        self.note = np.full(n, "", dtype=object)
        self.error = np.full(n, "", dtype=object)

    def use(self, mask: np.ndarray, crs: pyproj.CRS, note: str = "") -> None:
        """Rows in mask (and not already failed) are read in crs; note why when it is not the given one."""
        mask = mask & (self.error == "")
        if not mask.any():
            return
        if crs not in self.crs_list:
            self.crs_list.append(crs)
        self.target[mask] = self.crs_list.index(crs)
        if note:
            self.note[mask] = _join_rows(self.note[mask], np.full(mask.sum(), note, dtype=object))

    def fail(self, mask: np.ndarray, message) -> None:
        """Rows in mask get an error (the first one recorded wins)."""
        _put(self.error, mask, message)


def _plan_gk(plan: _Plan, easting: np.ndarray, valid: np.ndarray, given: pyproj.CRS, zone: int, prefixed: bool):
    """Rows in a given GK zone: follow the zone prefix the eastings actually carry."""
    row_zone, has_prefix = _zone_prefix(easting)
    plain = _plain_easting(easting)
    cm = 3 * zone
    same_zone = valid & has_prefix & (row_zone == zone)
    if prefixed:
        plan.use(same_zone, given)
        plan.use(valid & plain, gk_zone_crs(zone, False),
                 f"easting has no zone prefix: read in {crs_label(gk_zone_crs(zone, False))} instead of {crs_label(given)}")
    else:
        plan.use(same_zone, gk_zone_crs(zone, True),
                 f"easting carries zone prefix {zone}: read in {crs_label(gk_zone_crs(zone, True))} "
                 f"instead of {crs_label(given)}")
        plan.use(valid & plain, given)
    for other in np.unique(row_zone[valid & has_prefix & (row_zone != zone)]):
        plan.fail(valid & has_prefix & (row_zone == other),
                  f"easting carries zone prefix {other} (central meridian {3 * other}°E) but the CRS "
                  f"{crs_label(given)} has central meridian {cm}°E: expected the prefix {zone} or a matching CRS")
    shown = pd.Series(easting).round(1).astype("string")
    plan.fail(valid & ~has_prefix & ~plain,
              "easting " + shown + f" is not a CGCS2000 3-degree GK easting for {crs_label(given)}: expected 6 digits "
              f"(100000–900000) or 8 digits starting with the zone number {zone}")


def _plan_inferred(plan: _Plan, easting: np.ndarray, valid: np.ndarray) -> None:
    """No CRS given: only an 8-digit easting's zone prefix can say which GK zone the row is in."""
    row_zone, has_prefix = _zone_prefix(easting)
    for zone in np.unique(row_zone[valid & has_prefix]):
        crs = gk_zone_crs(int(zone), True)
        plan.use(valid & has_prefix & (row_zone == zone), crs,
                 f"no CRS given: zone {zone} inferred from the easting's prefix, read in {crs_label(crs)}")
    shown = pd.Series(easting).round(1).astype("string")
    plan.fail(valid & ~has_prefix,
              "no CRS given and easting " + shown + " has no CGCS2000 3-degree zone prefix (25–45): expected crs=, "
              "e.g. 'EPSG:4545' for central meridian 108°E")


_SWAP_NOTE = (
    "x and y swapped: x looked like a northing (7 digits) and y like an easting; "
    "Chinese surveyors write X = northing, Y = easting"
)


def xy_to_lonlat(x, y, crs=None) -> pd.DataFrame:
    """Projected x/y (metres) -> CGCS2000 lon/lat (EPSG:4490), one row per input, never raising on data.

    Handles CGCS2000 3-degree GK zones with or without the zone prefix (inferring the zone from an
    8-digit easting when crs is None) and surveyors' X = northing order. Columns: lon, lat, swapped,
    note, error. A crs pyproj cannot read raises CoordinateError.
    >>> xy_to_lonlat([3272217.3], [359474.1], "EPSG:4545")[["lon", "lat", "swapped"]].round(4).values.tolist()
    [[106.55, 29.56, True]]
    """
    x_s, y_s, index = _paired(x, y, ("x", "y"))
    xs, x_err = _metres(x_s, "x")
    ys, y_err = _metres(y_s, "y")
    given = parse_crs(crs)
    gk = gk_zone_of(given) if given is not None else None
    plan = _Plan(len(x_s))
    plan.error[:] = _join_rows(x_err, y_err)
    valid = plan.error == ""

    tm_like = given is None or gk is not None or "transverse mercator" in _method_name(given)
    swapped = valid & _surveyor_swap(xs, ys) if tm_like else np.zeros(len(x_s), dtype=bool)
    easting = np.where(swapped, ys, xs)
    northing = np.where(swapped, xs, ys)
    plan.note[swapped] = _SWAP_NOTE

    if given is None:
        _plan_inferred(plan, easting, valid)
    elif gk is not None:
        _plan_gk(plan, easting, valid, given, *gk)
    else:
        plan.use(valid, given)
    lon, lat = _transform_planned(plan, easting, northing)
    return pd.DataFrame(
        {
            "lon": lon,
            "lat": lat,
            "swapped": swapped,
            "note": pd.array(plan.note, dtype="str"),
            "error": pd.array(plan.error, dtype="str"),
        },
        index=index,
    )


def _transform_planned(plan: _Plan, easting: np.ndarray, northing: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Transform each CRS group in one pyproj call; rows that do not project get an error."""
    lon = np.full(len(easting), np.nan)
    lat = np.full(len(easting), np.nan)
    for k, crs in enumerate(plan.crs_list):
        rows = (plan.target == k) & (plan.error == "")
        if rows.any():
            lon[rows], lat[rows] = _to_storage(crs).transform(easting[rows], northing[rows])
    unprojected = (plan.error == "") & ~(np.isfinite(lon) & np.isfinite(lat))
    plan.fail(unprojected, "x/y could not be converted to lon/lat: expected coordinates inside the CRS's area")
    failed = plan.error != ""
    lon[failed] = np.nan
    lat[failed] = np.nan
    return lon, lat
