"""A small synthetic zoning world delivered the way bureaus deliver: GBK shapefiles without .cpg in
CGCS2000 / 3-degree GK CM 108E (EPSG:4545), Chinese field names, one bowtie, a GeoTIFF.

Local metres (x, y) are offsets from (X0, Y0) in EPSG:4545, near Chongqing's centre:

    0        6000         14000       20000  x
    | U1 priority | U2 key     | U3 general |   control units tile the 20 km square
    red line R1 = [1000,5000]² with hole [2000,3000]²     park P1 chemical  [7000,10000]²
    red line R2 = bowtie over [1000,3000]x[12000,14000]    park P2 industrial [11000,13000]x[2000,4000]
    red line R3 = two squares at y 16000-17000             park P3 not compliant [15000,17000]²
    river 长江 (mainstream) along y = 18000; river 綦江 (tributary) along x = 19000, y 0..18000
    urban area [14000,20000]x[0,6000]; districts A x<10000, B x>=10000; PM2.5 30 west, 40 east
"""

from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio
from pyproj import Transformer
from rasterio.transform import from_origin
from shapely import LineString, MultiPolygon, Polygon, box

X0, Y0 = 350_000.0, 3_260_000.0
GK = "EPSG:4545"
_TO_LONLAT = Transformer.from_crs(GK, "EPSG:4490", always_xy=True)


def lonlat(x: float, y: float) -> tuple[float, float]:
    """Local metres -> (lon, lat) in CGCS2000."""
    return _TO_LONLAT.transform(X0 + x, Y0 + y)


def gk(x: float, y: float) -> tuple[float, float]:
    """Local metres -> EPSG:4545 coordinates."""
    return X0 + x, Y0 + y


def _box(x0, y0, x1, y1):
    return box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def _write_gbk(frame: gpd.GeoDataFrame, path: Path, keep_prj: bool = True) -> None:
    frame.to_file(path, driver="ESRI Shapefile", encoding="GBK", engine="pyogrio")
    path.with_suffix(".cpg").unlink(missing_ok=True)
    if not keep_prj:
        path.with_suffix(".prj").unlink()


def build(folder: Path) -> Path:
    """Write the world's layers and catalog into `folder`; return the catalog path."""
    folder.mkdir(parents=True, exist_ok=True)
    hole = [(X0 + 2000, Y0 + 2000), (X0 + 3000, Y0 + 2000), (X0 + 3000, Y0 + 3000), (X0 + 2000, Y0 + 3000)]
    r1 = Polygon(_box(1000, 1000, 5000, 5000).exterior.coords, [hole])
    r2 = Polygon([gk(1000, 12000), gk(3000, 14000), gk(3000, 12000), gk(1000, 14000)])  # bowtie
    r3 = MultiPolygon([_box(500, 16000, 1500, 17000), _box(3000, 16000, 4000, 17000)])
    _write_gbk(gpd.GeoDataFrame({"红线编码": ["HX01", "HX02", "HX03"], "红线名称": ["缙云山红线", "蝴蝶红线", "两片红线"]},
                                geometry=[r1, r2, r3], crs=GK), folder / "红线.shp")
    _write_gbk(gpd.GeoDataFrame({"园区编码": ["P1", "P2", "P3"], "园区名称": ["化工园", "综合园", "未认定园"],
                                 "园区类型": ["化工园区", "工业园区", "工业园区"], "是否合规": ["是", "是", "否"]},
                                geometry=[_box(7000, 7000, 10000, 10000), _box(11000, 2000, 13000, 4000),
                                          _box(15000, 15000, 17000, 17000)], crs=GK), folder / "园区.shp")
    _write_gbk(gpd.GeoDataFrame({"单元编码": ["ZH001", "ZH002", "ZH003"], "单元名称": ["优先单元", "重点单元", "一般单元"],
                                 "管控类别": ["优先保护单元", "重点管控单元", "一般管控单元"]},
                                geometry=[_box(0, 0, 6000, 20000), _box(6000, 0, 14000, 20000),
                                          _box(14000, 0, 20000, 20000)], crs=GK), folder / "管控单元.shp")
    _write_gbk(gpd.GeoDataFrame({"河流编码": ["R1", "R2"], "河流名称": ["长江", "綦江"], "等级": ["干流", "支流"]},
                                geometry=[LineString([gk(0, 18000), gk(20000, 18000)]),
                                          LineString([gk(19000, 0), gk(19000, 18000)])], crs=GK),
               folder / "河流.shp", keep_prj=False)
    _write_gbk(gpd.GeoDataFrame({"编码": ["U1"], "名称": ["城区"]}, geometry=[_box(14000, 0, 20000, 6000)], crs=GK),
               folder / "城区.shp")
    _write_gbk(gpd.GeoDataFrame({"区划代码": ["500101", "500229"], "区划名称": ["测试区", "测试县"]},
                                geometry=[_box(0, 0, 10000, 20000), _box(10000, 0, 20000, 20000)], crs=GK),
               folder / "区县.shp")
    _write_raster(folder / "pm25.tif")
    catalog = folder / "catalog.toml"
    catalog.write_text(_CATALOG, encoding="utf-8")
    return catalog


def _write_raster(path: Path) -> None:
    data = np.full((20, 20), 30.0, dtype="float32")
    data[:, 10:] = 40.0
    data[0, 0] = -9999.0  # nodata at the north-west corner cell
    with rasterio.open(path, "w", driver="GTiff", height=20, width=20, count=1, dtype="float32", crs=GK,
                       transform=from_origin(X0, Y0 + 20000, 1000, 1000), nodata=-9999.0) as ds:
        ds.write(data, 1)


_CATALOG = """\
# synthetic test world: GBK shapefiles without .cpg in EPSG:4545
[[layer]]
role = "redline"
path = "红线.shp"
version = "test-1"
valid_from = "2024-01-01"
source = "tests"
[layer.fields]
id = "红线编码"
name = "红线名称"

[[layer]]
role = "park"
path = "园区.shp"
[layer.fields]
id = "园区编码"
name = "园区名称"
kind = "园区类型"
compliant = "是否合规"
[layer.values.kind]
"化工园区" = "chemical"
"工业园区" = "industrial"

[[layer]]
role = "control_unit"
path = "管控单元.shp"
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
path = "河流.shp"
crs = "EPSG:4545"
[layer.fields]
id = "河流编码"
name = "河流名称"
class = "等级"
[layer.values.class]
"干流" = "mainstream"
"支流" = "tributary"

[[layer]]
role = "urban_area"
path = "城区.shp"
[layer.fields]
id = "编码"
name = "名称"

[[layer]]
role = "district"
path = "区县.shp"
[layer.fields]
id = "区划代码"
name = "区划名称"

[[layer]]
role = "air_quality"
path = "pm25.tif"
pollutant = "PM2.5"
band = 1
"""


def copy_world(catalog: Path, folder: Path) -> Path:
    """A copy of the world's files (next to `catalog`) in `folder`, to change one layer of."""
    for f in Path(catalog).parent.iterdir():
        if f.is_file():
            shutil.copy(f, Path(folder) / f.name)
    return Path(folder)


def edited_catalog(folder: Path, old: str, new: str) -> Path:
    """`folder/c.toml`: the world's catalog.toml with `old` (which must be there) replaced by `new`."""
    text = (Path(folder) / "catalog.toml").read_text(encoding="utf-8")
    assert old in text
    path = Path(folder) / "c.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path
