"""What the project reader hands back and shares: ProjectList, RawTable (a file as read), ProjectFileError, the
output columns and small text helpers for messages."""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

__all__ = ["ProjectFileError", "ProjectList", "RawTable", "OUTPUT_COLUMNS", "STRING"]

STRING = pd.StringDtype()

OUTPUT_COLUMNS = ("id", "name", "sector_raw", "construction", "construction_raw", "process", "process_known",
                  "major", "park_claim", "coords_system", "coords_assumed", "error", "warnings")


class ProjectFileError(Exception):
    """The project file as a whole cannot be read; the message names the path and the fix."""


@dataclass
class ProjectList:
    """A project file as read (`original`) and standardized (`projects`), sharing one index."""

    source: str
    original: pd.DataFrame
    projects: gpd.GeoDataFrame
    column_map: dict[str, str] = field(default_factory=dict)
    #: File-level notes for the terminal and summary.json (sheet read, header row found, rows skipped, …).
    notes: list[str] = field(default_factory=list)
    #: The sheet (XLSX) or layer that was read, when the file has several.
    sheet: str | None = None


@dataclass
class RawTable:
    """A file as read, before standardizing: text cells, file geometry and per-row reading problems.

    `row_errors` / `row_warnings` hold one text per row ('' for none): a row with an error comes out `invalid`
    with that text (e.g. a malformed CSV line), a warning is kept in the row's `warnings`.
    """

    frame: pd.DataFrame
    geometry: gpd.GeoSeries | None = None
    row_errors: np.ndarray | None = None
    row_warnings: np.ndarray | None = None
    notes: list[str] = field(default_factory=list)
    sheet: str | None = None


def _quote(value, limit: int = 60) -> str:
    """A cell value for a message, shortened."""
    text = str(value)
    return f"'{text if len(text) <= limit else text[:limit - 1] + '…'}'"
