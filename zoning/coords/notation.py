"""Angles as people type them: decimal degrees, DMS (106°33′12.5″, 东经106度33分12.5秒, 106 33 12.5) and the
usual typing slips (full-width digits and marks, a decimal comma, '' for ″, 经度/纬度 labels), one vectorised
regex pass over the text cells; plain numbers take a fast path. parse_lonlat_columns reads a lon and a lat
column and fixes swapped columns (zoning.coords.swap).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from zoning.errors import CoordinateError

from ._arrays import _join_rows, _missing, _paired, _plain_numbers, _put, _to_float
from .swap import looks_swapped, marked_swapped

__all__ = ["parse_angle", "parse_lonlat_columns"]


def _angle_table() -> dict[int, str | None]:
    """str.translate table: full-width forms, degree/minute/second marks and 东西南北 to plain ASCII."""
    table: dict[int, str | None] = {0xFF10 + i: str(i) for i in range(10)}
    table.update({0xFF21 + i: chr(ord("A") + i) for i in range(26)})
    table.update({0xFF41 + i: chr(ord("a") + i) for i in range(26)})
    table.update({ord(c): "°" for c in "º˚度"})
    table.update({ord(c): "'" for c in "′＇’‘´分"})
    table.update({ord(c): '"' for c in "″＂”“秒"})
    table.update({ord(c): "." for c in "．。"})
    table.update({ord(c): "," for c in "，"})
    table.update({ord(c): " " for c in "\u3000\xa0\t:：;；、"})
    table.update({ord(c): "-" for c in "－−"})
    table.update({ord("＋"): "+", ord("东"): "E", ord("西"): "W", ord("北"): "N", ord("南"): "S"})
    table.update({ord("经"): None, ord("纬"): None})
    return table


_ANGLE_TABLE = _angle_table()
_NUM = r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
_ANGLE_PATTERN = (
    r"^(?P<h1>[NSEW])?\s*(?P<sign>[-+])?\s*(?P<deg>" + _NUM + r")"
    r"(?:(?:\s*°\s*|\s+)(?P<min>" + _NUM + r")"
    r"(?:(?:\s*'\s*|\s+)(?P<sec>" + _NUM + r")(?:\s*\")?|\s*')?"
    r"|\s*°)?"
    r"\s*(?P<h2>[NSEW])?$"
)
_EXAMPLES = {
    "longitude": "decimal degrees like 106.5533 or DMS like 106°33′12.5″",
    "latitude": "decimal degrees like 29.5617 or DMS like 29°33′42″",
    "angle": "decimal degrees like 106.5533 or DMS like 106°33′12.5″",
}


def _normalise_angle_text(text: pd.Series) -> pd.Series:
    """Rewrite typed angles to ASCII with ° ' \" marks and E/W/N/S letters, upper case, trimmed."""
    text = text.str.replace(r"经度|纬度", "", regex=True).str.translate(_ANGLE_TABLE)
    text = text.str.replace("''", '"', regex=False)
    decimal_comma = (text.str.count(",") == 1) & ~text.str.contains(".", regex=False)
    text = text.where(~decimal_comma.fillna(False), text.str.replace(",", ".", regex=False))
    return text.str.replace(",", " ", regex=False).str.upper().str.strip()


def _parse_angle_text(raw: pd.Series, what: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse non-numeric angle strings with one vectorised regex: (degrees, axis, error)."""
    raw = raw.astype("string")
    parts = raw.pipe(_normalise_angle_text).str.extract(_ANGLE_PATTERN)
    deg, mins, secs = _to_float(parts["deg"]), _to_float(parts["min"]), _to_float(parts["sec"])
    hemi = parts["h1"].fillna(parts["h2"]).fillna("").to_numpy(dtype=object, copy=True)
    quoted = "'" + raw + "'"
    err = np.full(len(raw), "", dtype=object)
    _put(err, np.isnan(deg), "cannot read " + what + " " + quoted + ": expected " + _EXAMPLES[what])
    has_min, has_sec = ~np.isnan(mins), ~np.isnan(secs)
    deg_fraction = parts["deg"].str.contains(".", regex=False).fillna(False).to_numpy(dtype=bool, copy=True)
    min_fraction = parts["min"].str.contains(".", regex=False).fillna(False).to_numpy(dtype=bool, copy=True)
    _put(err, deg_fraction & has_min, "degrees with a decimal fraction cannot be followed by minutes in "
         + what + " " + quoted + ": expected " + _EXAMPLES[what])
    _put(err, min_fraction & has_sec, "minutes with a decimal fraction cannot be followed by seconds in "
         + what + " " + quoted + ": expected " + _EXAMPLES[what])
    _put(err, has_min & (mins >= 60), "minutes " + parts["min"] + " in " + what + " " + quoted
         + " must be below 60: expected " + _EXAMPLES[what])
    _put(err, has_sec & (secs >= 60), "seconds " + parts["sec"] + " in " + what + " " + quoted
         + " must be below 60: expected " + _EXAMPLES[what])
    _put(err, (parts["h1"].notna() & parts["h2"].notna()).to_numpy(dtype=bool, copy=True),
         what + " " + quoted + " has two hemisphere letters: expected one, before or after the number")
    _put(err, (parts["sign"].notna() & (hemi != "")).to_numpy(dtype=bool, copy=True),
         what + " " + quoted + " has both a sign and a hemisphere letter: expected one of them, e.g. "
         "-106.55 or 106.55W")
    magnitude = deg + np.nan_to_num(mins) / 60.0 + np.nan_to_num(secs) / 3600.0
    is_ew, is_ns = np.isin(hemi, ["E", "W"]), np.isin(hemi, ["N", "S"])
    _put(err, is_ew & (magnitude > 180), what + " " + quoted + " is east/west beyond 180°: expected 0–180")
    _put(err, is_ns & (magnitude > 90), what + " " + quoted + " is north/south beyond 90°: expected 0–90")
    negative = (parts["sign"] == "-").fillna(False).to_numpy(dtype=bool, copy=True) | np.isin(hemi, ["W", "S"])
    values = np.where(negative, -magnitude, magnitude)
    values[err != ""] = np.nan
    axis = np.where(is_ew, "lon", np.where(is_ns, "lat", "")).astype(object)
    return values, axis, err


def _parse_angle_series(raw: pd.Series, what: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse a column of angles: (degrees, axis 'lon'/'lat'/'' from a hemisphere letter, error text)."""
    raw = raw.reset_index(drop=True)
    values = _plain_numbers(raw)
    axis = np.full(len(raw), "", dtype=object)
    err = np.full(len(raw), "", dtype=object)
    missing = _missing(raw)
    text = np.isnan(values) & ~missing
    if text.any():
        values[text], axis[text], err[text] = _parse_angle_text(raw[text], what)
    err[missing] = f"missing {what}: expected {_EXAMPLES[what]}"
    infinite = np.isinf(values)
    if infinite.any():
        shown = raw[infinite].astype("string").to_numpy(dtype=object, copy=True)
        err[infinite] = [f"{what} '{s}' is not a finite number: expected {_EXAMPLES[what]}" for s in shown]
    values[err != ""] = np.nan
    return values, axis, err


def parse_angle(text: str | float) -> float:
    """Degrees from a typed angle: decimal, DMS, with E/W/N/S or 东经/北纬 (W and S negative).

    >>> parse_angle("东经106°33′12.5″"), parse_angle("29°33′S"), parse_angle("106 33 12.5")
    (106.55347222222223, -29.55, 106.55347222222223)
    """
    if isinstance(text, (bool, np.bool_)):
        raise CoordinateError(f"cannot read angle {text!r}: expected {_EXAMPLES['angle']}")
    if isinstance(text, (int, float, np.integer, np.floating)):
        if not math.isfinite(float(text)):
            raise CoordinateError(f"cannot read angle {text!r}: expected a finite number of degrees")
        return float(text)
    if text is None:
        raise CoordinateError(f"missing angle: expected {_EXAMPLES['angle']}")
    if not isinstance(text, str):
        raise CoordinateError(
            f"cannot read angle from {type(text).__name__} {text!r}: expected text or a number of degrees"
        )
    values, _, err = _parse_angle_series(pd.Series([text], dtype="string"), "angle")
    if err[0]:
        raise CoordinateError(err[0])
    return float(values[0])


def parse_lonlat_columns(lon: pd.Series, lat: pd.Series) -> pd.DataFrame:
    """Parse lon/lat columns into floats, fixing swapped columns when unambiguous; never raises on data.

    Returns columns lon, lat (NaN on error), swapped (bool) and error ("" when fine), on lon's index.
    Plain numbers take a vectorised fast path; only other text goes through the DMS parser. Swaps are
    found by zoning.coords.swap: hemisphere letters (29°33′N in the lon column), else a latitude beyond ±90
    that is a valid longitude while the longitude is a valid latitude.
    >>> parse_lonlat_columns(pd.Series(["29.56", "29°33′N"]), pd.Series([106.55, "106°33′E"])).values.tolist()
    [[106.55, 29.56, True, ''], [106.55, 29.55, True, '']]
    """
    lon_s, lat_s, index = _paired(lon, lat, ("lon", "lat"))
    lon_v, lon_axis, lon_err = _parse_angle_series(lon_s, "longitude")
    lat_v, lat_axis, lat_err = _parse_angle_series(lat_s, "latitude")
    ok = (lon_err == "") & (lat_err == "")
    unmarked = (lon_axis == "") & (lat_axis == "")
    swapped = ok & (marked_swapped(lon_axis, lat_axis) | (unmarked & looks_swapped(np.column_stack([lon_v, lat_v]))))
    out_lon = np.where(swapped, lat_v, lon_v)
    out_lat = np.where(swapped, lon_v, lat_v)

    extra = np.full(len(lon_s), "", dtype=object)
    _put(extra, ok & (lon_axis == "lat") & (lat_axis == "lat"),
         "both values are marked N/S: expected an E/W longitude and an N/S latitude")
    _put(extra, ok & (lon_axis == "lon") & (lat_axis == "lon"),
         "both values are marked E/W: expected an E/W longitude and an N/S latitude")
    bad_lon = ok & (extra == "") & (np.abs(out_lon) > 180)
    bad_lat = ok & (extra == "") & ~bad_lon & (np.abs(out_lat) > 90)
    extra[bad_lon] = [f"longitude {v:g} is outside -180..180" for v in out_lon[bad_lon]]
    extra[bad_lat] = [
        f"latitude {la:g} is outside -90..90 and longitude {lo:g} is not a valid latitude either, "
        "so the columns cannot simply be swapped"
        for lo, la in zip(out_lon[bad_lat], out_lat[bad_lat])
    ]
    error = _join_rows(lon_err, lat_err, extra)
    failed = error != ""
    out_lon[failed] = np.nan
    out_lat[failed] = np.nan
    return pd.DataFrame(
        {
            "lon": out_lon,
            "lat": out_lat,
            "swapped": swapped & ~failed,
            "error": pd.array(error, dtype="str"),
        },
        index=index,
    )
