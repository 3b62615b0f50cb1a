"""Write screening results: results.csv (UTF-8 with BOM for Excel), results.xlsx, results.gpkg, summary.json.

Writers work on whole columns: Arrow for CSV and XLSX cell text, pyogrio (Arrow when available) for the GeoPackage.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyogrio

from .xlsx import write_table


def write_outputs(results: gpd.GeoDataFrame, outdir: str | Path, meta: dict | None = None,
                  formats: tuple[str, ...] = ("csv", "xlsx", "gpkg")) -> dict[str, Path]:
    """Write every output into `outdir` (created); returns name -> path."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    table = _table(results)
    written: dict[str, Path] = {}
    if "csv" in formats:
        written["csv"] = outdir / "results.csv"
        write_csv(table, written["csv"])
    if "xlsx" in formats:
        written["xlsx"] = outdir / "results.xlsx"
        write_xlsx(table, written["xlsx"])
    if "gpkg" in formats:
        written["gpkg"] = outdir / "results.gpkg"
        write_gpkg(results, written["gpkg"])
    written["summary"] = outdir / "summary.json"
    written["summary"].write_text(json.dumps(summarize(results, meta), ensure_ascii=False, indent=2), encoding="utf-8")
    return written


def _table(results: gpd.GeoDataFrame) -> pd.DataFrame:
    """The attribute table (no geometry column), floats rounded for reading."""
    table = pd.DataFrame(results.drop(columns=results.geometry.name))
    for col in table.columns:
        if pd.api.types.is_float_dtype(table[col].dtype):
            table[col] = table[col].round(2)
    return table


CSV_CHUNK = 20_000  # rows converted to Arrow and written at a time


def write_csv(table: pd.DataFrame, path: Path) -> None:
    """CSV in UTF-8 with a BOM (so Excel in China opens it as UTF-8), written by Arrow's C++ writer in chunks."""
    with open(path, "wb") as fh:
        fh.write(b"\xef\xbb\xbf")
        writer = None
        for lo in range(0, max(len(table), 1), CSV_CHUNK):
            batch = _arrow(table.iloc[lo:lo + CSV_CHUNK])
            writer = writer or pacsv.CSVWriter(fh, batch.schema)
            writer.write_table(batch)
        writer.close()


def _arrow(part: pd.DataFrame) -> pa.Table:
    """A table chunk as Arrow: booleans as True/False words, numbers as float64, everything else as text."""
    columns = {}
    for name in part.columns:
        col = part[name]
        if pd.api.types.is_bool_dtype(col.dtype):
            columns[str(name)] = pc.if_else(pa.array(col.astype("boolean")), "True", "False")
        elif pd.api.types.is_numeric_dtype(col.dtype):
            columns[str(name)] = pa.array(col.astype("Float64"), type=pa.float64())
        else:
            columns[str(name)] = pa.array(col.astype(object).where(col.notna(), None).to_numpy(), type=pa.string())
    return pa.table(columns)


def write_xlsx(table: pd.DataFrame, path: Path) -> None:
    """XLSX with a frozen, bold header; written column-wise (see screening.xlsx) so 100k rows take seconds."""
    write_table(table, path)


GPKG_CHUNK = 20_000  # rows converted and written at a time: bounds the memory of large batches


def write_gpkg(results: gpd.GeoDataFrame, path: Path) -> None:
    """GeoPackage layer `results` in EPSG:4490 (rows without a site have no geometry), written in chunks."""
    if path.exists():
        path.unlink()
    for lo in range(0, max(len(results), 1), GPKG_CHUNK):
        part = results.iloc[lo:lo + GPKG_CHUNK].copy()
        for col in part.columns:
            if col != part.geometry.name and str(part[col].dtype) in ("string", "str"):
                part[col] = part[col].astype(object)
        pyogrio.write_dataframe(part, path, layer="results", driver="GPKG", append=lo > 0,
                                promote_to_multi=False, geometry_type="Unknown")


def summarize(results: gpd.GeoDataFrame, meta: dict | None = None) -> dict:
    """Counts by decision, district and sector, plus what decided (layer editions, rules, date)."""
    decision = results["decision"].astype(str)
    summary = {
        "rows": int(len(results)),
        "by_decision": {k: int(v) for k, v in decision.value_counts().items()},
        "by_district": _crosstab(results, "district"),
        "by_sector": _crosstab(results, "sector_code"),
        "created": dt.datetime.now().isoformat(timespec="seconds"),
    }
    summary.update(meta or {})
    return summary


def _crosstab(results: pd.DataFrame, column: str) -> dict:
    if column not in results:
        return {}
    keys = results[column].astype(object).where(results[column].notna(), "(unknown)")
    table = pd.crosstab(keys, results["decision"].astype(str))
    return {str(k): {d: int(n) for d, n in row.items() if n} for k, row in table.iterrows()}
