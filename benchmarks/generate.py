"""Generate a seeded, province-size synthetic zoning layer set and project lists for the benchmarks.

Everything is written once into ``benchmarks/data/`` (gitignored) and reused while ``manifest.json``
there records the same parameters; ``--force`` rebuilds. All layers are in EPSG:4545 (CGCS2000 3-degree
Gauss-Krueger, central meridian 108E) inside a 400 km box around Chongqing, x 200-600 km, y 3100-3500 km.

What is made (defaults; see ``Params``):

* ``province.gpkg`` layers
    - ``redline``: 20,000 features, about 5 million vertices: star-shaped rings with smooth and jagged
      radial noise, ~15% with a hole, ~10% multipart, ~1% with a self-intersection (two swapped vertices)
    - ``parks``: 3,000 parks, kind 化工园区/工业园区, compliant 是/否
    - ``control_units``: 100,000 jittered-grid quadrilaterals covering the whole box without gaps,
      categories 优先保护单元/重点管控单元/一般管控单元 in coherent blocks
    - ``rivers``: 2 mainstreams (20,000 vertices each), 30 tributaries, 3,000 minor lines
    - ``urban_area``: 60 built-up areas; ``districts``: 40 Voronoi cells clipped to the box
* ``pm25.tif``: 1 km PM2.5 grid (annual mean, µg/m³) over the box
* ``catalog.toml``: the layer catalog in the project's format
* project lists: ``points_100k.csv`` and ``points_1m.csv`` (id,name,sector,construction,x,y in EPSG:4545)
  and ``polygons_20k.gpkg`` (rectangular sites of 80-400 m, same attributes)

Generation is vectorised with numpy and shapely's array functions and takes about a minute.

    python benchmarks/generate.py            # build or reuse
    python benchmarks/generate.py --force    # rebuild
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import rasterio
import shapely
from rasterio.transform import from_origin

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
CRS = "EPSG:4545"
GENERATOR_VERSION = 1

#: real GB/T 4754-2017 classes the baseline rules care about, with how often each is drawn
SECTORS = {
    "2614": 0.10,  # 有机化学原料制造 (chemical, two-high, high-pollution)
    "2511": 0.03,  # 原油加工及石油制品制造 (petrochemical, oil refining)
    "2521": 0.02,  # 炼焦 (coking)
    "3011": 0.08,  # 水泥制造 (cement)
    "3110": 0.06,  # 炼铁 (steel)
    "3216": 0.04,  # 铝冶炼 (electrolytic aluminium)
    "2221": 0.03,  # 机制纸及纸板制造 (pulp and paper)
    "4411": 0.05,  # 火力发电 (coal power)
    "4415": 0.03,  # 风力发电 (clean power)
    "1713": 0.08,  # 棉印染精加工
    "3911": 0.15,  # 计算机整机制造
    "4812": 0.05,  # 公路工程建筑 (linear infrastructure)
    "1340": 0.08,  # 制糖业
    "3670": 0.10,  # 汽车零部件及配件制造
    "": 0.01,      # missing code: goes to review
}
#: construction words as people write them (Chinese and English), with weights
CONSTRUCTION = {"新建": 0.45, "扩建": 0.2, "改建": 0.1, "迁建": 0.05, "new": 0.1, "expansion": 0.05,
                "技改": 0.05}


@dataclasses.dataclass(frozen=True)
class Params:
    """Everything that determines the generated files; recorded in manifest.json."""

    seed: int = 20261126
    xmin: float = 200_000.0
    ymin: float = 3_100_000.0
    size: float = 400_000.0
    redline_features: int = 20_000
    redline_vertices: int = 5_000_000
    redline_multipart_share: float = 0.10
    redline_hole_share: float = 0.15
    redline_invalid_share: float = 0.01
    parks: int = 3_000
    control_nx: int = 400
    control_ny: int = 250
    mainstreams: int = 2
    mainstream_vertices: int = 20_000
    tributaries: int = 30
    minor_rivers: int = 3_000
    urban_areas: int = 60
    districts: int = 40
    pm25_cell: float = 1_000.0
    points: int = 100_000
    polygons: int = 20_000
    points_big: int = 1_000_000
    generator_version: int = GENERATOR_VERSION


# ---------------------------------------------------------------------------------------------- shapes


def star_rings(cx, cy, radius, nverts, rng, rough=0.03):
    """Closed star-shaped rings (never self-intersecting): coordinates (M, 2) and the ring number per row.

    Each ring has `nverts[i]` distinct vertices at increasing angles around (cx, cy); the radius wobbles
    with three smooth harmonics (total amplitude < 0.5) and a small per-vertex jag (`rough`).
    """
    nverts = np.asarray(nverts, dtype=np.int64)
    nrings = len(nverts)
    ring = np.repeat(np.arange(nrings), nverts)
    k = np.arange(nverts.sum()) - np.repeat(np.cumsum(nverts) - nverts, nverts)
    step = 2 * np.pi / nverts[ring]
    theta = k * step + rng.uniform(-0.3, 0.3, len(k)) * step   # stays sorted: jitter < half a step
    amps = rng.uniform(0.0, 1.0, (nrings, 3)) * np.array([0.25, 0.15, 0.08])
    phases = rng.uniform(0, 2 * np.pi, (nrings, 3))
    wobble = np.zeros(len(k))
    for h, freq in enumerate((2, 3, 7)):
        wobble += amps[ring, h] * np.sin(freq * theta + phases[ring, h])
    r = radius[ring] * (1.0 + wobble + rng.uniform(-rough, rough, len(k)))
    xy = np.column_stack((cx[ring] + r * np.cos(theta), cy[ring] + r * np.sin(theta)))
    # close each ring: repeat its first vertex after its last
    first = np.cumsum(nverts) - nverts
    closed_idx = np.insert(np.arange(len(k)), np.cumsum(nverts), first)
    return xy[closed_idx], np.repeat(np.arange(nrings), nverts + 1)


def ring_polygons(xy, ring_no, polygon_of_ring, npoly):
    """Polygons from closed rings; the first ring of each polygon is its shell, the others its holes."""
    rings = shapely.linearrings(xy, indices=ring_no)
    out = np.empty(npoly, dtype=object)
    shapely.polygons(rings, indices=polygon_of_ring, out=out)
    return out


def uniform_points(rng, n, p: Params, margin: float):
    """n points uniformly in the box, at least `margin` metres from its edge."""
    x = rng.uniform(p.xmin + margin, p.xmin + p.size - margin, n)
    y = rng.uniform(p.ymin + margin, p.ymin + p.size - margin, n)
    return x, y


def smooth_walks(rng, starts, headings, nverts, step, meander):
    """Meandering polylines: heading = base + two sinusoids + noise, integrated with a fixed step length."""
    nverts = np.asarray(nverts, dtype=np.int64)
    n = len(nverts)
    line = np.repeat(np.arange(n), nverts)
    k = np.arange(nverts.sum()) - np.repeat(np.cumsum(nverts) - nverts, nverts)
    ph = rng.uniform(0, 2 * np.pi, (n, 2))
    period = rng.uniform(0.7, 1.3, (n, 2)) * np.array([300.0, 60.0])
    heading = (headings[line] + meander * np.sin(2 * np.pi * k / period[line, 0] + ph[line, 0])
               + 0.5 * meander * np.sin(2 * np.pi * k / period[line, 1] + ph[line, 1])
               + rng.normal(0, 0.15, len(k)))
    dx, dy = step * np.cos(heading), step * np.sin(heading)
    dx[k == 0], dy[k == 0] = 0.0, 0.0
    cx, cy = np.cumsum(dx), np.cumsum(dy)
    first = np.cumsum(nverts) - nverts
    x = starts[line, 0] + cx - cx[first][line]
    y = starts[line, 1] + cy - cy[first][line]
    return np.column_stack((x, y)), line


# ---------------------------------------------------------------------------------------------- layers


def make_redline(rng, p: Params) -> gpd.GeoDataFrame:
    """Red-line polygons with holes, multiparts and a few self-intersections, ~p.redline_vertices vertices."""
    n = p.redline_features
    parts_per = np.where(rng.random(n) < p.redline_multipart_share, rng.integers(2, 4, n), 1)
    npart = int(parts_per.sum())
    feature_of_part = np.repeat(np.arange(n), parts_per)
    first_part = np.cumsum(parts_per) - parts_per
    cx, cy = uniform_points(rng, n, p, 8_000)
    radius = np.clip(rng.lognormal(np.log(650), 0.6, npart), 120, 5_000)
    # later parts of a multipart sit beside the first one, far enough not to overlap it
    # (each part's centre is 1.6 x (its radius + the previous part's) further along the feature's direction)
    later = np.arange(npart) != first_part[feature_of_part]
    step = np.where(later, 1.6 * (radius + np.roll(radius, 1)), 0.0)
    cum = np.cumsum(step)
    offset = cum - cum[first_part[feature_of_part]]
    angle = rng.uniform(0, 2 * np.pi, n)[feature_of_part]
    px = cx[feature_of_part] + offset * np.cos(angle)
    py = cy[feature_of_part] + offset * np.sin(angle)
    has_hole = rng.random(npart) < p.redline_hole_share
    hole_verts = np.full(int(has_hole.sum()), 40)
    budget = p.redline_vertices - int((hole_verts + 1).sum()) - npart  # closing vertices count too
    weight = radius ** 0.8
    shell_verts = np.maximum(np.round(weight / weight.sum() * budget).astype(np.int64), 12)
    sxy, sring = star_rings(px, py, radius, shell_verts, rng)
    invalid = np.flatnonzero(rng.random(npart) < p.redline_invalid_share)
    starts = np.cumsum(shell_verts + 1) - (shell_verts + 1)
    a, b = starts[invalid] + 3, starts[invalid] + 5          # swap two near vertices: a small bow-tie
    sxy[[a, b]] = sxy[[b, a]]
    hxy, hring = star_rings(px[has_hole], py[has_hole], 0.18 * radius[has_hole], hole_verts, rng, rough=0.0)
    # order rings part by part: shell, then its hole
    ring_part = np.concatenate([np.arange(npart), np.flatnonzero(has_hole)])
    ring_is_hole = np.concatenate([np.zeros(npart, bool), np.ones(int(has_hole.sum()), bool)])
    order = np.lexsort((ring_is_hole, ring_part))
    ring_xy = [sxy, hxy]
    xy_chunks = np.split(np.vstack(ring_xy),
                         np.cumsum(np.concatenate([np.bincount(sring), np.bincount(hring)]))[:-1])
    xy_sorted = np.vstack([xy_chunks[i] for i in order])
    counts = np.array([len(xy_chunks[i]) for i in order])
    ring_no = np.repeat(np.arange(len(order)), counts)
    parts = ring_polygons(xy_sorted, ring_no, ring_part[order], npart)
    geoms = np.empty(n, dtype=object)
    shapely.multipolygons(parts, indices=feature_of_part, out=geoms)
    kinds = rng.choice(["水源涵养", "生物多样性维护", "水土保持", "水土流失", "石漠化"], n)
    return gpd.GeoDataFrame({
        "红线编码": [f"HX500{i:07d}" for i in range(n)],
        "红线名称": [f"生态保护红线{i:05d}" for i in range(n)],
        "红线类型": kinds,
    }, geometry=geoms, crs=CRS)


def make_parks(rng, p: Params) -> gpd.GeoDataFrame:
    """Industrial and chemical parks, some not compliant; star-shaped, 40-120 vertices."""
    n = p.parks
    cx, cy = uniform_points(rng, n, p, 10_000)
    radius = np.clip(rng.lognormal(np.log(1_100), 0.5, n), 300, 6_000)
    xy, ring = star_rings(cx, cy, radius, rng.integers(40, 121, n), rng, rough=0.01)
    geoms = ring_polygons(xy, ring, np.arange(n), n)
    return gpd.GeoDataFrame({
        "园区编码": [f"YQ{i:05d}" for i in range(n)],
        "园区名称": [f"园区{i:04d}" for i in range(n)],
        "园区类型": np.where(rng.random(n) < 0.2, "化工园区", "工业园区"),
        "是否合规": np.where(rng.random(n) < 0.85, "是", "否"),
    }, geometry=geoms, crs=CRS)


def make_control_units(rng, p: Params) -> gpd.GeoDataFrame:
    """A jittered grid of quadrilaterals sharing their corners exactly: covers the box, no gaps or overlaps."""
    nx, ny = p.control_nx, p.control_ny
    dx, dy = p.size / nx, p.size / ny
    gx, gy = np.meshgrid(p.xmin + dx * np.arange(nx + 1), p.ymin + dy * np.arange(ny + 1), indexing="ij")
    jx = rng.uniform(-0.2, 0.2, gx.shape) * dx
    jy = rng.uniform(-0.2, 0.2, gy.shape) * dy
    jx[[0, -1], :] = 0.0
    jy[:, [0, -1]] = 0.0
    gx, gy = gx + jx, gy + jy
    i, j = np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij")
    i, j = i.ravel(), j.ravel()
    corners_i = np.stack([i, i + 1, i + 1, i, i], axis=1)
    corners_j = np.stack([j, j, j + 1, j + 1, j], axis=1)
    xy = np.column_stack((gx[corners_i, corners_j].ravel(), gy[corners_i, corners_j].ravel()))
    geoms = shapely.polygons(shapely.linearrings(xy, indices=np.repeat(np.arange(len(i)), 5)))
    # categories in coherent blocks of 8 x 5 cells, as real units cluster
    block = (i // 8) * 1_000 + (j // 5)
    codes, inverse = np.unique(block, return_inverse=True)
    block_cat = rng.choice(["优先保护单元", "重点管控单元", "一般管控单元"], len(codes), p=[0.3, 0.3, 0.4])
    n = len(geoms)
    return gpd.GeoDataFrame({
        "单元编码": [f"ZH5001{k:07d}" for k in range(n)],
        "单元名称": [f"管控单元{k:06d}" for k in range(n)],
        "管控类别": block_cat[inverse],
    }, geometry=geoms, crs=CRS)


def make_rivers(rng, p: Params) -> gpd.GeoDataFrame:
    """Long meandering mainstreams and tributaries with many vertices, and many short minor rivers."""
    frames = []
    # mainstreams cross the box from west to east, 20 m steps
    m = p.mainstreams
    starts = np.column_stack((np.full(m, p.xmin + 1_000), rng.uniform(p.ymin + 0.3 * p.size, p.ymin + 0.7 * p.size, m)))
    step_m = (p.size - 2_000) / p.mainstream_vertices / 0.8
    frames.append((starts, np.zeros(m), np.full(m, p.mainstream_vertices), step_m, 0.6, "干流", "江"))
    t = p.tributaries
    frames.append((np.column_stack(uniform_points(rng, t, p, 40_000)), rng.uniform(0, 2 * np.pi, t),
                   rng.integers(3_000, 8_001, t), 20.0, 0.5, "一级支流", "河"))
    o = p.minor_rivers
    frames.append((np.column_stack(uniform_points(rng, o, p, 5_000)), rng.uniform(0, 2 * np.pi, o),
                   rng.integers(50, 301, o), 20.0, 0.5, "其他", "溪"))
    parts = []
    for starts, headings, nv, step, meander, cls, suffix in frames:
        xy, line = smooth_walks(rng, starts, headings, nv, step, meander)
        xy[:, 0] = np.clip(xy[:, 0], p.xmin, p.xmin + p.size)
        xy[:, 1] = np.clip(xy[:, 1], p.ymin, p.ymin + p.size)
        geoms = shapely.linestrings(xy, indices=line)
        parts.append(pd.DataFrame({"河流等级": cls, "河流名称": [f"{cls}{k:04d}{suffix}" for k in range(len(geoms))],
                                   "geometry": geoms}))
    frame = pd.concat(parts, ignore_index=True)
    frame.insert(0, "河流编码", [f"HL{k:05d}" for k in range(len(frame))])
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=CRS)


def make_urban(rng, p: Params) -> gpd.GeoDataFrame:
    """Built-up areas: large star-shaped polygons with 800 vertices."""
    n = p.urban_areas
    cx, cy = uniform_points(rng, n, p, 20_000)
    radius = rng.uniform(2_500, 10_000, n)
    xy, ring = star_rings(cx, cy, radius, np.full(n, 800), rng, rough=0.02)
    geoms = ring_polygons(xy, ring, np.arange(n), n)
    return gpd.GeoDataFrame({"编码": [f"CQ{i:03d}" for i in range(n)], "名称": [f"城区{i:02d}" for i in range(n)]},
                            geometry=geoms, crs=CRS)


def make_districts(rng, p: Params) -> gpd.GeoDataFrame:
    """Voronoi cells of random seeds, clipped to the box: a partition into ~p.districts districts."""
    box = shapely.box(p.xmin, p.ymin, p.xmin + p.size, p.ymin + p.size)
    seeds = shapely.multipoints(np.column_stack(uniform_points(rng, p.districts, p, 10_000)))
    cells = shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=box))
    cells = shapely.intersection(cells, box)
    cells = shapely.segmentize(cells, 500.0)  # borders with vertices every 500 m, like surveyed lines
    n = len(cells)
    return gpd.GeoDataFrame({"区划代码": [f"500{100 + i:03d}" for i in range(n)],
                             "区划名称": [f"区县{i:02d}" for i in range(n)]}, geometry=cells, crs=CRS)


def write_pm25(rng, p: Params, path: Path) -> None:
    """A smooth PM2.5 field (about 20-60 µg/m³) on a 1 km grid, float32 GeoTIFF with nodata -9999."""
    n = int(p.size / p.pm25_cell)
    yy, xx = np.mgrid[0:n, 0:n] / n
    field = (35 + 10 * np.sin(2 * np.pi * (xx * 1.3 + rng.random())) * np.cos(2 * np.pi * (yy * 0.9 + rng.random()))
             + 8 * (1 - yy) + rng.normal(0, 1.5, (n, n)))
    transform = from_origin(p.xmin, p.ymin + p.size, p.pm25_cell, p.pm25_cell)
    with rasterio.open(path, "w", driver="GTiff", width=n, height=n, count=1, dtype="float32", crs=CRS,
                       transform=transform, nodata=-9999.0, compress="deflate", tiled=True) as ds:
        ds.write(field.astype("float32"), 1)


CATALOG = """# Synthetic province-size benchmark layers (benchmarks/generate.py). NOT real zoning data.
# EPSG:4545 (CGCS2000 3-degree GK, CM 108E). Parameters: manifest.json beside this file.

[[layer]]
role = "redline"
path = "province.gpkg"
layer = "redline"
version = "bench-{v}"
source = "synthetic (benchmarks/generate.py)"
[layer.fields]
id = "红线编码"
name = "红线名称"
kind = "红线类型"

[[layer]]
role = "park"
path = "province.gpkg"
layer = "parks"
version = "bench-{v}"
source = "synthetic (benchmarks/generate.py)"
[layer.fields]
id = "园区编码"
name = "园区名称"
kind = "园区类型"
compliant = "是否合规"
[layer.values.kind]
"化工园区" = "chemical"
"工业园区" = "industrial"
[layer.values.compliant]
"是" = true
"否" = false

[[layer]]
role = "control_unit"
path = "province.gpkg"
layer = "control_units"
version = "bench-{v}"
source = "synthetic (benchmarks/generate.py)"
[layer.fields]
id = "单元编码"
name = "单元名称"
category = "管控类别"
[layer.values.category]
"优先保护单元" = "priority"
"重点管控单元" = "key"
"一般管控单元" = "general"

[[layer]]
role = "river"
path = "province.gpkg"
layer = "rivers"
version = "bench-{v}"
source = "synthetic (benchmarks/generate.py)"
[layer.fields]
id = "河流编码"
name = "河流名称"
class = "河流等级"
[layer.values.class]
"干流" = "mainstream"
"一级支流" = "tributary"
"其他" = "other"

[[layer]]
role = "urban_area"
path = "province.gpkg"
layer = "urban_area"
version = "bench-{v}"
source = "synthetic (benchmarks/generate.py)"
[layer.fields]
id = "编码"
name = "名称"

[[layer]]
role = "district"
path = "province.gpkg"
layer = "districts"
version = "bench-{v}"
source = "synthetic (benchmarks/generate.py)"
[layer.fields]
id = "区划代码"
name = "区划名称"

[[layer]]
role = "air_quality"
path = "pm25.tif"
pollutant = "PM2.5"
band = 1
version = "bench-{v}"
source = "synthetic (benchmarks/generate.py)"
"""


# ---------------------------------------------------------------------------------------------- projects


def project_attributes(rng, n: int, prefix: str) -> pd.DataFrame:
    """id, name, sector and construction columns drawn from SECTORS and CONSTRUCTION."""
    codes, weights = zip(*SECTORS.items())
    words, wweights = zip(*CONSTRUCTION.items())
    w = np.array(weights) / sum(weights)
    ww = np.array(wweights) / sum(wweights)
    num = np.char.zfill(np.arange(1, n + 1).astype(str), 7)
    return pd.DataFrame({
        "id": np.char.add(prefix, num),
        "name": np.char.add("项目", num),
        "sector": rng.choice(np.array(codes), n, p=w),
        "construction": rng.choice(np.array(words), n, p=ww),
    })


def site_locations(rng, n: int, p: Params, parks: gpd.GeoDataFrame, in_park_share: float = 0.1):
    """x, y of project sites: uniform over the box, with `in_park_share` of them near park centres."""
    x, y = uniform_points(rng, n, p, 2_000)
    k = int(n * in_park_share)
    pick = rng.integers(0, len(parks), k)
    centre = shapely.centroid(parks.geometry.values.to_numpy()[pick])
    r = rng.uniform(0, 400, k)
    a = rng.uniform(0, 2 * np.pi, k)
    x[:k] = shapely.get_x(centre) + r * np.cos(a)
    y[:k] = shapely.get_y(centre) + r * np.sin(a)
    order = rng.permutation(n)
    return x[order], y[order]


def write_points(rng, n: int, p: Params, parks, path: Path, prefix: str) -> None:
    frame = project_attributes(rng, n, prefix)
    x, y = site_locations(rng, n, p, parks)
    frame["x"], frame["y"] = np.round(x, 2), np.round(y, 2)
    frame.to_csv(path, index=False, encoding="utf-8")


def write_polygons(rng, n: int, p: Params, parks, path: Path) -> None:
    """Rotated rectangles of 80-400 m per side around the site locations."""
    frame = project_attributes(rng, n, "G")
    x, y = site_locations(rng, n, p, parks)
    w, h = rng.uniform(80, 400, n), rng.uniform(80, 400, n)
    a = rng.uniform(0, np.pi, n)
    ux, uy = np.cos(a), np.sin(a)
    corners = []
    for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1), (-1, -1)):
        corners.append(np.column_stack((x + sx * w / 2 * ux - sy * h / 2 * uy, y + sx * w / 2 * uy + sy * h / 2 * ux)))
    xy = np.stack(corners, axis=1).reshape(-1, 2)
    geoms = shapely.polygons(shapely.linearrings(xy, indices=np.repeat(np.arange(n), 5)))
    write_layer(gpd.GeoDataFrame(frame, geometry=geoms, crs=CRS), path, "projects")


# ---------------------------------------------------------------------------------------------- driver


def write_layer(gdf: gpd.GeoDataFrame, path: Path, layer: str, **kwargs) -> None:
    """Write one GeoPackage layer (with its spatial index); Arrow when this GDAL supports it."""
    try:
        pyogrio.write_dataframe(gdf, path, layer=layer, driver="GPKG", use_arrow=True, **kwargs)
    except (RuntimeError, ImportError, ValueError):  # GDAL < 3.8 has no Arrow writer: the classic one works
        pyogrio.write_dataframe(gdf, path, layer=layer, driver="GPKG", **kwargs)


def outputs(out: Path) -> list[Path]:
    names = ["province.gpkg", "pm25.tif", "catalog.toml", "points_100k.csv", "points_1m.csv", "polygons_20k.gpkg"]
    return [out / n for n in names]


def up_to_date(out: Path, params: Params) -> bool:
    """True when manifest.json records these parameters and every output file is there."""
    manifest = out / "manifest.json"
    if not manifest.exists() or not all(f.exists() for f in outputs(out)):
        return False
    try:
        return json.loads(manifest.read_text())["params"] == dataclasses.asdict(params)
    except (ValueError, KeyError):
        return False


def generate(params: Params, out: Path = DATA, force: bool = False, log=print) -> dict:
    """Build every file into `out` (or reuse them); returns the manifest."""
    if not force and up_to_date(out, params):
        log(f"{out}: up to date (manifest.json matches); --force rebuilds")
        return json.loads((out / "manifest.json").read_text())
    out.mkdir(parents=True, exist_ok=True)
    for f in outputs(out) + [out / "manifest.json"]:
        f.unlink(missing_ok=True)
    rng = np.random.default_rng(params.seed)
    started = time.perf_counter()
    stats: dict[str, dict] = {}
    gpkg = out / "province.gpkg"
    makers = (("redline", make_redline), ("parks", make_parks), ("control_units", make_control_units),
              ("rivers", make_rivers), ("urban_area", make_urban), ("districts", make_districts))
    parks = None
    for layer, maker in makers:
        t = time.perf_counter()
        gdf = maker(rng, params)
        geoms = gdf.geometry.values.to_numpy()
        stats[layer] = {
            "features": len(gdf),
            "vertices": int(shapely.get_num_coordinates(geoms).sum()),
            "invalid": int((~shapely.is_valid(geoms)).sum()),
            "multipart": int((shapely.get_num_geometries(geoms) > 1).sum()),
            "with_holes": int((shapely.get_num_interior_rings(shapely.get_geometry(geoms, 0)) > 0).sum()),
        }
        kwargs = {"promote_to_multi": True} if layer == "redline" else {}
        write_layer(gdf, gpkg, layer, **kwargs)
        if layer == "parks":
            parks = gdf
        log(f"  {layer}: {stats[layer]} in {time.perf_counter() - t:.1f} s")
    write_pm25(rng, params, out / "pm25.tif")
    (out / "catalog.toml").write_text(CATALOG.format(v=params.generator_version), encoding="utf-8")
    t = time.perf_counter()
    write_points(rng, params.points, params, parks, out / "points_100k.csv", "P")
    write_polygons(rng, params.polygons, params, parks, out / "polygons_20k.gpkg")
    write_points(rng, params.points_big, params, parks, out / "points_1m.csv", "M")
    log(f"  project lists in {time.perf_counter() - t:.1f} s")
    manifest = {
        "params": dataclasses.asdict(params),
        "crs": CRS,
        "layers": stats,
        "files": {f.name: f.stat().st_size for f in outputs(out)},
        "seconds": round(time.perf_counter() - started, 1),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    log(f"{out}: generated in {manifest['seconds']} s")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DATA, help="output folder (default benchmarks/data)")
    parser.add_argument("--seed", type=int, default=Params.seed)
    parser.add_argument("--force", action="store_true", help="rebuild even if manifest.json matches")
    args = parser.parse_args(argv)
    generate(Params(seed=args.seed), args.out, args.force)
    return 0


if __name__ == "__main__":
    sys.exit(main())
