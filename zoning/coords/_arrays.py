"""Array helpers shared by the coordinate modules: scalars/lists/Series to float arrays, paired columns,
missing cells, fast numeric reading and row-wise message arrays (all vectorised, no loops over rows)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from zoning.errors import CoordinateError

def _float_array(values) -> np.ndarray:
    """Float numpy array of scalars, lists, arrays or Series (pandas <NA> becomes NaN)."""
    if isinstance(values, (pd.Series, pd.Index)):
        return values.to_numpy(dtype="float64", na_value=np.nan, copy=True)
    return np.asarray(values, dtype="float64")


def _lonlat_arrays(lon, lat) -> tuple[np.ndarray, np.ndarray, bool]:
    """Broadcast lon and lat to float arrays; also say whether both were scalars."""
    scalar = np.ndim(lon) == 0 and np.ndim(lat) == 0
    lon_a, lat_a = np.broadcast_arrays(_float_array(lon), _float_array(lat))
    return lon_a.astype("float64", copy=True), lat_a.astype("float64", copy=True), scalar


def _result(lon: np.ndarray, lat: np.ndarray, scalar: bool):
    """Return floats for scalar input, arrays otherwise."""
    if scalar:
        return float(lon), float(lat)
    return lon, lat


def _max_abs(*arrays: np.ndarray) -> float:
    """Largest finite absolute value over arrays (0 when there is none), for convergence tests."""
    finite = [np.abs(a[np.isfinite(a)]) for a in arrays]
    return max((float(f.max()) for f in finite if f.size), default=0.0)


def _to_float(parts: pd.Series) -> np.ndarray:
    """Extracted number strings -> floats (NaN where the group did not match)."""
    return pd.to_numeric(parts, errors="coerce").to_numpy(dtype="float64", na_value=np.nan, copy=True)


def _put(err: np.ndarray, mask: np.ndarray, message) -> None:
    """Write message(s) into err where mask holds and no earlier error was recorded."""
    mask = mask & (err == "")
    if not mask.any():
        return
    if isinstance(message, pd.Series):
        err[mask] = message.to_numpy(dtype=object, copy=True)[mask]
    else:
        err[mask] = message


def _missing(raw: pd.Series) -> np.ndarray:
    """True for NA / None / NaN and for blank strings."""
    missing = raw.isna().to_numpy(dtype=bool, copy=True)
    if not pd.api.types.is_numeric_dtype(raw.dtype):
        blank = raw.astype("string").str.strip().eq("").fillna(False).to_numpy(dtype=bool, copy=True)
        missing |= blank
    return missing


def _plain_numbers(raw: pd.Series) -> np.ndarray:
    """Fast path: entries that are already numbers or plain numeric text; NaN elsewhere."""
    if pd.api.types.is_bool_dtype(raw.dtype):
        return np.full(len(raw), np.nan)
    if pd.api.types.is_numeric_dtype(raw.dtype):
        return raw.to_numpy(dtype="float64", na_value=np.nan, copy=True)
    return pd.to_numeric(raw, errors="coerce").to_numpy(dtype="float64", na_value=np.nan, copy=True)


def _as_series(values) -> pd.Series:
    """Series from a Series, list, array or scalar, with a positional index."""
    if isinstance(values, pd.Series):
        return values.reset_index(drop=True)
    return pd.Series(np.atleast_1d(np.asarray(values, dtype=object)))


def _paired(a, b, names: tuple[str, str]) -> tuple[pd.Series, pd.Series, pd.Index]:
    """Two equally long columns as positional Series, plus the index to give the result."""
    first, second = _as_series(a), _as_series(b)
    if len(first) != len(second):
        raise CoordinateError(
            f"{names[0]} has {len(first)} values but {names[1]} has {len(second)}: expected one of each per row"
        )
    for original in (a, b):
        if isinstance(original, pd.Series):
            return first, second, original.index
    return first, second, pd.RangeIndex(len(first))


def _join_rows(*errors: np.ndarray) -> np.ndarray:
    """Row-wise "; "-join of message arrays (errors or notes), skipping empty entries."""
    joined = np.full(len(errors[0]), "", dtype=object)
    for err in errors:
        has = err != ""
        both = has & (joined != "")
        joined[both] = joined[both] + "; " + err[both]
        only = has & ~both
        joined[only] = err[only]
    return joined
