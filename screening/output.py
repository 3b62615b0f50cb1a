"""Write screening results: results.csv (UTF-8 with BOM for Excel), results.xlsx, results.gpkg, summary.json.

Writers work on whole columns: Arrow for CSV and XLSX cell text, pyogrio (Arrow when available) for the GeoPackage.

Spreadsheet safety: in results.csv and results.xlsx every text cell — the user's own columns and the header
included — that starts with ``=``, ``+``, ``-``, ``@``, tab or CR gets a leading ``'`` (OWASP advice on CSV
injection; `screening.xlsx.neutralise_formulas`), so Excel/WPS show it as text instead of running it. Numeric
columns are written as numbers and never quoted; a *text* column holding ``-12.5`` is text and is quoted.
The GeoPackage keeps text exactly as screened (it is not opened by spreadsheets).

Atomic outputs: `stage_outputs` writes every file under a hidden temporary name (``.partial-…``, see
`zoning.atomic`) in the output folder; `StagedOutputs.commit` renames them into place in the order
results.csv, results.xlsx, results.gpkg, map.html, and writes summary.json last. An interrupted run (an error,
Ctrl-C, ``kill -9``) leaves no file under a final name that is incomplete, a rerun replaces the previous
outputs only once all new files are complete, and summary.json, when present, belongs to the same run as the
files beside it (commit removes the old one first).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyogrio

from zoning.atomic import TEMP_PREFIX, commit, discard, temp_name

from .xlsx import neutralise_formulas, write_table

#: every output a screen run can leave in its folder, in commit order (summary.json is always last)
FILES = {"csv": "results.csv", "xlsx": "results.xlsx", "gpkg": "results.gpkg", "map": "map.html"}
SUMMARY = "summary.json"
_SIDE_FILES = ("-wal", "-shm", "-journal")  # SQLite (GeoPackage) companions


class StagedOutputs:
    """Complete outputs under temporary names in `outdir`, waiting to be renamed into place.

    ``add(name, final, tmp)`` stages one more file (the CLI stages map.html this way); ``commit()`` renames
    them all and writes summary.json; ``discard()`` removes the temporary files. Used as a context manager,
    whatever was not committed is discarded when the block ends.

    On commit, the final outputs of a previous run that this run does not write (a format left out, or
    map.html with ``--no-map``) are removed, so the folder never mixes results of two runs.
    """

    def __init__(self, outdir: str | Path, summary: dict):
        self.outdir = Path(outdir)
        self.summary = summary
        self.staged: dict[str, tuple[Path, Path]] = {}

    def add(self, name: str, final_path: str | Path, tmp_path: str | Path) -> None:
        """Stage the complete file `tmp_path` to become `final_path` (output key `name`) on commit."""
        self.staged[name] = (Path(final_path), Path(tmp_path))

    def commit(self) -> dict[str, Path]:
        """Rename every staged file into place (results.csv, .xlsx, .gpkg, map.html, then others), remove
        stale outputs of an earlier run, then write summary.json; returns name -> final path."""
        summary = self.outdir / SUMMARY
        summary.unlink(missing_ok=True)  # from here on, no summary.json until the set is complete
        order = [k for k in FILES if k in self.staged] + [k for k in self.staged if k not in FILES]
        written: dict[str, Path] = {}
        for name in order:
            final, tmp = self.staged.pop(name)
            written[name] = commit(tmp, final)
        finals = {p.resolve() for p in written.values()}
        for file in FILES.values():
            if (self.outdir / file).resolve() not in finals:
                (self.outdir / file).unlink(missing_ok=True)
        tmp = temp_name(summary)
        try:
            tmp.write_text(json.dumps(self.summary, ensure_ascii=False, indent=2), encoding="utf-8")
            written["summary"] = commit(tmp, summary)
        except BaseException:
            discard(tmp)
            raise
        return written

    def discard(self) -> None:
        """Remove every staged temporary file (the final names are left as they were)."""
        for _final, tmp in self.staged.values():
            discard(tmp)
        self.staged.clear()

    def __enter__(self) -> StagedOutputs:
        return self

    def __exit__(self, *exc) -> None:
        self.discard()


def stage_outputs(results: gpd.GeoDataFrame, outdir: str | Path, meta: dict | None = None,
                  formats: tuple[str, ...] = ("csv", "xlsx", "gpkg")) -> StagedOutputs:
    """Write every table output of `formats` into `outdir` (created) under temporary names; nothing under a
    final name changes until `.commit()`. On an error the temporary files are removed and it re-raises.

    Leftover temporary files of an interrupted earlier run (``.partial-*-results.csv`` …) are removed first;
    two runs writing into one folder at the same time are not supported."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    remove_leftovers(outdir)
    staged = StagedOutputs(outdir, summarize(results, meta))
    writers = {"csv": write_csv, "xlsx": write_xlsx}
    try:
        table = _table(results) if {"csv", "xlsx"} & set(formats) else None
        for name in ("csv", "xlsx", "gpkg"):
            if name not in formats:
                continue
            final = outdir / FILES[name]
            tmp = temp_name(final)
            staged.add(name, final, tmp)
            if name == "gpkg":
                write_gpkg(results, tmp)
            else:
                writers[name](table, tmp)
    except BaseException:
        staged.discard()
        raise
    return staged


def write_outputs(results: gpd.GeoDataFrame, outdir: str | Path, meta: dict | None = None,
                  formats: tuple[str, ...] = ("csv", "xlsx", "gpkg")) -> dict[str, Path]:
    """Write every output into `outdir` (created), atomically (`stage_outputs` + commit); returns name -> path."""
    with stage_outputs(results, outdir, meta, formats) as staged:
        return staged.commit()


def remove_leftovers(outdir: str | Path) -> list[Path]:
    """Remove temporary files (``.partial-<8 hex digits>-<output name>`` and SQLite companions) that an interrupted
    run left in `outdir`; returns what was removed."""
    outdir = Path(outdir)
    removed = []
    for file in (*FILES.values(), SUMMARY):
        for suffix in ("", *_SIDE_FILES):
            for path in outdir.glob(f"{TEMP_PREFIX}{'[0-9a-f]' * 8}-{file}{suffix}"):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                    removed.append(path)
    return removed


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
    """A table chunk as Arrow: booleans as True/False words, numbers as float64, everything else as text with
    formula-like text quoted (`neutralise_formulas`; column names too)."""
    columns = {}
    for name in part.columns:
        col = part[name]
        if pd.api.types.is_bool_dtype(col.dtype):
            columns[str(name)] = pc.if_else(pa.array(col.astype("boolean")), "True", "False")
        elif pd.api.types.is_numeric_dtype(col.dtype):
            columns[str(name)] = pa.array(col.astype("Float64"), type=pa.float64())
        else:
            text = pa.array(col.astype(object).where(col.notna(), None).to_numpy(), type=pa.string())
            columns[str(name)] = neutralise_formulas(text)
    names = neutralise_formulas(pa.array(list(columns), pa.string())).to_pylist()
    return pa.table(list(columns.values()), names=names)


def write_xlsx(table: pd.DataFrame, path: Path) -> None:
    """XLSX with a frozen, bold header; written column-wise (see screening.xlsx) so 100k rows take seconds."""
    write_table(table, path)


GPKG_CHUNK = 20_000  # rows converted and written at a time: bounds the memory of large batches


def write_gpkg(results: gpd.GeoDataFrame, path: Path) -> None:
    """GeoPackage layer `results` in EPSG:4490 (rows without a site have no geometry), written in chunks.

    Text is written as screened (no formula quoting). When it returns the file is self-contained: SQLite's
    -wal/-shm/-journal companions are folded in and gone, so the file alone can be renamed into place."""
    path = Path(path)
    discard(path)
    for lo in range(0, max(len(results), 1), GPKG_CHUNK):
        part = results.iloc[lo:lo + GPKG_CHUNK].copy()
        for col in part.columns:
            if col != part.geometry.name and str(part[col].dtype) in ("string", "str"):
                part[col] = part[col].astype(object)
        pyogrio.write_dataframe(part, path, layer="results", driver="GPKG", append=lo > 0,
                                promote_to_multi=False, geometry_type="Unknown")
    _settle_sqlite(path)


def _settle_sqlite(path: Path) -> None:
    """Checkpoint a GeoPackage left in WAL mode (e.g. OGR_SQLITE_JOURNAL=WAL) back to rollback-journal mode so
    no -wal/-shm file is needed; OSError if a companion file still remains."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        if str(db.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            db.execute("PRAGMA journal_mode=DELETE")
    left = [path.name + s for s in _SIDE_FILES if path.with_name(path.name + s).exists()]
    if left:
        raise OSError(f"{path}: SQLite companion file(s) {', '.join(left)} remain after writing the GeoPackage")


def summarize(results: gpd.GeoDataFrame, meta: dict | None = None) -> dict:
    """Counts by decision, district and sector, plus what decided: the results' own provenance (written by
    `screen` into ``results.attrs["provenance"]``: input, layer editions, rules, date, options), updated
    with `meta`."""
    decision = results["decision"].astype(str)
    summary = {
        "rows": int(len(results)),
        "by_decision": {k: int(v) for k, v in decision.value_counts().items()},
        "by_district": _crosstab(results, "district"),
        "by_sector": _crosstab(results, "sector_code"),
        "created": dt.datetime.now().isoformat(timespec="seconds"),
    }
    summary.update(results.attrs.get("provenance") or {})
    summary.update(meta or {})
    return summary


def _crosstab(results: pd.DataFrame, column: str) -> dict:
    if column not in results:
        return {}
    keys = results[column].astype(object).where(results[column].notna(), "(unknown)")
    table = pd.crosstab(keys, results["decision"].astype(str))
    return {str(k): {d: int(n) for d, n in row.items() if n} for k, row in table.iterrows()}
