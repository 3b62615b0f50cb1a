"""Run the benchmarks on the synthetic layer set of benchmarks/generate.py and write benchmarks/RESULTS.md.

Every measured thing runs in a fresh subprocess (this file with ``--child NAME``); the driver reads that
process's peak RSS from ``os.wait4`` and takes the median of N runs. Raw numbers are kept in
``benchmarks/data/results.json`` so that a partial re-run (``--only``) updates its rows and keeps the others.

    python benchmarks/generate.py && python benchmarks/run.py            # everything, N=3
    python benchmarks/run.py --only floor,pipeline --runs 5
    python benchmarks/run.py --gpd-sample 20000                           # plain geopandas on a subsample
    python benchmarks/run.py --render                                     # rewrite RESULTS.md only

Never run in CI or by pytest: it needs minutes, gigabytes and (for PostGIS) root.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = HERE / "data"
CATALOG = DATA / "catalog.toml"
STORE = DATA / "results.json"
RESULTS_MD = HERE / "RESULTS.md"
INPUTS = {
    "points": (DATA / "points_100k.csv", "EPSG:4545"),
    "polygons": (DATA / "polygons_20k.gpkg", None),
    "points1m": (DATA / "points_1m.csv", "EPSG:4545"),
}
#: the site of the single-site rows: the middle of the synthetic box (x 400 km, y 3300 km in EPSG:4545)
SITE_XY = (400_000.0, 3_300_000.0)
DEMO_SITE = ("106.55", "29.56")
GROUPS = ("load", "prepare", "pipeline", "cli", "floor", "geopandas", "postgis", "site", "big")


# =============================================================================================== children
# Each child prints one line "RESULT <json>" on stdout. Imports happen inside, so the driver stays light.


def _timer():
    start = time.perf_counter()
    return lambda: time.perf_counter() - start


def child_load(args) -> dict:
    """load_layers on the benchmark catalog; `cache: false` reads the sources even when a prepared cache exists."""
    import inspect

    from zoning.layers import load_layers
    kwargs = {}
    if not args.get("cache", True) and "use_cache" in inspect.signature(load_layers).parameters:
        kwargs["use_cache"] = False
    t = _timer()
    layers = load_layers(CATALOG, **kwargs)
    return {"load_s": t(), "features": {r: len(f) for r, f in layers.frames.items()}}


def _screen_steps(projects, layers, rules) -> tuple[object, dict]:
    """screen() with the time of each of its steps (project facts, spatial facts, rules, results)."""
    from screening.screen import screen
    marks: list[tuple[str, float]] = []
    results = screen(projects, layers, rules, progress=lambda msg: marks.append((msg, time.perf_counter())))
    marks.append(("end", time.perf_counter()))
    steps = {f"{a[0].replace(' ', '_')}_s": b[1] - a[1] for a, b in itertools.pairwise(marks)}
    return results, steps


def child_pipeline(args) -> dict:
    """Our pipeline through the Python API: read_projects + screen (decisions in memory), then write_outputs.

    Layers and rules are loaded first and timed apart. A second screen() on the same layers gives the
    warm time (metric copies, trees and outline pieces already built).
    """
    from screening.output import write_outputs
    from screening.projects import read_projects
    from screening.rules import load_rules
    from zoning.layers import load_layers
    path, crs = INPUTS[args["input"]]
    t = _timer()
    layers = load_layers(CATALOG)
    rules = load_rules(REPO / "rules")
    load_s = t()
    t = _timer()
    projects = read_projects(path, crs=crs)
    read_s = t()
    results, steps = _screen_steps(projects, layers, rules)
    decide_s = t()
    with tempfile.TemporaryDirectory() as out:
        t = _timer()
        write_outputs(results, out, {"benchmark": True})
        write_s = t()
    warm = {}
    if args.get("warm", True):
        t = _timer()
        _, warm_steps = _screen_steps(projects, layers, rules)
        warm = {"warm_screen_s": t(), **{f"warm_{k}": v for k, v in warm_steps.items()}}
    counts = results["decision"].astype(str).value_counts().to_dict()
    return {"load_s": load_s, "read_s": read_s, "decide_s": decide_s, "write_s": write_s, **steps, **warm,
            "rows": len(results), "decisions": counts}


def child_floor(args) -> dict:
    """The floor: STRtree build + query (intersects) / query_nearest of the sites against each layer, nothing else.

    Layers and sites are read in EPSG:4545 (metric) outside the timing. Polygon layers: intersects query;
    red line and rivers (per class, as the facts need): nearest distance for every site.
    """
    import numpy as np
    import pandas as pd
    import pyogrio
    import shapely
    gpkg = DATA / "province.gpkg"
    layers = {name: pyogrio.read_dataframe(gpkg, layer=name) for name in
              ("redline", "parks", "control_units", "urban_area", "districts", "rivers")}
    path, _ = INPUTS[args["input"]]
    if path.suffix == ".csv":
        xy = pd.read_csv(path, usecols=["x", "y"])
        sites = shapely.points(xy["x"].to_numpy(), xy["y"].to_numpy())
    else:
        sites = pyogrio.read_dataframe(path).geometry.values.to_numpy()
    times: dict[str, float] = {}
    for name in ("redline", "parks", "control_units", "urban_area", "districts"):
        geoms = layers[name].geometry.values.to_numpy()
        t = _timer()
        tree = shapely.STRtree(geoms)
        tree.query(sites, predicate="intersects")
        times[f"{name}_intersects_s"] = t()
    t = _timer()
    tree = shapely.STRtree(layers["redline"].geometry.values.to_numpy())
    tree.query_nearest(sites, return_distance=True, all_matches=False)
    times["redline_nearest_s"] = t()
    rivers = layers["rivers"]
    for cls in ("干流", "一级支流", "其他"):
        geoms = rivers.geometry.values.to_numpy()[(rivers["河流等级"] == cls).to_numpy()]
        t = _timer()
        tree = shapely.STRtree(geoms)
        tree.query_nearest(sites, return_distance=True, all_matches=False)
        times[f"river_{cls}_nearest_s"] = t()
    floor_s = float(np.sum(list(times.values())))
    # the same nearest queries against outlines cut into pieces of <= 16 vertices (what zoning's facts use);
    # cutting is layer preparation and is not timed, building the trees and querying them is
    from zoning.pieces import boundary_pieces
    pieces = {"redline": boundary_pieces(layers["redline"].geometry.values.to_numpy())[0]}
    for cls in ("干流", "一级支流", "其他"):
        pieces[cls] = boundary_pieces(rivers.geometry.values.to_numpy()[(rivers["河流等级"] == cls).to_numpy()])[0]
    cut = {}
    for name, geoms in pieces.items():
        t = _timer()
        shapely.STRtree(geoms).query_nearest(sites, return_distance=True, all_matches=False)
        cut[f"pieces_{name}_nearest_s"] = t()
    intersects_s = sum(v for k, v in times.items() if k.endswith("_intersects_s"))
    return {"floor_s": floor_s, "floor_pieces_s": intersects_s + sum(cut.values()), **times, **cut}


# plain-geopandas rule vocabulary, hard-coded the way an analyst would (GB/T 4754 codes of the rules)
_CHEMICAL = {"2511", "2519", "2521", "2522", "2523", "2524", "2529"}
_HIGH_POLLUTION_DIV = {"25", "26", "22", "30", "31", "32"}
_TWO_HIGH = {"3110", "3120", "2521", "2511", "3011", "3041", "3216", "4411", "4412"}
_LINEAR = {"4811", "4812", "4813", "4814", "4819"}
_CONSTRUCTION = {"新建": "new", "扩建": "expansion", "改建": "renovation", "迁建": "relocation", "技改": "renovation",
                 "new": "new", "expansion": "expansion"}


def _plain_rules(row):
    """The main baseline rules, one row at a time, as a plain script would write them."""
    sector = row["sector"].strip().zfill(4) if isinstance(row["sector"], str) and row["sector"].strip() else ""
    kind = _CONSTRUCTION.get(str(row["construction"]).strip())
    newish = kind in ("new", "expansion", "relocation")
    chemical = sector[:2] == "26" or sector in _CHEMICAL
    high_pollution = sector[:2] in _HIGH_POLLUTION_DIV or chemical
    two_high = sector in _TWO_HIGH or sector[:2] == "26"
    reasons = []
    if row["in_redline"] and sector not in _LINEAR:
        reasons.append("redline_development")
    if high_pollution and newish and not row["in_compliant_park"]:
        reasons.append("high_pollution_outside_park")
    if chemical and newish and row["river_distance_m"] <= 1000:
        reasons.append("chemical_near_river")
    if two_high and newish and row["in_priority_unit"]:
        reasons.append("priority_unit_two_high")
    if high_pollution and newish and row["in_urban_area"]:
        reasons.append("urban_high_pollution")
    if not sector:
        return "review", "sector_unknown"
    return ("prohibited" if reasons else "admissible"), ";".join(reasons)


def child_geopandas(args) -> dict:
    """What an analyst would write: read with geopandas, sjoin per layer, sjoin_nearest, apply(axis=1).

    The layers are read (gpd.read_file, invalid ones made valid) before the clock starts, like our
    load_layers; the clock covers reading the list, the joins and the rules. `sample` rows only when given.
    """
    import geopandas as gpd
    import pandas as pd
    gpkg = DATA / "province.gpkg"
    t = _timer()
    lay = {name: gpd.read_file(gpkg, layer=name) for name in
           ("redline", "parks", "control_units", "urban_area", "districts", "rivers")}
    for gdf in lay.values():
        bad = ~gdf.is_valid
        gdf.loc[bad, "geometry"] = gdf.loc[bad, "geometry"].make_valid()
    load_s = t()
    path, _ = INPUTS[args["input"]]
    sample = args.get("sample")
    t = _timer()
    if path.suffix == ".csv":
        df = pd.read_csv(path, dtype={"sector": str}, nrows=sample)
        sites = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df.x, df.y), crs="EPSG:4545")
    else:
        sites = gpd.read_file(path, rows=sample)
    red = gpd.sjoin(sites, lay["redline"][["红线编码", "geometry"]], how="inner", predicate="intersects")
    sites["in_redline"] = sites.index.isin(red.index)
    parks = gpd.sjoin(sites, lay["parks"], how="inner", predicate="within")
    sites["in_compliant_park"] = sites.index.isin(parks.index[parks["是否合规"] == "是"])
    units = gpd.sjoin(sites, lay["control_units"], how="left", predicate="intersects")
    units = units[~units.index.duplicated()]
    sites["in_priority_unit"] = (units["管控类别"] == "优先保护单元").reindex(sites.index).fillna(False)
    urban = gpd.sjoin(sites, lay["urban_area"], how="inner", predicate="intersects")
    sites["in_urban_area"] = sites.index.isin(urban.index)
    dist = gpd.sjoin(sites, lay["districts"], how="left", predicate="intersects")
    sites["district"] = dist[~dist.index.duplicated()]["区划名称"]
    near_red = gpd.sjoin_nearest(sites[["geometry"]], lay["redline"][["geometry"]], distance_col="d")
    sites["redline_distance_m"] = near_red.groupby(level=0)["d"].min()
    rivers = lay["rivers"][lay["rivers"]["河流等级"].isin(["干流", "一级支流"])]
    near_river = gpd.sjoin_nearest(sites[["geometry"]], rivers[["geometry"]], distance_col="d")
    sites["river_distance_m"] = near_river.groupby(level=0)["d"].min()
    out = sites.apply(_plain_rules, axis=1)
    sites["decision"] = [d for d, _ in out]
    sites["reasons"] = [r for _, r in out]
    total = t()
    return {"load_s": load_s, "run_s": total, "rows": len(sites),
            "decisions": sites["decision"].value_counts().to_dict()}


def _connect(url: str):
    import psycopg
    return psycopg.connect(url, autocommit=True)


def child_pg_load(args) -> dict:
    """Load the layers and the site lists into PostGIS (COPY of hex WKB), make invalid ones valid, build
    GIST indexes (and subdivided copies of the red line and rivers for nearest queries), ANALYZE."""
    import io

    import pandas as pd
    import pyogrio
    import shapely
    gpkg = DATA / "province.gpkg"
    columns = {"redline": {"红线编码": "id"}, "parks": {"园区编码": "id", "园区类型": "kind", "是否合规": "compliant"},
               "control_units": {"单元编码": "id", "管控类别": "category"}, "urban_area": {"编码": "id"},
               "districts": {"区划代码": "id", "区划名称": "name"}, "rivers": {"河流编码": "id", "河流等级": "class"}}
    frames = {name: pyogrio.read_dataframe(gpkg, layer=name) for name in columns}
    pts = pd.read_csv(INPUTS["points"][0], usecols=["id", "x", "y"])
    frames["sites_points"] = pd.DataFrame({"id": pts["id"], "geometry": shapely.points(pts["x"], pts["y"])})
    polys = pyogrio.read_dataframe(INPUTS["polygons"][0], columns=["id"])
    frames["sites_polygons"] = pd.DataFrame({"id": polys["id"], "geometry": polys.geometry.values.to_numpy()})
    columns["sites_points"] = {"id": "id"}
    columns["sites_polygons"] = {"id": "id"}
    times = {}
    with _connect(args["url"]) as conn:
        for name, frame in frames.items():
            t = _timer()
            cols = columns[name]
            conn.execute(f"DROP TABLE IF EXISTS {name} CASCADE")
            defs = ", ".join(f"{c} text" for c in cols.values())
            conn.execute(f"CREATE TABLE {name} (fid integer PRIMARY KEY, {defs}, geom geometry(Geometry, 4545))")
            out = pd.DataFrame({"fid": range(len(frame))})
            for src, dst in cols.items():
                out[dst] = frame[src].astype(str).to_numpy()
            out["geom"] = shapely.to_wkb(frame["geometry"].to_numpy(), hex=True)
            buf = io.StringIO()
            out.to_csv(buf, sep="\t", header=False, index=False)
            with conn.cursor() as cur, cur.copy(f"COPY {name} (fid, {', '.join(cols.values())}, geom) FROM STDIN") as cp:
                cp.write(buf.getvalue())
            conn.execute(f"UPDATE {name} SET geom = ST_MakeValid(geom) WHERE NOT ST_IsValid(geom)")
            conn.execute(f"CREATE INDEX ON {name} USING gist (geom)")
            conn.execute(f"ANALYZE {name}")
            times[f"{name}_s"] = t()
        t = _timer()
        for name, extra in (("redline", ""), ("rivers", ", class")):
            conn.execute(f"DROP TABLE IF EXISTS {name}_sub")
            conn.execute(f"CREATE TABLE {name}_sub AS SELECT fid{extra}, ST_Subdivide(geom, 64) AS geom FROM {name}")
            conn.execute(f"CREATE INDEX ON {name}_sub USING gist (geom)")
            conn.execute(f"ANALYZE {name}_sub")
        for cls in ("干流", "一级支流", "其他"):   # one KNN index per class, so a class filter does not scan the others
            conn.execute(f"CREATE INDEX ON rivers_sub USING gist (geom) WHERE class = '{cls}'")
        conn.execute("ANALYZE rivers_sub")
        times["subdivide_s"] = t()
        version = conn.execute("SELECT version(), postgis_lib_version(), postgis_geos_version()").fetchone()
    layer_s = sum(v for k, v in times.items() if not k.startswith("sites_"))
    return {"layers_load_s": layer_s, "sites_points_load_s": times["sites_points_s"],
            "sites_polygons_load_s": times["sites_polygons_s"], **times,
            "postgresql": version[0].split(" on ")[0], "postgis": f"{version[1]} (GEOS {version[2]})"}


def child_pg_query(args) -> dict:
    """The same joins and nearest distances in SQL against the loaded tables; every result row is fetched."""
    table = f"sites_{args['input']}"
    overlap = args["input"] == "polygons"
    queries = {
        "redline": (f"SELECT s.fid, sum(ST_Area(ST_Intersection(s.geom, l.geom))) FROM {table} s JOIN redline l "
                    f"ON ST_Intersects(s.geom, l.geom) GROUP BY s.fid") if overlap else
                   f"SELECT s.fid, l.fid FROM {table} s JOIN redline l ON ST_Intersects(s.geom, l.geom)",
        "parks": f"SELECT s.fid, l.fid FROM {table} s JOIN parks l ON ST_Within(s.geom, l.geom)",
        "control_units": f"SELECT s.fid, l.category FROM {table} s JOIN control_units l ON ST_Intersects(s.geom, l.geom)",
        "urban_area": f"SELECT s.fid, l.fid FROM {table} s JOIN urban_area l ON ST_Intersects(s.geom, l.geom)",
        "districts": f"SELECT s.fid, l.name FROM {table} s JOIN districts l ON ST_Intersects(s.geom, l.geom)",
        "redline_nearest": (f"SELECT s.fid, n.d FROM {table} s CROSS JOIN LATERAL (SELECT ST_Distance(s.geom, l.geom) d "
                            f"FROM redline_sub l ORDER BY l.geom <-> s.geom LIMIT 1) n"),
    }
    for cls in ("干流", "一级支流", "其他"):
        queries[f"river_{cls}_nearest"] = (
            f"SELECT s.fid, n.d FROM {table} s CROSS JOIN LATERAL (SELECT ST_Distance(s.geom, l.geom) d "
            f"FROM rivers_sub l WHERE l.class = '{cls}' ORDER BY l.geom <-> s.geom LIMIT 1) n")
    times = {}
    rows = {}
    with _connect(args["url"]) as conn:
        for name, sql in queries.items():
            t = _timer()
            rows[name] = len(conn.execute(sql).fetchall())
            times[f"{name}_s"] = t()
    return {"query_s": sum(times.values()), **times, "rows": rows}


def child_site_warm(args) -> dict:
    """screen_site with layers and rules already loaded: median of `repeat` calls after one warm-up."""
    from screening.rules import load_rules
    from screening.site import screen_site
    from zoning.layers import load_layers
    layers = load_layers(CATALOG)
    rules = load_rules(REPO / "rules")
    lon, lat = args["lon"], args["lat"]
    first = _timer()
    screen_site(layers, rules, lon=lon, lat=lat, sector="2614", construction="new")
    first_s = first()
    calls = []
    for _ in range(args.get("repeat", 20)):
        t = _timer()
        verdict = screen_site(layers, rules, lon=lon, lat=lat, sector="2614", construction="new")
        calls.append(t())
    return {"first_call_s": first_s, "warm_s": statistics.median(calls), "decision": str(verdict["decision"].iloc[0])}


def child_big(args) -> dict:
    """One million points in one process: read_projects + screen (compute_facts + decide + assembly)."""
    from screening.projects import read_projects
    from screening.rules import load_rules
    from zoning.layers import load_layers
    path, crs = INPUTS["points1m"]
    t = _timer()
    layers = load_layers(CATALOG)
    rules = load_rules(REPO / "rules")
    load_s = t()
    t = _timer()
    projects = read_projects(path, crs=crs)
    read_s = t()
    results, steps = _screen_steps(projects, layers, rules)
    return {"load_s": load_s, "read_s": read_s, "decide_s": t(), **steps, "rows": len(results)}


CHILDREN = {"load": child_load, "pipeline": child_pipeline, "floor": child_floor, "geopandas": child_geopandas,
            "pg_load": child_pg_load, "pg_query": child_pg_query, "site_warm": child_site_warm, "big": child_big}


# =============================================================================================== driver


def run_process(cmd: list[str], env: dict | None = None) -> tuple[float, float, str, int]:
    """Run a command to its end: (wall seconds, peak RSS MB of that process, stdout, exit code)."""
    with tempfile.TemporaryFile("w+") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, cwd=REPO,
                                env={**os.environ, **(env or {})})
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        return wall, usage.ru_maxrss / 1024, out.read(), proc.returncode


def measure(name: str, args: dict, runs: int, log) -> dict:
    """Median over `runs` fresh child processes of every numeric field, plus the max peak RSS and wall time."""
    samples = []
    for i in range(runs):
        wall, rss, stdout, code = run_process([sys.executable, str(Path(__file__)), "--child", name, json.dumps(args)])
        line = [x for x in stdout.splitlines() if x.startswith("RESULT ")]
        if code != 0 or not line:
            raise RuntimeError(f"child {name} {args} failed (exit {code}):\n{stdout[-3000:]}")
        record = json.loads(line[-1][7:])
        record.update(wall_s=wall, rss_mb=rss, prepared_cache=cache_present())
        samples.append(record)
        log(f"    {name} {args.get('input', '')} run {i + 1}/{runs}: wall {wall:.1f} s, peak RSS {rss:,.0f} MB")
    return summarize(samples)


def summarize(samples: list[dict]) -> dict:
    """Median of numeric fields over samples (peak RSS: the largest); other fields from the last sample."""
    out = dict(samples[-1])
    for key, value in samples[-1].items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            values = [s[key] for s in samples if key in s]
            out[key] = max(values) if key == "rss_mb" else statistics.median(values)
    out["runs"] = len(samples)
    out["samples_wall_s"] = [round(s["wall_s"], 2) for s in samples]
    return out


def measure_command(cmd: list[str], runs: int, log, label: str) -> dict:
    """Median wall time and max peak RSS of a command run `runs` times."""
    walls, rss = [], []
    for i in range(runs):
        wall, peak, stdout, code = run_process(cmd)
        if code != 0:
            raise RuntimeError(f"{label} failed (exit {code}): {' '.join(cmd)}\n{stdout[-2000:]}")
        walls.append(wall)
        rss.append(peak)
        log(f"    {label} run {i + 1}/{runs}: wall {wall:.2f} s, peak RSS {peak:,.0f} MB")
    return {"wall_s": statistics.median(walls), "rss_mb": max(rss), "runs": runs,
            "samples_wall_s": [round(w, 2) for w in walls], "prepared_cache": cache_present()}


def cache_present() -> bool:
    """Whether a prepared layer cache (`zoning layers prepare`) sits beside the benchmark catalog."""
    folder = DATA / ".zoning-cache"
    return folder.is_dir() and any(folder.iterdir())


def zoning_cmd() -> list[str]:
    exe = shutil.which("zoning")
    return [exe] if exe else [sys.executable, "-c", "from screening.cli import main; main()"]


def has_prepare() -> bool:
    """Whether `zoning layers prepare` exists (the prepared-cache command)."""
    proc = subprocess.run([*zoning_cmd(), "layers", "--help"], capture_output=True, text=True, cwd=REPO, check=False)
    return any(line.strip().startswith("prepare") for line in proc.stdout.splitlines())


def site_lonlat() -> tuple[str, str]:
    from pyproj import Transformer
    lon, lat = Transformer.from_crs("EPSG:4545", "EPSG:4490", always_xy=True).transform(*SITE_XY)
    return f"{lon:.6f}", f"{lat:.6f}"


def run_group(group: str, store: dict, opts, log) -> None:
    """Measure one group of rows and put them into `store`."""
    runs = opts.runs
    if group == "load":
        store["load"] = measure("load", {"cache": False}, runs, log)
    elif group == "prepare":
        if not has_prepare():
            store["prepare"] = {"available": False}
            return
        cat = ["--catalog", str(CATALOG)]
        shutil.rmtree(DATA / ".zoning-cache", ignore_errors=True)   # so prepare does the whole work
        store["prepare"] = {"available": True,
                            "prepare": measure_command([*zoning_cmd(), "layers", "prepare", *cat], 1, log, "prepare"),
                            "load": measure("load", {}, runs, log)}
    elif group == "pipeline":
        for kind in ("points", "polygons"):
            store[f"pipeline_{kind}"] = measure("pipeline", {"input": kind}, runs, log)
    elif group == "cli":
        runs = opts.slow_runs or runs
        for kind in ("points", "polygons"):
            path, crs = INPUTS[kind]
            with tempfile.TemporaryDirectory() as out:
                cmd = [*zoning_cmd(), "screen", str(path), "-o", out, "--catalog", str(CATALOG), "--no-map", "-q"]
                store[f"cli_{kind}"] = measure_command(cmd + (["--crs", crs] if crs else []), runs, log, f"cli {kind}")
    elif group == "floor":
        runs = opts.slow_runs or runs
        for kind in ("points", "polygons"):
            store[f"floor_{kind}"] = measure("floor", {"input": kind}, runs, log)
    elif group == "geopandas":
        runs = opts.slow_runs or runs
        for kind, total in (("points", 100_000), ("polygons", 20_000)):
            sample = opts.gpd_sample if opts.gpd_sample and opts.gpd_sample < total else None
            rec = measure("geopandas", {"input": kind, "sample": sample}, runs, log)
            rec["total_rows"] = total
            rec["extrapolated_s"] = rec["run_s"] * total / rec["rows"]
            store[f"geopandas_{kind}"] = rec
    elif group == "postgis":
        run_postgis(store, opts.slow_runs or runs, log)
    elif group == "site":
        lon, lat = site_lonlat()
        cold = [*zoning_cmd(), "screen", "--lon", lon, "--lat", lat, "--sector", "2614", "--construction", "new"]
        store["site_cold"] = measure_command(cold + ["--catalog", str(CATALOG)], runs, log, "site cold")
        demo = [*zoning_cmd(), "screen", "--lon", DEMO_SITE[0], "--lat", DEMO_SITE[1], "--sector", "2614",
                "--construction", "new", "--catalog", str(REPO / "layers" / "demo" / "catalog.toml")]
        store["site_cold_demo"] = measure_command(demo, runs, log, "site cold (demo layers)")
        store["site_warm"] = measure("site_warm", {"lon": lon, "lat": lat}, runs, log)
    elif group == "big":
        store["big"] = measure("big", {}, opts.slow_runs or runs, log)


def run_postgis(store: dict, runs: int, log) -> None:
    """Start the private cluster with postgis.sh, load once, run the queries `runs` times, stop it."""
    proc = subprocess.Popen(["bash", str(HERE / "postgis.sh")], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, cwd=REPO)
    try:
        url = None
        for line in proc.stdout:
            if line.startswith("URL "):
                url = line.split(" ", 1)[1].strip()
                break
        if not url:
            raise RuntimeError("postgis.sh did not print a URL")
        log(f"    PostGIS at {url}")
        store["postgis_load"] = measure("pg_load", {"url": url}, 1, log)
        for kind in ("points", "polygons"):
            store[f"postgis_{kind}"] = measure("pg_query", {"url": url, "input": kind}, runs, log)
    finally:
        proc.stdin.close()
        proc.wait(timeout=120)


# =============================================================================================== report


def machine() -> dict:
    """CPU model, cores, RAM and library versions."""
    import geopandas
    import numpy
    import pandas
    import pyogrio
    import pyproj
    import shapely
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(next(x for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal")).split()[1])
        ram = f"{mem_kb / 1024 / 1024:.1f} GB"
    except (OSError, StopIteration):
        ram = "unknown"
    return {
        "cpu": cpu, "cores": os.cpu_count(), "ram": ram, "os": platform.platform(),
        "python": platform.python_version(), "geopandas": geopandas.__version__,
        "shapely": f"{shapely.__version__} (GEOS {shapely.geos_version_string})",
        "pyogrio": f"{pyogrio.__version__} (GDAL {pyogrio.__gdal_version_string__})",
        "pyproj": f"{pyproj.__version__} (PROJ {pyproj.proj_version_str})",
        "pandas": pandas.__version__, "numpy": numpy.__version__,
    }


def _s(value) -> str:
    if value is None:
        return "–"
    return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"


def _mb(value) -> str:
    return "–" if value is None else f"{value:,.0f}"


def render(store: dict) -> str:
    """RESULTS.md from the stored measurements: machine, versions, the table, the targets."""
    m = store.get("machine", {})
    pg = store.get("postgis_load", {})
    manifest = json.loads((DATA / "manifest.json").read_text()) if (DATA / "manifest.json").exists() else {}
    lines = [
        "# Benchmark results",
        "",
        "Written by `python benchmarks/run.py` (see README.md). Synthetic layer set of `benchmarks/generate.py` "
        f"(seed {manifest.get('params', {}).get('seed', '?')}): "
        + ", ".join(f"{k} {v['features']:,} features / {v['vertices']:,} vertices" for k, v in manifest.get("layers", {}).items())
        + ", PM2.5 1 km grid; EPSG:4545, 400 km box.",
        "",
        f"- date: {store.get('date', '?')}",
        f"- machine: {m.get('cpu', '?')}, {m.get('cores', '?')} cores, {m.get('ram', '?')} RAM, {m.get('os', '')}",
        (f"- python {m.get('python', '?')}, geopandas {m.get('geopandas', '?')}, shapely {m.get('shapely', '?')}, "
         f"pyogrio {m.get('pyogrio', '?')}, pyproj {m.get('pyproj', '?')}, pandas {m.get('pandas', '?')}, "
         f"numpy {m.get('numpy', '?')}"),
        (f"- {pg.get('postgresql', 'PostgreSQL: not measured')}, PostGIS {pg.get('postgis', '–')} "
         "(Debian packages, default settings, private cluster of benchmarks/postgis.sh)"),
        ("- every time is the median of the runs given (fresh process each); peak RSS is the largest of those runs "
         "(`ru_maxrss` of the child process)."),
        cache_note(store),
        ("- rows with 1 run were run once to keep the whole benchmark within half an hour (`--slow-runs 1`); "
         "other sessions may have used the 2 cores at the same time, so single runs can be inflated."),
        "",
        "| row | what is timed | 100k points s | 20k polygons s | peak RSS MB (points / polygons) | runs |",
        "|---|---|---|---|---|---|",
    ]

    def row(label, what, key, field, rss=True):
        a, b = store.get(f"{key}_points"), store.get(f"{key}_polygons")
        va = a.get(field) if a else None
        vb = b.get(field) if b else None
        mem = f"{_mb(a.get('rss_mb') if a else None)} / {_mb(b.get('rss_mb') if b else None)}" if rss else "–"
        n = (a or b or {}).get("runs", "–")
        lines.append(f"| {label} | {what} | {_s(va)} | {_s(vb)} | {mem} | {n} |")

    row("our pipeline: decisions", "read_projects + screen (facts, rules) — layers loaded, first call", "pipeline", "decide_s")
    row("  of which spatial facts", "compute_facts (first call: includes building metric copies, trees, outline pieces)",
        "pipeline", "spatial_facts_s", rss=False)
    row("  warm screen", "screen again on the same loaded layers (layer preparation already done)", "pipeline",
        "warm_screen_s", rss=False)
    row("our pipeline: outputs", "write_outputs: results.csv + results.xlsx + results.gpkg + summary.json",
        "pipeline", "write_s", rss=False)
    row("  layer loading in that process", "load_layers + load_rules (not in the rows above)", "pipeline", "load_s",
        rss=False)
    row("CLI end to end", "`zoning screen INPUT -o DIR --no-map` wall time (imports, layers, read, screen, write)", "cli",
        "wall_s")
    row("floor", "shapely STRtree build + query(intersects) per polygon layer + query_nearest (red line, 3 river "
        "classes), summed; EPSG:4545", "floor", "floor_s")
    row("floor, outlines in pieces", "the same, but nearest queries against red-line and river outlines cut into "
        "≤ 16-vertex pieces (zoning.pieces; cutting not timed)", "floor", "floor_pieces_s", rss=False)
    gp, gq = store.get("geopandas_points"), store.get("geopandas_polygons")
    if gp or gq:
        note = []
        for rec in (gp, gq):
            if rec and rec["rows"] < rec["total_rows"]:
                note.append(f"{rec['rows']:,} of {rec['total_rows']:,} rows measured, extrapolated linearly")
        row("plain geopandas", "sjoin per layer + sjoin_nearest (red line, rivers) + DataFrame.apply(axis=1) rules"
            + (f" ({'; '.join(note)})" if note else ""), "geopandas", "extrapolated_s")
    row("PostGIS (loaded)", "SQL joins + KNN nearest (red line, 3 river classes) on loaded tables with GIST indexes, "
        "all rows fetched (RSS: client only)", "postgis", "query_s")
    lines.append("")
    lines += render_other(store)
    lines += render_targets(store)
    for extra in sorted((HERE / "results.d").glob("*.md")):  # sections written by the other benchmark scripts
        lines += ["", extra.read_text(encoding="utf-8").rstrip()]
    return "\n".join(lines) + "\n"


def cache_note(store: dict) -> str:
    """Which rows ran with the prepared layer cache beside the catalog (it changes loading and first calls)."""
    keys = [k for k, v in store.items() if isinstance(v, dict) and v.get("prepared_cache")]
    if not keys:
        return "- no row ran with a prepared layer cache (`zoning layers prepare`)."
    return ("- rows that ran with the prepared layer cache present (`zoning layers prepare`, used by load_layers "
            f"automatically): {', '.join(sorted(keys))}; the first-load row always reads the sources.")


def render_other(store: dict) -> list[str]:
    """Rows that are not per input: loading, PostGIS load, single site, prepared cache, 1M points."""
    out = ["| row | what is timed | seconds | peak RSS MB | runs |", "|---|---|---|---|---|"]
    load = store.get("load")
    if load:
        out.append(f"| layer loading: first load | `load_layers` of the catalog (read, map fields, repair, to EPSG:4490) "
                   f"| {_s(load['load_s'])} | {_mb(load['rss_mb'])} | {load['runs']} |")
    prep = store.get("prepare")
    if prep is not None:
        if prep.get("available"):
            out.append(f"| layer loading: prepared cache | `zoning layers prepare` once ({_s(prep['prepare']['wall_s'])} s), "
                       f"then `load_layers` in a fresh process | {_s(prep['load']['load_s'])} | "
                       f"{_mb(prep['load']['rss_mb'])} | {prep['load']['runs']} |")
        else:
            out.append("| layer loading: prepared cache | `zoning layers prepare` — not available in this checkout "
                       "(`zoning layers --help` lists no prepare) | not available | – | – |")
    pg = store.get("postgis_load")
    if pg:
        out.append(f"| PostGIS load (once) | COPY of hex WKB via psycopg, ST_MakeValid, GIST indexes, ST_Subdivide "
                   f"copies of red line and rivers, ANALYZE: layers | {_s(pg['layers_load_s'])} | – | 1 |")
        out.append(f"| PostGIS load (once) | the site lists: 100k points / 20k polygons | "
                   f"{_s(pg['sites_points_load_s'])} / {_s(pg['sites_polygons_load_s'])} | – | 1 |")
    for key, label in (("site_cold", "single site, cold: synthetic province layers"),
                       ("site_cold_demo", "single site, cold: demo layers (layers/demo)")):
        rec = store.get(key)
        if rec:
            out.append(f"| {label} | `zoning screen --lon --lat --sector 2614 --construction new` wall time "
                       f"| {_s(rec['wall_s'])} | {_mb(rec['rss_mb'])} | {rec['runs']} |")
    warm = store.get("site_warm")
    if warm:
        out.append(f"| single site, warm | `screening.site.screen_site` with layers loaded, median of 20 calls after "
                   f"a first call ({_s(warm['first_call_s'])} s) | {warm['warm_s']:.3f} | {_mb(warm['rss_mb'])} | "
                   f"{warm['runs']} |")
    big = store.get("big")
    if big:
        out.append(f"| 1,000,000 points in-process | read_projects {_s(big['read_s'])} s + screen "
                   f"(spatial facts {_s(big.get('spatial_facts_s'))} s, rules {_s(big.get('rules_s'))} s); "
                   f"layers loaded first ({_s(big['load_s'])} s, not included) | {_s(big['decide_s'])} "
                   f"| {_mb(big['rss_mb'])} | {big['runs']} |")
    return out + [""]


def render_targets(store: dict) -> list[str]:
    """Targets of issue 6, each met / not met with the measured ratio."""
    p, f = store.get("pipeline_points"), store.get("floor_points")
    g, pg = store.get("geopandas_points"), store.get("postgis_points")
    cold = store.get("site_cold")
    out = ["## Targets (100k points unless said)", "", "| target | measured | ratio | met? |", "|---|---|---|---|"]

    def add(target, measured, ratio, ok):
        out.append(f"| {target} | {measured} | {ratio} | {'met' if ok else '**not met**'} |")

    if p and f:
        r = p["decide_s"] / f["floor_s"]
        add("reading to decisions ≤ 3× the STRtree floor (whole features)",
            f"{_s(p['decide_s'])} s vs floor {_s(f['floor_s'])} s", f"{r:.2f}×", r <= 3)
        for label, key in (("first call", "decide_s"), ("warm: screen on prepared layers, no read", "warm_screen_s")):
            rp = p[key] / f["floor_pieces_s"]
            add(f"  stricter: ≤ 3× the floor with outlines in pieces ({label})",
                f"{_s(p[key])} s vs {_s(f['floor_pieces_s'])} s", f"{rp:.2f}×", rp <= 3)
        r2 = p["write_s"] / f["floor_s"]
        add("writing every output adds ≤ the floor again (whole features)", f"{_s(p['write_s'])} s",
            f"{r2:.2f}× floor", r2 <= 1)
        r3 = p["write_s"] / f["floor_pieces_s"]
        add("  stricter: ≤ the floor with outlines in pieces", f"{_s(p['write_s'])} s", f"{r3:.2f}× floor", r3 <= 1)
    if p and pg:
        r = pg["query_s"] / p["decide_s"]
        add("faster than PostGIS (loaded) for the batch", f"ours {_s(p['decide_s'])} s, PostGIS {_s(pg['query_s'])} s",
            f"PostGIS/ours {r:.2f}×", r > 1)
    q, qpg = store.get("pipeline_polygons"), store.get("postgis_polygons")
    if q and qpg:
        r = qpg["query_s"] / q["decide_s"]
        add("  (same for 20k polygons)", f"ours {_s(q['decide_s'])} s, PostGIS {_s(qpg['query_s'])} s",
            f"PostGIS/ours {r:.2f}×", r > 1)
    if p and g:
        r = g["extrapolated_s"] / p["decide_s"]
        add("≥ 20× faster than the plain geopandas script", f"geopandas {_s(g['extrapolated_s'])} s", f"{r:.1f}×", r >= 20)
    if p:
        add("peak memory < 2 GB (100k points, 5M-vertex set)", f"{_mb(p['rss_mb'])} MB (whole process, incl. layers "
            "and the second warm screen)", f"{p['rss_mb'] / 2048:.2f} of 2 GB", p["rss_mb"] < 2048)
    if cold:
        add("cold single-site verdict < 2 s (synthetic province layers)", f"{_s(cold['wall_s'])} s",
            f"{cold['wall_s'] / 2:.2f} of 2 s", cold["wall_s"] < 2)
    demo = store.get("site_cold_demo")
    if demo:
        add("  (same on the demo layers)", f"{_s(demo['wall_s'])} s", f"{demo['wall_s'] / 2:.2f} of 2 s",
            demo["wall_s"] < 2)
    return out + [""]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("child_args", nargs="?", help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=int, default=3, help="runs per row; the median is reported (default 3)")
    parser.add_argument("--slow-runs", type=int, default=None,
                        help="runs of the slow groups: cli, floor, geopandas, postgis, big (default: --runs)")
    parser.add_argument("--only", help=f"comma-separated groups: {','.join(GROUPS)}")
    parser.add_argument("--skip", help="comma-separated groups to leave out")
    parser.add_argument("--gpd-sample", type=int, default=None,
                        help="run the plain geopandas script on the first N rows and extrapolate linearly")
    parser.add_argument("--render", action="store_true", help="only rewrite RESULTS.md from results.json")
    opts = parser.parse_args(argv)
    if opts.child:
        result = CHILDREN[opts.child](json.loads(opts.child_args or "{}"))
        print("RESULT " + json.dumps(result, ensure_ascii=False, default=str), flush=True)
        return 0
    if not CATALOG.exists():
        print("no benchmark data: run python benchmarks/generate.py first", file=sys.stderr)
        return 2
    store = json.loads(STORE.read_text()) if STORE.exists() else {}
    if not opts.render:
        groups = opts.only.split(",") if opts.only else list(GROUPS)
        groups = [g for g in groups if g not in (opts.skip or "").split(",")]
        unknown = set(groups) - set(GROUPS)
        if unknown:
            parser.error(f"unknown group(s) {', '.join(sorted(unknown))}; use {', '.join(GROUPS)}")
        store["machine"] = machine()
        store["date"] = dt.date.today().isoformat()
        for group in groups:
            print(f"[{group}]", flush=True)
            started = time.perf_counter()
            run_group(group, store, opts, lambda msg: print(msg, flush=True))
            STORE.write_text(json.dumps(store, ensure_ascii=False, indent=1, default=str))
            print(f"  {group} done in {time.perf_counter() - started:.0f} s", flush=True)
    RESULTS_MD.write_text(render(store), encoding="utf-8")
    print(f"wrote {RESULTS_MD}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
