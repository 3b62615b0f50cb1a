"""Vector project files: GeoJSON, GeoPackage, shapefile, KML/KMZ (pyogrio), and zipped shapefiles extracted
safely by zoning.archive; attributes come out as text, the geometry as the file has it."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from zoning.archive import DEFAULT_MAX_BYTES, VECTOR_SUFFIXES, ArchiveError, safe_extract
from zoning.encoding import shapefile_encoding

from .base import ProjectFileError, RawTable

__all__ = ["SPATIAL_SUFFIXES", "KML_STANDARD_FIELDS"]

SPATIAL_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp", ".kml", ".kmz", ".zip"}
#: Fields every LIBKML layer has; a project's own ExtendedData fields (项目编号, 项目名称) win over them.
KML_STANDARD_FIELDS = ("id", "Name", "description", "timestamp", "begin", "end", "altitudeMode", "tessellate",
                       "extrude", "visibility", "drawOrder", "icon", "snippet")


def _read_spatial(path: Path, layer: str | None, encoding: str | None,
                  max_bytes: int = DEFAULT_MAX_BYTES) -> RawTable:
    """Attributes (as text) and geometry of a vector file; a .zip is extracted safely into a private folder
    (zoning.archive: members escaping the folder, links and nested archives skipped with a note; total
    expansion capped at `max_bytes`)."""
    if path.suffix.lower() != ".zip":
        frame, geometry = _read_vector(path, path, layer, encoding)
        return RawTable(frame=frame, geometry=geometry)
    try:
        with safe_extract(path, max_bytes=max_bytes, suffixes=VECTOR_SUFFIXES) as extracted:
            member = _zip_member(path, extracted, layer)
            frame, geometry = _read_vector(path, member, None, encoding)  # in a zip, `layer` chose the member
            notes = list(extracted.warnings)
    except ArchiveError as exc:
        raise ProjectFileError(str(exc)) from exc
    return RawTable(frame=frame, geometry=geometry, notes=notes)


def _read_vector(path: Path, source: Path, layer: str | None, encoding: str | None):
    """(attributes as text, geometry) of one vector file; several KML folders are read together."""
    kwargs = {"encoding": encoding or _shp_encoding(source)}
    try:
        with _kml_field_names_kept():
            layers = [layer] if layer is not None else _layer_names(path, str(source), source.suffix.lower())
            parts = [pyogrio.read_dataframe(str(source), layer=name, **kwargs) for name in layers]
    except ProjectFileError:
        raise
    except Exception as exc:  # pyogrio's DataSourceError / DataLayerError carry GDAL's words
        raise ProjectFileError(f"{path}: cannot read it ({exc}); check the file and the layer name") from exc
    data = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
    data = data.reset_index(drop=True)
    geometry = data.geometry if isinstance(data, gpd.GeoDataFrame) else None
    frame = pd.DataFrame({c: _as_text(data[c]) for c in data.columns if c != getattr(geometry, "name", None)})
    return frame, geometry


@contextmanager
def _kml_field_names_kept():
    """While reading, keep KML <Data name="项目编号"> field names as written (LIBKML launders them to ____)."""
    option = "LIBKML_LAUNDER_FIELD_NAMES"
    before = pyogrio.get_gdal_config_option(option)
    pyogrio.set_gdal_config_options({option: "NO"})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({option: before})


def _layer_names(path: Path, source: str, suffix: str) -> list:
    """Layers to read when none was named: the only one, all KML folders, else an error listing them."""
    names = [str(n) for n in pyogrio.list_layers(source)[:, 0]]
    if len(names) > 1 and suffix not in (".kml", ".kmz"):
        raise ProjectFileError(f"{path}: 文件有多个图层 / the file has several layers ({', '.join(names)}); "
                               "name one with layer=... (--layer)")
    return names if names else [None]


def _zip_member(path: Path, extracted, layer: str | None) -> Path:
    """The extracted shapefile (or other vector file) to read from a zip archive."""
    members = [m for m in extracted.members if Path(m).suffix.lower() in SPATIAL_SUFFIXES - {".zip", ".kmz"}]
    shp = [m for m in members if m.lower().endswith(".shp")] or members
    if layer is not None:
        shp = [m for m in shp if Path(m).stem == layer or m == layer]
    if len(shp) != 1:
        found = ", ".join(members) or "no .shp/.gpkg/.geojson/.kml"
        fix = "name one with layer=<file stem> (--layer)" if len(shp) > 1 else "zip the shapefile's .shp/.shx/.dbf/.prj"
        raise ProjectFileError(f"{path}: 无法确定压缩包中要读的图层 / cannot choose a layer in the archive "
                               f"(found {found}); {fix}")
    return extracted.path(shp[0])


def _shp_encoding(path: Path) -> str | None:
    """The .dbf encoding of a shapefile (plain or zipped) without .cpg; None for other formats."""
    if path.suffix.lower() not in (".shp", ".zip"):
        return None
    try:
        return shapefile_encoding(path)
    except (OSError, ArchiveError):
        return None


def _as_text(values: pd.Series) -> pd.Series:
    """An attribute column as text: integral floats without '.0', missing as ''."""
    return values.astype(object).map(_cell_text)


def _cell_text(value) -> str:
    """One attribute value as text."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
