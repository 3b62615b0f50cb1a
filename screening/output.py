"""Write screening results: results.csv (UTF-8 with BOM for Excel), results.xlsx, results.gpkg, summary.json.

Writers stream: xlsxwriter in constant-memory mode, pyogrio (Arrow when available) for the GeoPackage.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import xlsxwriter

EXCEL_MAX_ROWS = 1_048_575  # one header row


def write_outputs(results: gpd.GeoDataFrame, outdir: str | Path, meta: dict | None = None,
                  formats: tuple[str, ...] = ("csv", "xlsx", "gpkg")) -> dict[str, Path]:
    """Write every output into `outdir` (created); returns name -> path."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    table = _table(results)
    written: dict[str, Path] = {}
    if "csv" in formats:
        written["csv"] = outdir / "results.csv"
        table.to_csv(written["csv"], index=False, encoding="utf-8-sig")
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


def write_xlsx(table: pd.DataFrame, path: Path) -> None:
    """Stream rows into an XLSX sheet (constant memory); overflow beyond Excel's row limit goes to more sheets."""
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "nan_inf_to_errors": True})
    header = wb.add_format({"bold": True, "bg_color": "#DDEBF7"})
    columns = [str(c) for c in table.columns]
    values = _cells(table)
    n = len(table)
    for sheet_no, start in enumerate(range(0, max(n, 1), EXCEL_MAX_ROWS)):
        ws = wb.add_worksheet("results" if sheet_no == 0 else f"results_{sheet_no + 1}")
        ws.write_row(0, 0, columns, header)
        ws.freeze_panes(1, 0)
        for r, row in enumerate(values[start:start + EXCEL_MAX_ROWS], start=1):
            ws.write_row(r, 0, row)
    wb.close()


def _cells(table: pd.DataFrame) -> list[list]:
    """Rows as Python lists with blanks for missing values and inf written as text (Excel has no inf)."""
    cols = []
    for name in table.columns:
        s = table[name]
        if pd.api.types.is_bool_dtype(s.dtype):
            arr = s.astype(object).where(s.notna(), "").to_numpy()
        elif pd.api.types.is_numeric_dtype(s.dtype):
            f = s.astype("Float64")
            arr = f.astype(object).where(f.notna(), "").to_numpy().copy()
            inf = np.isinf(f.fillna(0).to_numpy(dtype=float))
            arr[inf] = "inf"
        else:
            arr = s.astype(object).where(s.notna(), "").to_numpy()
        cols.append(arr)
    return np.column_stack(cols).tolist() if cols and len(table) else []


def write_gpkg(results: gpd.GeoDataFrame, path: Path) -> None:
    """GeoPackage layer `results` in EPSG:4490 (rows without a site have no geometry)."""
    frame = results.copy()
    for col in frame.columns:
        if col != frame.geometry.name and str(frame[col].dtype) in ("string", "str"):
            frame[col] = frame[col].astype(object)
    if path.exists():
        path.unlink()
    try:
        pyogrio.write_dataframe(frame, path, layer="results", driver="GPKG", use_arrow=True)
    except Exception:  # older GDAL/pyarrow pairs: the classic writer gives the same file, slower
        pyogrio.write_dataframe(frame, path, layer="results", driver="GPKG")


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
