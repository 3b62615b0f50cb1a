"""Profile our pipeline on the benchmark data with cProfile and print the hot spots.

    python benchmarks/hotspots.py pipeline            # read_projects + screen of 100k points (layers loaded first)
    python benchmarks/hotspots.py pipeline --warm     # the same, after one untimed screen (prepared layers)
    python benchmarks/hotspots.py site                # a cold `zoning screen --lon --lat` in this process
    python benchmarks/hotspots.py pipeline --top 40 --sort cumulative

Writes the raw profile to benchmarks/data/<what>.prof (open with snakeviz or pstats) and prints the top
functions by own time (tottime) and by cumulative time. Run by hand only, never in CI.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = HERE / "data"
CATALOG = DATA / "catalog.toml"


def profile_pipeline(warm: bool) -> cProfile.Profile:
    """Profile read_projects + screen of the 100k-point list; layers and rules are loaded outside the profile."""
    from screening.projects import read_projects
    from screening.rules import load_rules
    from screening.screen import screen
    from zoning.layers import load_layers
    layers = load_layers(CATALOG)
    rules = load_rules(REPO / "rules")
    if warm:
        screen(read_projects(DATA / "points_100k.csv", crs="EPSG:4545"), layers, rules)
    prof = cProfile.Profile()
    start = time.perf_counter()
    prof.enable()
    projects = read_projects(DATA / "points_100k.csv", crs="EPSG:4545")
    screen(projects, layers, rules)
    prof.disable()
    print(f"read_projects + screen: {time.perf_counter() - start:.1f} s under the profiler")
    return prof


def profile_site() -> cProfile.Profile:
    """Profile the whole single-site CLI in this process, imports included (like a cold `zoning screen`)."""
    from pyproj import Transformer
    lon, lat = Transformer.from_crs("EPSG:4545", "EPSG:4490", always_xy=True).transform(400_000.0, 3_300_000.0)
    prof = cProfile.Profile()
    start = time.perf_counter()
    prof.enable()
    from screening.cli import main
    try:
        main(["screen", "--lon", f"{lon:.6f}", "--lat", f"{lat:.6f}", "--sector", "2614", "--construction", "new",
              "--catalog", str(CATALOG), "--json"], standalone_mode=False)
    finally:
        prof.disable()
    print(f"cold single site: {time.perf_counter() - start:.1f} s under the profiler")
    return prof


def report(prof: cProfile.Profile, top: int, sort: str) -> str:
    """The top `top` functions by own time and by `sort`."""
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out).strip_dirs()
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats(sort).print_stats(top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=("pipeline", "site"))
    parser.add_argument("--warm", action="store_true", help="pipeline: profile a second screen on prepared layers")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="cumulative", help="second listing's pstats key (default cumulative)")
    args = parser.parse_args(argv)
    if not CATALOG.exists():
        print("no benchmark data: run python benchmarks/generate.py first", file=sys.stderr)
        return 2
    prof = profile_pipeline(args.warm) if args.what == "pipeline" else profile_site()
    name = f"{args.what}{'_warm' if args.warm else ''}.prof"
    prof.dump_stats(DATA / name)
    print(report(prof, args.top, args.sort))
    print(f"raw profile: {DATA / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
