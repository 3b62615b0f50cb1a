"""Screen 1,000,000 points in one process and on dask-geopandas (2 workers); print a Markdown snippet.

Uses the synthetic province of benchmarks/generate.py (benchmarks/data/points_1m.csv, catalog.toml) when it
is there, else random points over the demo layers. Each engine runs in a fresh subprocess; peak memory is
that process's peak RSS (for dask: the driver plus every worker, read with getrusage on each).

    python benchmarks/dask_bench.py                          # 1M points, 2 workers
    python benchmarks/dask_bench.py --points 100000 --partitions 8 --workers 2
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = HERE / "data"
DEMO_CATALOG = REPO / "layers" / "demo" / "catalog.toml"
#: columns whose digest shows the two engines agree row for row
DIGEST_COLUMNS = ["decision", "rule_ids", "in_redline", "park", "control_units", "river_distance_m", "district"]


def peak_mb() -> float:
    """This process's peak RSS in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def digest(results) -> str:
    """Order-sensitive SHA-256 over the decision and key fact columns."""
    import pandas as pd

    cols = [c for c in DIGEST_COLUMNS if c in results.columns]
    hashed = pd.util.hash_pandas_object(results[cols].astype("string"), index=False).to_numpy()
    return hashlib.sha256(hashed.tobytes()).hexdigest()[:16]


def make_input(points: int, folder: Path) -> tuple[Path, str | None, Path, str]:
    """(project file, its CRS, catalog, description): the generated province, else random demo points."""
    import numpy as np
    import pandas as pd

    big = DATA / "points_1m.csv"
    if big.exists() and (DATA / "catalog.toml").exists():
        frame = pd.read_csv(big, dtype=str, nrows=points)
        path = folder / "points.csv"
        frame.to_csv(path, index=False)
        return path, "EPSG:4545", DATA / "catalog.toml", f"{len(frame):,} points of benchmarks/generate.py's province"
    from zoning.layers import load_layers

    x0, y0, x1, y1 = load_layers(DEMO_CATALOG).frame("control_unit").total_bounds
    rng = np.random.default_rng(20261126)
    frame = pd.DataFrame({"id": [f"R{i:07d}" for i in range(points)], "sector": rng.choice(["2614", "3011", "3110",
                          "3911", "4411"], points), "construction": rng.choice(["新建", "扩建"], points),
                          "lon": rng.uniform(x0, x1, points).round(6), "lat": rng.uniform(y0, y1, points).round(6)})
    path = folder / "points.csv"
    frame.to_csv(path, index=False)
    return path, None, DEMO_CATALOG, f"{points:,} random points over the demo layers"


def child_local(args: dict) -> dict:
    """read_projects + load_layers + screen in this process."""
    from screening.projects import read_projects
    from screening.rules import load_rules
    from screening.screen import screen
    from zoning.layers import load_layers

    start = time.perf_counter()
    projects = read_projects(args["input"], crs=args["crs"])
    read_s = time.perf_counter() - start
    t = time.perf_counter()
    layers, rules = load_layers(args["catalog"]), load_rules(REPO / "rules")
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    results = screen(projects, layers, rules)
    screen_s = time.perf_counter() - t
    return {"read_s": read_s, "load_s": load_s, "screen_s": screen_s, "total_s": time.perf_counter() - start,
            "rows": len(results), "digest": digest(results), "peak_mb": peak_mb()}


def child_dask(args: dict) -> dict:
    """A LocalCluster of `workers` processes; read_projects in the driver, then screen_dask twice (cold, warm)."""
    import logging

    from distributed import Client, LocalCluster

    from screening.engines import screen_dask
    from screening.engines.dask_engine import ROWS_PER_PARTITION
    from screening.projects import read_projects

    start = time.perf_counter()
    with LocalCluster(n_workers=args["workers"], threads_per_worker=1, processes=True, dashboard_address=":0",
                      memory_limit=args["memory_limit"], silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        cluster_s = time.perf_counter() - start
        t = time.perf_counter()
        projects = read_projects(args["input"], crs=args["crs"])
        read_s = time.perf_counter() - t
        parts = args["partitions"] or max(2 * args["workers"], -(-len(projects.projects) // ROWS_PER_PARTITION))
        t = time.perf_counter()
        results = screen_dask(projects, args["catalog"], REPO / "rules", scheduler=cluster.scheduler_address,
                              partitions=parts)
        cold_s = time.perf_counter() - t
        total_s = time.perf_counter() - start
        t = time.perf_counter()
        screen_dask(projects, args["catalog"], REPO / "rules", scheduler=cluster.scheduler_address,
                    partitions=parts)
        warm_s = time.perf_counter() - t
        workers = client.run(peak_mb)
    return {"cluster_s": cluster_s, "read_s": read_s, "screen_s": cold_s, "warm_screen_s": warm_s,
            "total_s": total_s, "partitions": parts, "rows": len(results), "digest": digest(results), "driver_peak_mb": peak_mb(),
            "worker_peak_mb": sorted(workers.values()), "peak_mb": peak_mb() + sum(workers.values())}


def run_child(mode: str, args: dict) -> dict:
    """Run one engine in a fresh interpreter and return its RESULT line."""
    proc = subprocess.run([sys.executable, str(Path(__file__)), "--child", mode, json.dumps(args)], cwd=REPO,
                          capture_output=True, text=True, check=False)
    line = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")]
    if proc.returncode or not line:
        raise RuntimeError(f"{mode} failed (exit {proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    return json.loads(line[-1][7:])


def markdown(what: str, args: dict, local: dict, dask: dict) -> str:
    """The snippet for benchmarks/RESULTS.md."""
    same = "identical" if local["digest"] == dask["digest"] and local["rows"] == dask["rows"] else "DIFFERENT"
    workers = ", ".join(f"{m:,.0f}" for m in dask["worker_peak_mb"])
    return "\n".join([
        f"### In-process vs dask-geopandas ({args['workers']} workers), {what}",
        "",
        (f"`python benchmarks/dask_bench.py --points {args['points']} --workers {args['workers']} "
         f"--memory-limit {args['memory_limit']}` on "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}; {dask['partitions']} Hilbert partitions, "
        f"one thread per worker. Results {same} row for row (digest `{local['digest']}`)."),
        "",
        "| engine | wall time | of which | peak memory |",
        "|---|---:|---|---:|",
        (f"| in-process | {local['total_s']:.1f} s | read {local['read_s']:.1f} s, load layers {local['load_s']:.1f} s, "
        f"screen {local['screen_s']:.1f} s | {local['peak_mb']:,.0f} MB |"),
        (f"| dask, {args['workers']} workers (cold) | {dask['total_s']:.1f} s | cluster start {dask['cluster_s']:.1f} s, "
        f"read {dask['read_s']:.1f} s, screen incl. layer loads on the workers {dask['screen_s']:.1f} s | "
        f"{dask['peak_mb']:,.0f} MB (driver {dask['driver_peak_mb']:,.0f} + workers {workers}) |"),
        f"| dask, same cluster again (warm) | {dask['warm_screen_s']:.1f} s | layers already on the workers | |",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("child_args", nargs="?", help=argparse.SUPPRESS)
    parser.add_argument("--points", type=int, default=1_000_000, help="how many points (default 1,000,000)")
    parser.add_argument("--workers", type=int, default=2, help="dask worker processes (default 2)")
    parser.add_argument("--partitions", type=int, default=None, help="spatial partitions (default: the engine's)")
    parser.add_argument("--memory-limit", default="auto", help="per-worker memory limit, e.g. 8GB or 0 for none "
                                                               "(default: dask's auto, RAM / workers)")
    opts = parser.parse_args(argv)
    if opts.child:
        sys.path.insert(0, str(REPO))
        result = (child_local if opts.child == "local" else child_dask)(json.loads(opts.child_args))
        print("RESULT " + json.dumps(result))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        path, crs, catalog, what = make_input(opts.points, Path(tmp))
        args = {"input": str(path), "crs": crs, "catalog": str(catalog), "workers": opts.workers,
                "partitions": opts.partitions, "points": opts.points,
                "memory_limit": 0 if opts.memory_limit == "0" else opts.memory_limit}
        print(f"{what}; catalog {catalog}", file=sys.stderr)
        local = run_child("local", args)
        print(f"in-process: {local['total_s']:.1f} s, peak {local['peak_mb']:,.0f} MB", file=sys.stderr)
        dask = run_child("dask", args)
        print(f"dask: {dask['total_s']:.1f} s, peak {dask['peak_mb']:,.0f} MB", file=sys.stderr)
    print(markdown(what, args, local, dask))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
