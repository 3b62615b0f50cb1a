"""read_projects: a project list file of any supported type to standard columns (the file's reader, then
standardize)."""

from __future__ import annotations

from pathlib import Path

from zoning.archive import DEFAULT_MAX_BYTES

from .base import ProjectFileError, ProjectList, RawTable
from .csvfile import _read_csv
from .location import ASSUMED_NOTICE
from .standardize import _standardize
from .vectorfile import KML_STANDARD_FIELDS, SPATIAL_SUFFIXES, _read_spatial
from .workbook import _read_xlsx

__all__ = ["read_projects", "TABLE_SUFFIXES", "EXCEL_SUFFIXES"]

TABLE_SUFFIXES = {".csv", ".txt", ".tsv"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}


def read_projects(path, crs=None, layer=None, encoding=None, coords=None, max_unzip_bytes=DEFAULT_MAX_BYTES,
                  header_row: int | None = None) -> ProjectList:
    """Read a project list file; `crs` is the CRS of X/Y and WKT columns, `layer` a sheet or layer name.

    `max_unzip_bytes` caps what a zipped input may expand to (default 1 GB; zoning.archive).
    `coords` (CGCS2000 | WGS84 | GCJ02 | BD09) is the system of lon/lat cells whose row has no 坐标系 value;
    when neither says, CGCS2000 is assumed, the rows say so (`coords_assumed`) and `notes` says it once.
    `header_row` (1-based line or sheet row of a CSV/XLSX) is where the column names are; rows above it are
    skipped. Without it the header is found among the first 20 rows (the row naming the most known columns).
    """
    path = Path(path)
    if not path.exists():
        raise ProjectFileError(f"{path}: file not found; check the path and the working directory")
    suffix = path.suffix.lower()
    generic = ()
    if suffix in TABLE_SUFFIXES:
        raw = _as_raw(_read_csv(path, encoding, header_row))
    elif suffix in EXCEL_SUFFIXES:
        raw = _as_raw(_read_xlsx(path, layer, header_row))
    elif suffix in SPATIAL_SUFFIXES:
        raw = _as_raw(_read_spatial(path, layer, encoding, max_unzip_bytes))
        generic = KML_STANDARD_FIELDS if suffix in (".kml", ".kmz") else ()
        if header_row is not None:
            raw.notes.append("--header-row 只用于 CSV/XLSX，已忽略 / --header-row applies to CSV and XLSX only; ignored")
    else:
        raise ProjectFileError(_unsupported(path))
    projects, column_map = _standardize(raw.frame, crs, raw.geometry, str(path), generic,
                                        row_errors=raw.row_errors, row_warnings=raw.row_warnings,
                                        coords_system=coords)
    notes = list(raw.notes)
    if projects["coords_assumed"].any():
        notes.append(ASSUMED_NOTICE)
    return ProjectList(source=str(path), original=raw.frame, projects=projects, column_map=column_map,
                       notes=notes, sheet=raw.sheet)


def _as_raw(read) -> RawTable:
    """A reader's result as a RawTable (readers may return a RawTable, a frame, or (frame, geometry))."""
    if isinstance(read, RawTable):
        return read
    if isinstance(read, tuple):
        return RawTable(frame=read[0], geometry=read[1])
    return RawTable(frame=read)


def _unsupported(path: Path) -> str:
    """The message for a file whose type we do not read."""
    hint = " (an old .xls workbook: save it as .xlsx in Excel/WPS)" if path.suffix.lower() == ".xls" else ""
    known = ", ".join(sorted(TABLE_SUFFIXES | EXCEL_SUFFIXES | SPATIAL_SUFFIXES))
    return f"{path}: unsupported file type '{path.suffix}'{hint}; use one of {known}"
