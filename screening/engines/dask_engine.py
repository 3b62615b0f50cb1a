"""Screen a project list on dask-geopandas: projects in Hilbert-ordered spatial partitions, each screened by
`screening.screen.screen` on a worker that loads the layers and rules once and keeps them.

Results equal the in-process engine row for row, in input order. Workers need this package installed and
the catalog's files (or PostGIS tables) reachable at the same paths.
"""

from __future__ import annotations

import logging
import math
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dask
import dask.dataframe as dd
import dask_geopandas
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zoning import STORAGE_CRS
from zoning.cache import cache_key
from zoning.catalog import read_catalog
from zoning.layers import load_layers

from ..projects import ProjectList
from ..rules import load_rules
from ..screen import screen
from . import EngineError

#: rows per partition when --partitions is not given (at least two partitions per worker thread)
ROWS_PER_PARTITION = 100_000
_KEY = "_site_key"
_ROW = "_row"
_STATE: dict[tuple[str, str, str], tuple[Any, Any]] = {}
_LOCK = threading.Lock()


def screen_dask(projects: ProjectList, catalog: str | Path, rules_dir: str | Path, *, scheduler: str | None = None,
                partitions: int | None = None, workers: int = 2, **options) -> gpd.GeoDataFrame:
    """`screen(projects, load_layers(catalog), load_rules(rules_dir), **options)`, run on a dask cluster:
    the one at `scheduler`, else a LocalCluster of `workers` single-threaded worker processes."""
    catalog = str(Path(catalog).resolve())
    rules_dir = str(Path(rules_dir).resolve())
    key = cache_key(read_catalog(catalog))
    frame, layout = _pack(projects)
    if not len(frame):
        return screen(projects, load_layers(catalog), load_rules(rules_dir), **options)
    with _client(scheduler, workers) as client, dask.config.set({"dataframe.convert-string": False}):
        threads = sum(client.nthreads().values()) or 1
        count = max(1, min(len(frame), partitions or max(2 * threads, math.ceil(len(frame) / ROWS_PER_PARTITION))))
        chunks = client.scatter([frame.iloc[rows] for rows in np.array_split(np.arange(len(frame)), count)])
        scattered = dask_geopandas.from_dask_dataframe(dd.from_delayed(chunks, meta=frame.iloc[:0]), geometry=_KEY)
        shuffled = scattered.spatial_shuffle(by="hilbert", npartitions=count, calculate_partitions=False,
                                             shuffle_method="tasks")
        tasks = [dask.delayed(_screen_part)(part, catalog, key, rules_dir, layout, options)
                 for part in shuffled.to_delayed()]
        parts = client.compute(tasks, sync=True)
    results = pd.concat([p for p in parts if len(p)] or parts[:1]).sort_index()
    results.index = projects.projects.index
    return gpd.GeoDataFrame(results, geometry=results.geometry.name, crs=STORAGE_CRS)


@contextmanager
def _client(scheduler: str | None, workers: int):
    """A distributed Client on `scheduler`, or on a LocalCluster closed on exit."""
    from distributed import Client, LocalCluster

    try:
        if scheduler:
            with Client(scheduler, timeout="30s") as client:
                yield client
            return
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                          silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
            yield client
    except OSError as exc:  # cannot reach or start the scheduler
        raise EngineError(f"dask: cannot use the scheduler {scheduler or '(local cluster)'}: {exc}") from exc


def _pack(projects: ProjectList) -> tuple[gpd.GeoDataFrame, dict]:
    """One frame of the read and standardized columns under positional names, the input row number and a
    point per row to partition by (the centre of the site's box; rows without a site on a line below the rest)."""
    proj, original = projects.projects, projects.original
    geoms = proj.geometry.values.to_numpy()
    bounds = shapely.bounds(geoms)
    x, y = (bounds[:, 0] + bounds[:, 2]) / 2, (bounds[:, 1] + bounds[:, 3]) / 2
    found = np.isfinite(x) & np.isfinite(y)
    spread = np.linspace(0, 1, int((~found).sum()))
    x[~found] = (x[found].min() if found.any() else 0.0) + spread
    y[~found] = (y[found].min() if found.any() else 0.0) - 1 - spread
    columns = {f"p{i}": proj.iloc[:, i] for i in range(proj.shape[1])}
    columns.update({f"o{i}": original.iloc[:, i].set_axis(proj.index) for i in range(original.shape[1])})
    frame = pd.DataFrame(columns, index=proj.index)
    frame[_ROW] = np.arange(len(frame))
    frame[_KEY] = gpd.GeoSeries(shapely.points(x, y), index=proj.index, crs=STORAGE_CRS)
    frame = gpd.GeoDataFrame(frame, geometry=_KEY, crs=STORAGE_CRS).reset_index(drop=True)
    layout = {"projects": list(proj.columns), "original": list(original.columns), "geometry": proj.geometry.name,
              "source": projects.source, "column_map": dict(projects.column_map)}
    return frame, layout


def _screen_part(part: gpd.GeoDataFrame, catalog: str, key: str, rules_dir: str, layout: dict,
                 options: dict) -> gpd.GeoDataFrame:
    """Screen one partition on a worker; the result is indexed by input row number."""
    layers, rules = _worker_state(catalog, key, rules_dir)
    part = pd.DataFrame(part).reset_index(drop=True)
    rows = part[_ROW].to_numpy()
    proj = part[[f"p{i}" for i in range(len(layout["projects"]))]].set_axis(layout["projects"], axis=1)
    proj = gpd.GeoDataFrame(proj, geometry=layout["geometry"], crs=STORAGE_CRS)
    original = part[[f"o{i}" for i in range(len(layout["original"]))]].set_axis(layout["original"], axis=1)
    projects = ProjectList(source=layout["source"], original=original, projects=proj, column_map=layout["column_map"])
    results = screen(projects, layers, rules, **options)
    results.index = pd.Index(rows, name=None)
    return results


def _worker_state(catalog: str, key: str, rules_dir: str):
    """This worker's layers and rules, loaded on its first task and kept (one catalog at a time)."""
    with _LOCK:
        state = _STATE.get((catalog, key, rules_dir))
        if state is None:
            _STATE.clear()
            state = _STATE[(catalog, key, rules_dir)] = (load_layers(catalog), load_rules(rules_dir))
    return state
