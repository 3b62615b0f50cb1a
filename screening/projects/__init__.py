"""Read project lists (CSV, XLSX, GeoJSON, GeoPackage, shapefile, zipped shapefile, KML) into standard columns.

Every input row comes out, in order. A row whose location cannot be used gets geometry None and an
`error` naming the row, the cell and the fix; problems that still leave a usable row go to `warnings`.
One module per job, the names other code uses re-exported here:

- ``reader``         read_projects: the file's reader, then standardize
- ``csvfile``        CSV / TSV: encodings, delimiter, header row, malformed lines as invalid rows
- ``workbook``       XLSX as offices make them: sheet choice, title rows, merged cells, typed numbers, formulas
- ``vectorfile``     GeoJSON, GeoPackage, shapefile, KML, zipped shapefiles (via zoning.archive)
- ``columns``        column aliases (项目编号, 经度, X坐标 …), header finding, the table being standardized
- ``standardize``    standardize: the standard columns of an in-memory table
- ``location``       lon/lat, x/y, WKT and file geometry, coordinate systems and datum shifts (zoning.coords)
- ``facts``          sector, construction, process, national-major flag, park (words: rules/vocabulary.yaml)
- ``process_words``  process words of the 工艺 column and project names (rules/process_words.yaml)
- ``base``           ProjectList, RawTable, ProjectFileError, output columns

>>> import pandas as pd
>>> standardize(pd.DataFrame({"经度": ["106.55"], "纬度": ["29.56"], "建设性质": ["改扩建"]}))[
...     ["construction", "error"]].values.tolist()
[['expansion', '']]
"""

from __future__ import annotations

from .base import OUTPUT_COLUMNS, STRING, ProjectFileError, ProjectList, RawTable
from .columns import ALIASES, HEADER_SEARCH_ROWS, resolve_columns
from .csvfile import DELIMITERS
from .facts import construction_words, major_words
from .location import ASSUMED_NOTICE, DEFAULT_SYSTEM, SWAP_WARNING
from .process_words import ProcessWordError, column_words, from_names, known_words, load_process_words
from .reader import EXCEL_SUFFIXES, TABLE_SUFFIXES, read_projects
from .standardize import standardize
from .vectorfile import KML_STANDARD_FIELDS, SPATIAL_SUFFIXES

__all__ = [
    "ALIASES",
    "ASSUMED_NOTICE",
    "DEFAULT_SYSTEM",
    "DELIMITERS",
    "EXCEL_SUFFIXES",
    "HEADER_SEARCH_ROWS",
    "KML_STANDARD_FIELDS",
    "OUTPUT_COLUMNS",
    "STRING",
    "SPATIAL_SUFFIXES",
    "SWAP_WARNING",
    "TABLE_SUFFIXES",
    "ProcessWordError",
    "ProjectFileError",
    "ProjectList",
    "RawTable",
    "column_words",
    "construction_words",
    "from_names",
    "known_words",
    "load_process_words",
    "major_words",
    "read_projects",
    "resolve_columns",
    "standardize",
]
