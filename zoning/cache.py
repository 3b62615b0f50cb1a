"""Prepared layers: repaired, reprojected layers cached as GeoParquet, keyed by the SHA-256 of the catalog and
every source file, so repair and reprojection happen once and a changed source is never served stale.

Layout: `<catalog folder>/.zoning-cache/<key>/` (or `$ZONING_CACHE/<key>/`) with `<role>.parquet`
(EPSG:4490), `<role>.metric.parquet` (the metric CRS) and `manifest.json` (reports, metric CRS).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
from pyproj import CRS

from .catalog import RASTER_ROLES, TABLE_ROLES, Catalog, read_catalog
from .errors import ZoningError
from .report import LayerReport
from .sources import read_sources

#: bump when what is cached changes meaning; 5: layer faults (no CRS, empty, off coverage) refused; ids from FIDs
FORMAT = "zoning-cache-5"
PIECE_ROLES = {"redline", "river"}  # roles whose nearest distances are queried


def _source_files(path: str) -> list[Path]:
    """A source and its sidecars (.shp with .dbf/.shx/.prj/.cpg …); nothing for database URLs."""
    p = Path(path)
    if not p.exists():
        return []
    if p.suffix.lower() == ".shp":
        return sorted(q for q in p.parent.glob(p.stem + ".*") if q.is_file())
    return [p]


def cache_key(catalog: Catalog) -> str:
    """SHA-256 over the format tag, the catalog text and the bytes of every vector source it names."""
    h = hashlib.sha256(FORMAT.encode())
    h.update(catalog.path.read_bytes())
    for spec in catalog.layers:
        if spec.role in RASTER_ROLES | TABLE_ROLES:
            continue
        for f in _source_files(spec.path):
            h.update(f.name.encode())
            with f.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
    return h.hexdigest()


def cache_root(catalog: Catalog) -> Path:
    env = os.environ.get("ZONING_CACHE")
    return Path(env) if env else catalog.path.parent / ".zoning-cache"


def cache_path(catalog: Catalog) -> Path:
    return cache_root(catalog) / cache_key(catalog)[:32]


def prepare(catalog_path: str | Path) -> Path:
    """Load the catalog's layers from their sources and write the cache; returns its folder."""
    catalog = read_catalog(catalog_path)
    live = [spec.where for spec in catalog.layers if spec.is_database]
    if live:
        raise ZoningError(f"{catalog.path.name}: PostGIS layers are read live and cannot be cached, since a "
                          f"changed table would not change the cache key ({'; '.join(live)}); "
                          "prepare a catalog of file sources instead")
    layers = read_sources(catalog)
    target = cache_path(catalog)
    tmp = target.with_name(target.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for role, frame in layers.frames.items():
        frame.to_parquet(tmp / f"{role}.parquet")
        layers.metric(role).to_parquet(tmp / f"{role}.metric.parquet")
    for role in PIECE_ROLES & set(layers.frames):  # outlines cut for nearest-distance trees
        pieces, owner = layers.pieces(role)
        gpd.GeoDataFrame({"owner": owner}, geometry=pieces, crs=layers.metric_crs).to_parquet(
            tmp / f"{role}.pieces.parquet")
    manifest = {
        "format": FORMAT,
        "catalog": str(catalog.path),
        "metric_crs": layers.metric_crs.to_wkt(),
        "roles": sorted(layers.frames),
        "reports": [dataclasses.asdict(r) for r in layers.reports if r.role not in RASTER_ROLES],
    }
    (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
    for stale in cache_root(catalog).iterdir():  # older keys of this catalog are dead weight
        if stale.is_dir() and stale != target and not stale.name.endswith(".tmp"):
            shutil.rmtree(stale, ignore_errors=True)
    return target


class LazyPieces(dict):
    """Role -> (pieces, owner rows) read from `<role>.pieces.parquet` on first use."""

    def __init__(self, paths: dict[str, Path]):
        super().__init__()
        self._paths = paths

    def __contains__(self, role) -> bool:
        return role in self._paths or super().__contains__(role)

    def __missing__(self, role):
        frame = gpd.read_parquet(self._paths[role])
        self[role] = (frame.geometry.values.to_numpy(), frame["owner"].to_numpy())
        return self[role]


class LazyFrames(Mapping):
    """Role -> GeoDataFrame read from its GeoParquet file on first use: screening touches only the metric
    copies, maps only the EPSG:4490 ones, so neither pays memory for the other."""

    def __init__(self, paths: dict[str, Path]):
        self._paths = paths
        self._frames: dict[str, gpd.GeoDataFrame] = {}

    def __getitem__(self, role: str) -> gpd.GeoDataFrame:
        if role not in self._frames:
            self._frames[role] = gpd.read_parquet(self._paths[role])  # KeyError for an unknown role
        return self._frames[role]

    def __contains__(self, role) -> bool:  # Mapping's default would read the file to answer
        return role in self._paths

    def __iter__(self):
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)


def read_cached(catalog: Catalog):
    """(frames, metric frames, metric CRS, reports, pieces) from a valid cache, or None when there is none."""
    if any(spec.is_database for spec in catalog.layers):
        return None  # database tables can change without the catalog changing: always read them live
    folder = cache_path(catalog)
    manifest_file = folder / "manifest.json"
    if not manifest_file.exists():
        return None
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        return None
    frames = LazyFrames({role: folder / f"{role}.parquet" for role in manifest["roles"]})
    # screening needs every metric copy and the pieces, so those are read now (and timed as loading);
    # the EPSG:4490 copies only serve maps and are read when first asked for
    metric = {role: gpd.read_parquet(folder / f"{role}.metric.parquet") for role in manifest["roles"]}
    reports = []
    for raw in manifest["reports"]:
        raw["extent"] = tuple(raw["extent"]) if raw.get("extent") else None
        report = LayerReport(**raw)
        report.notes = [*report.notes, f"from the prepared cache {folder.name}"]
        reports.append(report)
    pieces = {role: folder / f"{role}.pieces.parquet" for role in PIECE_ROLES
              if (folder / f"{role}.pieces.parquet").exists()}
    cut = LazyPieces(pieces)
    for role in pieces:
        cut[role]  # noqa: B018 - read now, see above
    return frames, metric, CRS.from_wkt(manifest["metric_crs"]), reports, cut
