"""`zoning screen`: a project list -> results.csv/xlsx/gpkg + summary.json (+ map.html); or one site -> verdict."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from zoning.errors import ZoningError
from zoning.atomic import temp_name
from zoning.layers import load_layers

from ..engines import ENGINES, screen_dask
from ..output import stage_outputs
from ..projects import read_projects
from ..rules import load_rules
from ..screen import provenance, screen
from ..sink import check_target, write_postgis
from ..site import read_radius_m, site_bbox, site_projects
from .errors import EXIT_CODES_HELP, InputError, debug_option
from .options import catalog_option, rules_option
from .verdict import print_verdict, verdict_json


@click.command("screen", epilog=EXIT_CODES_HELP)
@click.argument("input_path", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--out", "outdir", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder: results.csv, results.xlsx, results.gpkg, summary.json, map.html.")
@catalog_option
@rules_option
@click.option("--crs", help="CRS of x/y or WKT input, e.g. EPSG:4545 (CGCS2000 3° GK CM 108E).")
@click.option("--layer", help="Sheet (XLSX) or layer (GPKG/KML) to read (default: the first visible sheet with "
                                "location columns).")
@click.option("--header-row", type=click.IntRange(min=1),
              help="Row number (1 = first) of the column headers in an XLSX/CSV list, when title rows sit above "
                   "them and detection picks the wrong row.")
@click.option("--max-unzip-mb", type=click.FloatRange(min=0, min_open=True), default=1000.0, show_default=True,
              help="A zipped list may expand to at most this many MB (zip bombs are refused in bounded time).")
@click.option("--allow-empty", is_flag=True, help="Accept a list with a header and no project rows (writes empty outputs).")
@click.option("--encoding", help="Text encoding of a CSV, when detection is not enough (e.g. GB18030).")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), help="Apply the rules in force on this date.")
@click.option("--tolerance", default=1.0, show_default=True, help="Overlap (m²) at or below which a site only touches.")
@click.option("--max-distance", type=float,
              help="Report distances only up to this (m); farther ones are null in JSON with a 'beyond' flag. "
                   "Decisions are unaffected: distances a rule compares are always computed to its threshold.")
@click.option("--lon", help="One site: longitude (decimal or DMS).")
@click.option("--lat", help="One site: latitude (decimal or DMS).")
@click.option("--wkt", help="One site: WKT point or polygon.")
@click.option("--sector", help="One site: GB/T 4754-2017 code, e.g. 3011 or C3011.")
@click.option("--construction", help="One site: new | expansion | renovation | relocation (or 新建/扩建/改建/迁建).")
@click.option("--name", help="One site: project name.")
@click.option("--coords", help="Coordinate system of lon/lat: CGCS2000 | WGS84 | GCJ02 (Amap/Tencent) | BD09 (Baidu); "
                               "for a list, rows with a 坐标系 cell keep theirs (default: CGCS2000, assumed).")
@click.option("--process", help="One site: grinding_station | eaf | bf_bof (or 粉磨站/电炉/高炉-转炉).")
@click.option("--major", help="One site: national major project (yes/no).")
@click.option("--park", help="One site: the park the applicant claims.")
@click.option("--radius", default=10_000.0, show_default=True,
              help="One site: read layers only this far (m) around it; farther distances show as inf.")
@click.option("--json", "as_json", is_flag=True, help="One site: print the verdict as JSON (numbers stay numbers; a distance beyond the search radius is null and listed in beyond_radius).")
@click.option("--map/--no-map", "with_map", default=True, show_default=True, help="Write map.html into the output folder.")
@click.option("--online", is_flag=True, help="Maps load Leaflet from CDNs instead of inlining it.")
@click.option("--engine", type=click.Choice(ENGINES), default="local", show_default=True,
              help="Screen a list in this process, or on dask-geopandas (pip install 'zoning-screen[dask]').")
@click.option("--scheduler", help="--engine dask: address of a running dask scheduler (default: 2 local workers).")
@click.option("--partitions", type=click.IntRange(min=1), help="--engine dask: number of spatial partitions.")
@click.option("--to", "to_url", help="Also write the results to PostGIS: postgresql://user@host:port/db "
                                     "(password from PGPASSWORD).")
@click.option("--table", "to_table", help="--to: the table to replace, schema.name.")
@click.option("-q", "--quiet", is_flag=True, help="No progress or summary on the terminal.")
@debug_option
def screen_cmd(input_path, outdir, catalog, rules_dir, crs, layer, header_row, max_unzip_mb, allow_empty, encoding, as_of, tolerance,
               max_distance, lon, lat, wkt, sector, construction, name, coords, process, major, park, radius, as_json,
               with_map, online, engine, scheduler, partitions, to_url, to_table, quiet):
    """Screen a project list (INPUT -o OUTDIR), or one site (--lon/--lat or --wkt)."""
    single = any(v is not None for v in (lon, lat, wkt))
    if single == bool(input_path):
        raise click.UsageError("give either INPUT (a project list) or one site with --lon/--lat or --wkt")
    if input_path and not outdir:
        raise click.UsageError("a project list needs -o OUTDIR for its results")
    if engine != "dask" and (scheduler or partitions):
        raise click.UsageError("--scheduler and --partitions go with --engine dask")
    if engine == "dask" and single:
        raise click.UsageError("--engine dask screens a project list (INPUT), not one site")
    if max_distance is not None and not max_distance > 0:
        raise click.BadParameter(f"{max_distance:g} m: give a distance above 0 (or leave it out)",
                                 param_hint="--max-distance")
    if radius is not None and not radius > 0:
        raise click.BadParameter(f"{radius:g} m: give a distance above 0", param_hint="--radius")
    if single and (header_row or allow_empty):
        raise click.UsageError("--header-row and --allow-empty go with a project list (INPUT)")
    if bool(to_url) != bool(to_table):
        raise click.UsageError("--to URL and --table schema.name go together")
    if to_url:
        try:
            check_target(to_url, to_table)
        except ZoningError as exc:
            raise click.UsageError(str(exc)) from exc
    console = Console(stderr=True, quiet=quiet or as_json)
    started = time.perf_counter()
    with StageProgress(console, single) as status:
        rules = load_rules(rules_dir)
        if single:
            projects = site_projects(crs=crs, lon=lon, lat=lat, wkt=wkt, sector=sector, name=name,
                                     construction=construction, coords=coords, process=process, major=major,
                                     park=park)
            max_distance = min(max_distance or radius, radius)
        else:
            extra = {"header_row": header_row} if header_row else {}
            extra["max_unzip_bytes"] = int(max_unzip_mb * 1_000_000)
            projects = read_projects(input_path, crs=crs, layer=layer, encoding=encoding, coords=coords, **extra)
            if not len(projects.projects) and not allow_empty:
                raise InputError(f"{input_path}: 没有项目行 / no project rows (the file has a header but no rows "
                                 "below it); add project rows, or pass --allow-empty to write empty outputs")
        status.update("loading layers")
        bbox = site_bbox(projects.projects.geometry, read_radius_m(rules, radius)) if single else None
        layers = load_layers(catalog, bbox=bbox)
        options = {"as_of": as_of.date() if as_of else None, "tolerance_m2": tolerance,
                   "max_distance_m": max_distance}
        if engine == "dask":
            status.update("screening on dask")
            results = screen_dask(projects, catalog, rules_dir,
                                  scheduler=scheduler, partitions=partitions, **options)
        else:
            results = screen(projects, layers, rules, progress=lambda msg: status.update(msg), **options)
    # what decided, as the API records it (the dask engine's results carry none: ask the API for it)
    meta = dict(results.attrs.get("provenance")
                or provenance(projects, layers, rules, **options))
    if single:
        meta.pop("notes", None)
    for note in meta.get("notes", ()):
        console.print(note, markup=False, highlight=False)
    if max_distance:
        meta["search_radius_m"] = max_distance
    if single:
        if as_json:
            click.echo(json.dumps(verdict_json(results.iloc[0], meta), ensure_ascii=False, indent=2))
        else:
            print_verdict(results.iloc[0], Console(soft_wrap=True), meta)
    if outdir:
        with StageProgress(console, single, stages=("writing outputs", "drawing the map")) as status, \
                stage_outputs(results, outdir, meta) as staged:
            if with_map and single and results.geometry.isna().all():
                console.print("没有绘制地图：位置无法读取 / no map: the site's location could not be read",
                              markup=False, highlight=False)
            elif with_map:
                status.update("drawing the map")
                final = Path(outdir) / "map.html"
                tmp = temp_name(final)
                _write_map(results, projects, layers, tmp, single, online)
                staged.add("map", final, tmp)
            written = staged.commit()
        console.print(f"wrote {', '.join(str(p) for p in written.values())}")
    if to_url:
        rows = write_postgis(results, to_url, to_table)
        console.print(f"wrote {rows:,} row(s) to PostGIS table {to_table}")
    if single and (results["decision"] == "invalid").all():
        raise InputError("输入无效，未能筛查 / the site could not be screened: "
                         + str(results["error"].iloc[0] or "invalid input"))
    if not single:
        counts = results["decision"].value_counts().to_dict()
        tally = ", ".join(f"{k} {v}" for k, v in counts.items()) or "no rows (--allow-empty)"
        console.print(f"{len(results):,} project(s) screened in {time.perf_counter() - started:.1f} s: {tally}",
                      markup=False, highlight=False)


class StageProgress:
    """A progress bar over the pipeline's stages (each stage is one vectorised pass, so stages are the
    honest unit of progress); `update(msg)` moves to the next stage. Silent when the console is quiet."""

    STAGES = ("reading projects and rules", "loading layers", "project facts", "spatial facts", "rules",
              "admission lists", "results")

    def __init__(self, console: Console, single: bool, stages: tuple[str, ...] | None = None):
        self.stages = stages or self.STAGES
        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                 TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                                 console=console, transient=True, disable=console.quiet or single)
        self.task = None

    def __enter__(self):
        self.progress.__enter__()
        self.task = self.progress.add_task(self.stages[0], total=len(self.stages))
        return self

    def update(self, message: str) -> None:
        self.progress.update(self.task, advance=1, description=message)

    def __exit__(self, *exc):
        self.progress.update(self.task, completed=len(self.stages))
        return self.progress.__exit__(*exc)


def _write_map(results, projects, layers, path: Path, single: bool, online: bool) -> Path:
    """map.html: a decision map of the batch, or a site map for one site (popups name each project)."""
    from maps.decision_map import decision_map
    from maps.save import save_map
    from maps.site_map import site_map

    frames = dict(layers.frames)
    m = site_map(results.iloc[:1], frames, online=online) if single else decision_map(results, frames, online=online)
    save_map(m, path, online=online)
    return path
