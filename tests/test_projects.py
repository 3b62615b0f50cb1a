"""Reading project lists: every format, column aliases, bad rows kept in order with their messages."""

from __future__ import annotations

import time
import zipfile

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import pytest
import shapely
from openpyxl import Workbook

from screening.projects import ProjectFileError, ProjectList, read_projects, resolve_columns, standardize

GEOD = pyproj.Geod(ellps="GRS80")
HEADERS_ZH = ["项目编号", "项目名称", "行业代码", "建设性质", "经度", "纬度", "工艺", "国家重大项目", "所在园区"]
ROWS_ZH = [
    ["P-001", "重庆某水泥粉磨站", "C3011", "新建", "106.5516", "29.5630", "粉磨站", "否", "长寿经开区"],
    ["0002", "某电炉炼钢项目", "3120", "扩建", "107.0801", "29.8601", "电炉", "是", ""],
    ["P-003", "某化工项目", "2614", "技改", "108.4102", "30.8003", "", "", "万州经开区"],
]
KML_OK = "KML" in pyogrio.list_drivers() or "LIBKML" in pyogrio.list_drivers()


def _csv_text(headers, rows) -> str:
    """A CSV document from header and rows (no quoting needed for these cells)."""
    return "\n".join(",".join(r) for r in [headers, *rows]) + "\n"


def _metres(a, b) -> float:
    """Geodesic distance in metres between two shapely points."""
    return GEOD.inv(a.x, a.y, b.x, b.y)[2]


def _sites() -> gpd.GeoDataFrame:
    """Two polygon sites in Chongqing with Chinese attributes, EPSG:4490."""
    return gpd.GeoDataFrame(
        {"项目编号": ["S-01", "S-02"], "项目名称": ["重庆甲项目", "乙项目"], "行业代码": ["0311", "C3011"]},
        geometry=[shapely.box(106.50, 29.50, 106.51, 29.51), shapely.box(107.00, 29.80, 107.02, 29.81)],
        crs="EPSG:4490",
    )


def _assert_sites(pl: ProjectList, tol: float = 1e-7) -> None:
    """The two _sites() came back with ids, names, codes and geometry intact."""
    p = pl.projects
    assert list(p["id"]) == ["S-01", "S-02"]
    assert list(p["name"]) == ["重庆甲项目", "乙项目"]
    assert list(p["sector_raw"]) == ["0311", "C3011"]
    assert (p["error"] == "").all(), list(p["error"])
    assert p.crs.to_epsg() == 4490
    for got, want in zip(p.geometry, _sites().geometry):
        # reprojection densifies long edges, so compare shapes, not vertex lists
        assert got.hausdorff_distance(want) < tol and abs(got.area - want.area) <= tol * max(want.length, 1e-12)


# ------------------------------------------------------------------ tables


def test_gbk_csv_without_bom_with_chinese_headers(tmp_path):
    path = tmp_path / "projects_gbk.csv"
    path.write_bytes(_csv_text(HEADERS_ZH, ROWS_ZH).encode("gbk"))
    pl = read_projects(path)
    p = pl.projects
    assert list(p["id"]) == ["P-001", "0002", "P-003"]
    assert p.loc[0, "name"] == "重庆某水泥粉磨站"
    assert list(p["sector_raw"]) == ["C3011", "3120", "2614"]
    assert list(p["construction"]) == ["new", "expansion", "renovation"]
    assert list(p["process"].fillna("-")) == ["grinding_station", "eaf", "-"]
    assert list(p["major"].astype(object).fillna("-")) == [False, True, False]
    assert p.loc[1, "park_claim"] is pd.NA and p.loc[2, "park_claim"] == "万州经开区"
    assert pl.column_map["lon"] == "经度" and pl.column_map["park"] == "所在园区"
    assert list(pl.original.columns) == HEADERS_ZH and pl.original.loc[1, "项目编号"] == "0002"
    assert p.geometry[0].equals(shapely.Point(106.5516, 29.5630))


def test_utf8_bom_csv_with_english_headers_and_variants(tmp_path):
    path = tmp_path / "projects_bom.csv"
    headers = [" ID ", "Project Name", "Sector", "Construction", "Longitude (E)", "LATITUDE", "Process", "Major"]
    rows = [["A1", "Mill", "C3011", "Expansion", "106.55", "29.56", "Grinding Station", "yes"],
            ["A2", "Steel", "03120", "relocation", "106.60", "29.60", "BF-BOF", "N"]]
    path.write_bytes(_csv_text(headers, rows).encode("utf-8-sig"))
    pl = read_projects(path)
    p = pl.projects
    assert pl.column_map["id"] == " ID " and pl.column_map["lon"] == "Longitude (E)"
    assert list(p["id"]) == ["A1", "A2"] and list(p["sector_raw"]) == ["C3011", "03120"]
    assert list(p["construction"]) == ["expansion", "relocation"]
    assert list(p["process"]) == ["grinding_station", "bf_bof"]
    assert list(p["major"]) == [True, False]
    assert (p["warnings"] == "").all() and (p["error"] == "").all()


def test_csv_codes_and_ids_stay_text(tmp_path):
    path = tmp_path / "codes.csv"
    path.write_text("编号,行业代码,经度,纬度\n007,0311,106.55,29.56\n010,C3011,106.56,29.57\n", encoding="utf-8")
    pl = read_projects(path)
    assert list(pl.projects["id"]) == ["007", "010"]
    assert list(pl.projects["sector_raw"]) == ["0311", "C3011"]
    assert pl.original["经度"].tolist() == ["106.55", "106.56"]


def test_xlsx_first_sheet_and_named_sheet(tmp_path):
    path = tmp_path / "projects.xlsx"
    book = Workbook()
    first = book.active
    first.title = "项目清单"
    first.append(["序号", "项目名称", "行业代码", "经度", "纬度", "建设性质"])
    first.append([1, "甲", "0311", 106.5533, 29.5617, "新建"])
    first.append([2, "乙", 3011, "106°33′12.5″", "29°33′42″", "改建"])
    second = book.create_sheet("其他")
    second.append(["项目编号", "X坐标", "Y坐标"])
    second.append(["Q1", 3272217.3, 359474.1])
    book.save(path)
    pl = read_projects(path)
    p = pl.projects
    assert list(p["id"]) == ["1", "2"] and list(p["sector_raw"]) == ["0311", "3011"]
    assert list(p["construction"]) == ["new", "renovation"]
    assert (p["error"] == "").all()
    assert p.geometry[1].x == pytest.approx(106 + 33 / 60 + 12.5 / 3600)
    other = read_projects(path, layer="其他", crs="EPSG:4545").projects
    assert other.loc[0, "error"] == ""
    assert (other.geometry[0].x, other.geometry[0].y) == pytest.approx((106.55, 29.56), abs=1e-4)
    with pytest.raises(ProjectFileError, match="no sheet 'nope'.*项目清单, 其他"):
        read_projects(path, layer="nope")


def _xlsx_without_sheets(path) -> None:
    """A minimal .xlsx package whose workbook lists no sheets (openpyxl refuses to write one)."""
    ns = "http://schemas.openxmlformats.org"
    parts = {
        "[Content_Types].xml": f'<Types xmlns="{ns}/package/2006/content-types">'
        f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
        f'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{ns}/package/2006/relationships"><Relationship Id="rId1" '
        f'Type="{ns}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{ns}/spreadsheetml/2006/main"><sheets/></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{ns}/package/2006/relationships"/>',
    }
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in parts.items():
            zf.writestr(name, text)


def test_xlsx_without_sheets(tmp_path):
    path = tmp_path / "empty.xlsx"
    _xlsx_without_sheets(path)
    with pytest.raises(ProjectFileError, match="empty.xlsx: the workbook has no sheets"):
        read_projects(path)


def test_broken_xlsx_is_a_file_error(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"not a workbook")
    with pytest.raises(ProjectFileError, match="broken.xlsx"):
        read_projects(path)


# ------------------------------------------------------------------ spatial files


def test_geojson_polygons(tmp_path):
    path = tmp_path / "sites.geojson"
    _sites().to_file(path, driver="GeoJSON")
    pl = read_projects(path)
    _assert_sites(pl)
    assert list(pl.original.columns) == ["项目编号", "项目名称", "行业代码"]
    assert list(pl.projects["coords_system"]) == ["CGCS2000", "CGCS2000"]  # GDAL wrote the EPSG:4490 crs member
    plain = tmp_path / "wgs84.geojson"
    _sites().set_crs("EPSG:4326", allow_override=True).to_file(plain, driver="GeoJSON")
    assert list(read_projects(plain).projects["coords_system"]) == ["WGS84", "WGS84"]


def test_gpkg_layers_and_reprojection(tmp_path):
    path = tmp_path / "sites.gpkg"
    _sites().to_crs("EPSG:4545").to_file(path, layer="sites", driver="GPKG")
    _sites().iloc[:1].to_file(path, layer="extra", driver="GPKG")
    with pytest.raises(ProjectFileError, match="several layers.*sites.*extra"):
        read_projects(path)
    _assert_sites(read_projects(path, layer="sites"), tol=1e-6)


@pytest.mark.parametrize("keep_cpg", [True, False])
def test_shapefile_gbk_plain_and_zipped(tmp_path, keep_cpg):
    shp = tmp_path / "sites.shp"
    _sites().to_crs("EPSG:4545").to_file(shp, encoding="GBK")
    if not keep_cpg:
        shp.with_suffix(".cpg").unlink()
    _assert_sites(read_projects(shp), tol=1e-6)
    archive = tmp_path / "sites.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for member in tmp_path.glob("sites.*"):
            if member.suffix != ".zip":
                zf.write(member, f"delivery/{member.name}")
    _assert_sites(read_projects(archive), tol=1e-6)


def test_shapefile_without_prj(tmp_path):
    shp = tmp_path / "noprj.shp"
    sites = _sites()
    sites.to_file(shp, encoding="GBK")
    shp.with_suffix(".prj").unlink()
    pl = read_projects(shp)
    assert (pl.projects["error"] == "").all()
    assert pl.projects["warnings"].str.contains("no CRS").all()
    sites.to_crs("EPSG:4545").to_file(tmp_path / "projected.shp", encoding="GBK")
    (tmp_path / "projected.prj").unlink()
    bad = read_projects(tmp_path / "projected.shp").projects
    assert bad["error"].str.contains("no CRS").all() and bad.geometry.isna().all()
    fixed = read_projects(tmp_path / "projected.shp", crs="EPSG:4545")
    _assert_sites(fixed, tol=1e-6)


@pytest.mark.skipif(not KML_OK, reason="GDAL has neither the KML nor the LIBKML driver")
def test_kml(tmp_path):
    path = tmp_path / "sites.kml"
    _sites().to_file(path, driver="KML")
    pl = read_projects(path)
    _assert_sites(pl, tol=1e-6)
    assert pl.column_map["id"] == "项目编号"
    assert list(pl.projects["coords_system"]) == ["WGS84", "WGS84"]


KML_TWO_FOLDERS = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>项目</name>
<Folder><name>一期</name><Placemark><name>甲项目</name>
<ExtendedData><Data name="项目编号"><value>K-01</value></Data><Data name="坐标系"><value>高德</value></Data>
</ExtendedData><Point><coordinates>106.55,29.56,0</coordinates></Point></Placemark></Folder>
<Folder><name>二期</name><Placemark><name>乙项目</name>
<ExtendedData><Data name="项目编号"><value>K-02</value></Data></ExtendedData><Polygon><outerBoundaryIs>
<LinearRing><coordinates>106.5,29.5 106.51,29.5 106.51,29.51 106.5,29.5</coordinates></LinearRing>
</outerBoundaryIs></Polygon></Placemark></Folder></Document></kml>
"""


@pytest.mark.skipif("LIBKML" not in pyogrio.list_drivers(), reason="GDAL has no LIBKML driver")
def test_hand_written_kml_with_folders_and_data(tmp_path):
    path = tmp_path / "picked.kml"
    path.write_text(KML_TWO_FOLDERS, encoding="utf-8")
    p = read_projects(path).projects
    assert list(p["id"]) == ["K-01", "K-02"] and list(p["name"]) == ["甲项目", "乙项目"]
    assert list(p["coords_system"]) == ["GCJ02", "WGS84"]
    assert 300 < _metres(p.geometry[0], shapely.Point(106.55, 29.56)) < 700
    assert p.geometry[1].geom_type == "Polygon" and not p.geometry[1].has_z


# ------------------------------------------------------------------ a batch with bad rows


BATCH = [
    # id, lon, lat, wkt, coords system, what we expect
    ("B-01", "106.5516", "29.5630", "", "", "ok"),
    ("B-02", "", "", "", "", "no location"),
    ("B-03", "29.5630", "106.5516", "", "WGS84", "swapped"),
    ("B-04", "106°33′12.5″", "29°33′42″", "", "", "dms"),
    ("B-05", "106.5516", "29.5630", "", "高德", "gcj"),
    ("B-06", "", "", "POLYGON EMPTY", "", "empty wkt"),
    ("B-07", "106x33", "29.56", "", "", "bad lon"),
    ("B-08", "", "", "POLYGON ((106.5 29.5, 106.5", "", "bad wkt"),
    ("B-09", "", "", "POLYGON ((106.50 29.50, 106.52 29.52, 106.52 29.50, 106.50 29.52, 106.50 29.50))", "",
     "bowtie"),
    ("B-10", "106.55", "", "", "", "half"),
    ("B-11", "106.55", "29.56", "", "mars-2", "unknown system"),
    ("B-12", "", "", "POINT (29.56 106.55)", "", "swapped wkt"),
    ("B-13", "", "", "POINT (3272217 359474)", "", "projected wkt"),
    ("B-14", "106.5", "29.5", "", "bd-09", "bd"),
    ("B-15", "10.55", "49.56", "", "", "outside China"),
    ("B-16", "", "", '{"type": "Point", "coordinates": [106.55, 29.56]}', "", "geojson text"),
]


@pytest.fixture
def batch(tmp_path) -> ProjectList:
    """The BATCH rows as a UTF-8 CSV, read back."""
    frame = pd.DataFrame([r[:5] for r in BATCH], columns=["项目编号", "经度", "纬度", "范围", "坐标系"])
    path = tmp_path / "batch.csv"
    frame.to_csv(path, index=False, encoding="utf-8")
    return read_projects(path)


def _row(pl: ProjectList, case: str) -> pd.Series:
    """The projects row of a BATCH case."""
    return pl.projects.iloc[[r[5] for r in BATCH].index(case)]


def test_batch_keeps_every_row_in_order(batch):
    p = batch.projects
    assert list(p["id"]) == [r[0] for r in BATCH]
    assert list(p.index) == list(range(len(BATCH)))
    assert len(batch.original) == len(BATCH)
    failed = {r[5] for r, e in zip(BATCH, p["error"]) if e}
    assert failed == {"no location", "empty wkt", "bad lon", "bad wkt", "half", "unknown system", "projected wkt",
                      "outside China"}
    assert p.geometry[p["error"] != ""].isna().all()
    assert p.geometry[p["error"] == ""].notna().all()


def test_batch_error_messages_name_row_cell_and_fix(batch):
    assert _row(batch, "no location")["error"].startswith("row 2 (id B-02): no location")
    bad_lon = _row(batch, "bad lon")["error"]
    assert bad_lon.startswith("row 7 (id B-07): 经度/纬度") and "'106x33'" in bad_lon and "106°33′12.5″" in bad_lon
    assert "empty" in _row(batch, "empty wkt")["error"]
    assert _row(batch, "bad wkt")["error"].startswith("row 8 (id B-08): 范围")
    assert "纬度 is empty" in _row(batch, "half")["error"]
    assert "'mars-2'" in _row(batch, "unknown system")["error"]
    assert "--crs" in _row(batch, "projected wkt")["error"]
    assert "outside China" in _row(batch, "outside China")["error"]


def test_batch_fixes_and_warnings(batch):
    ok = _row(batch, "ok")
    assert ok["warnings"] == "" and ok["coords_system"] == "CGCS2000"
    swapped = _row(batch, "swapped")
    assert swapped["warnings"] == "经纬度互换，已纠正 / lon/lat swapped, fixed"
    assert swapped.geometry.equals(ok.geometry) and swapped["coords_system"] == "WGS84"
    assert _row(batch, "swapped wkt").geometry.equals(shapely.Point(106.55, 29.56))
    assert "lon/lat swapped" in _row(batch, "swapped wkt")["warnings"]
    dms = _row(batch, "dms").geometry
    assert (dms.x, dms.y) == pytest.approx((106 + 33 / 60 + 12.5 / 3600, 29 + 33 / 60 + 42 / 3600))
    bowtie = _row(batch, "bowtie")
    assert "make_valid" in bowtie["warnings"] and bowtie.geometry.is_valid
    assert bowtie.geometry.area == pytest.approx(0.0002)
    assert _row(batch, "geojson text").geometry.equals(shapely.Point(106.55, 29.56))


def test_gcj02_and_bd09_rows_move_a_few_hundred_metres(batch):
    gcj = _row(batch, "gcj")
    assert gcj["coords_system"] == "GCJ02"
    shift = _metres(gcj.geometry, shapely.Point(106.5516, 29.5630))
    assert 300 < shift < 700
    bd = _row(batch, "bd")
    assert bd["coords_system"] == "BD09"
    assert 500 < _metres(bd.geometry, shapely.Point(106.5, 29.5)) < 1500


def test_gcj02_polygon_is_shifted_like_its_vertices():
    ring = "POLYGON ((106.50 29.50, 106.51 29.50, 106.51 29.51, 106.50 29.51, 106.50 29.50))"
    frame = pd.DataFrame({"wkt": [ring, ring], "coords": ["GCJ02", "CGCS2000"]})
    p = standardize(frame)
    assert (p["error"] == "").all()
    moved = [_metres(shapely.Point(a), shapely.Point(b))
             for a, b in zip(p.geometry[0].exterior.coords, p.geometry[1].exterior.coords)]
    assert all(300 < m < 700 for m in moved)


# ------------------------------------------------------------------ projected x/y


def test_xy_in_epsg4545(tmp_path):
    to_gk = pyproj.Transformer.from_crs(4490, 4545, always_xy=True)
    east, north = to_gk.transform([106.55, 107.10], [29.56, 29.90])
    path = tmp_path / "xy.csv"
    # surveyors' order: X坐标 is the northing, Y坐标 the easting
    path.write_text("项目编号,X坐标,Y坐标\n" + "".join(f"G{i},{n:.2f},{e:.2f}\n" for i, (e, n) in
                                                    enumerate(zip(east, north))), encoding="utf-8")
    p = read_projects(path, crs="EPSG:4545").projects
    assert (p["error"] == "").all(), list(p["error"])
    assert (p.geometry.x.round(5).tolist(), p.geometry.y.round(5).tolist()) == ([106.55, 107.10], [29.56, 29.90])
    assert p["warnings"].str.contains("swapped").all()
    no_crs = read_projects(path).projects
    assert no_crs["error"].str.contains("crs").all() and no_crs.geometry.isna().all()
    assert no_crs.loc[0, "error"].startswith("row 1 (id G0): X坐标/Y坐标: ")


def test_xy_zone_prefix_inferred_and_degrees_without_crs():
    to_gk = pyproj.Transformer.from_crs(4490, 4524, always_xy=True)  # zone 36, eastings carry the prefix
    east, north = to_gk.transform(107.5, 29.7)
    frame = pd.DataFrame({"x": [east, 106.55], "y": [north, 29.56], "坐标系": ["", "GCJ02"]})
    p = standardize(frame)
    assert (p["error"] == "").all(), list(p["error"])
    assert (p.geometry[0].x, p.geometry[0].y) == pytest.approx((107.5, 29.7), abs=1e-6)
    assert "zone 36" in p.loc[0, "warnings"]
    assert "degrees" in p.loc[1, "warnings"]
    assert 300 < _metres(p.geometry[1], shapely.Point(106.55, 29.56)) < 700


def test_gcj02_does_not_apply_to_projected_xy():
    p = standardize(pd.DataFrame({"X坐标": [3272217.3], "Y坐标": [359474.1], "坐标系": ["GCJ02"]}), crs=4545)
    assert p.loc[0, "error"] == "" and "does not apply to projected X/Y" in p.loc[0, "warnings"]
    assert (p.geometry[0].x, p.geometry[0].y) == pytest.approx((106.55, 29.56), abs=1e-4)


def test_projected_wkt_with_crs(tmp_path):
    to_gk = pyproj.Transformer.from_crs(4490, 4545, always_xy=True)
    square = shapely.transform(shapely.box(106.50, 29.50, 106.51, 29.51), lambda xy: np.column_stack(
        to_gk.transform(xy[:, 0], xy[:, 1])))
    p = standardize(pd.DataFrame({"WKT": [square.wkt]}), crs="EPSG:4545")
    assert p.loc[0, "error"] == ""
    assert p.geometry[0].bounds == pytest.approx((106.50, 29.50, 106.51, 29.51), abs=1e-7)


# ------------------------------------------------------------------ vocabularies and in-memory frames


def test_vocabularies_and_warnings():
    frame = pd.DataFrame({
        "建设性质": ["新建", "扩建", "技术改造", "迁建", "改扩建", "Renovation", "大修", ""],
        "工艺": ["粉磨站", "电弧炉", "高炉转炉", "长流程", "EAF", " Coke Oven ", "", "bf-bof"],
        "国家重大项目": ["是", "否", "TRUE", "0", "Y", "n", "也许", ""],
        "经度": ["106.55"] * 8, "纬度": ["29.56"] * 8,
    })
    p = standardize(frame)
    # unknown words are kept as written, so the rules send the row to review instead of reading "no answer"
    assert list(p["construction"].fillna("-")) == ["new", "expansion", "renovation", "relocation", "expansion",
                                                   "renovation", "大修", "-"]
    assert p.loc[6, "construction_raw"] == "大修" and "建设性质 '大修' not recognised" in p.loc[6, "warnings"]
    assert list(p["process"].fillna("-")) == ["grinding_station", "eaf", "bf_bof", "bf_bof", "eaf", "coke oven",
                                              "-", "bf_bof"]
    assert list(p["process_known"].astype(object).fillna("-")) == [True] * 5 + [False, "-", True]
    assert "'Coke Oven'" in p.loc[5, "warnings"]
    # blank is "not flagged" (False); an unreadable word stays unknown so rules needing it go to review
    assert list(p["major"].astype(object).fillna("-")) == [True, False, True, False, True, False, "-", False]
    assert "'也许'" in p.loc[6, "warnings"]
    assert p.loc[7, "warnings"] == "" and p.loc[7, "id"] == "row 8"


def test_standardize_in_memory_numbers_keeps_index():
    frame = pd.DataFrame({"name": ["a", "b"], "lon": [106.55, 29.56], "lat": [29.56, 106.55]}, index=[10, 20])
    p = standardize(frame)
    assert list(p.index) == [10, 20] and list(p["id"]) == ["row 1", "row 2"]
    assert p.geometry[10].equals(p.geometry[20]) and "swapped" in p.loc[20, "warnings"]
    for column in ("id", "name", "sector_raw", "construction", "process", "park_claim", "coords_system", "error"):
        assert p[column].dtype == "string"
    assert p["major"].dtype == "boolean" and p["process_known"].dtype == "boolean"


def test_duplicate_ids_warn():
    p = standardize(pd.DataFrame({"id": ["X", "X", "Y"], "lon": [106.5] * 3, "lat": [29.5] * 3}))
    assert list(p["warnings"] != "") == [True, True, False]


def test_resolve_columns_prefers_specific_aliases():
    found = resolve_columns(["序号", "项目编号", "名称", "国民经济行业代码", "经度(°)", "纬度（度）", "坐标系"])
    assert found == {"id": "项目编号", "name": "名称", "sector": "国民经济行业代码", "lon": "经度(°)",
                     "lat": "纬度（度）", "coords": "坐标系"}


# ------------------------------------------------------------------ whole-file problems


def test_whole_file_problems(tmp_path):
    with pytest.raises(ProjectFileError, match="missing.csv: file not found"):
        read_projects(tmp_path / "missing.csv")
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(ProjectFileError, match="old.xls.*save it as .xlsx"):
        read_projects(old)
    no_location = tmp_path / "names.csv"
    no_location.write_text("项目编号,项目名称,经度\nP1,甲,106.5\n", encoding="utf-8")
    with pytest.raises(ProjectFileError, match="names.csv: no location columns .found only 经度.*经度/纬度"):
        read_projects(no_location)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ProjectFileError, match="empty"):
        read_projects(empty)
    header_only = tmp_path / "header.csv"
    header_only.write_text("经度,纬度\n", encoding="utf-8")
    assert len(read_projects(header_only).projects) == 0
    with pytest.raises(ProjectFileError, match="crs 'EPSG:99999'"):
        read_projects(header_only, crs="EPSG:99999")
    archive = tmp_path / "nothing.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("readme.txt", "no shapefile here")
    with pytest.raises(ProjectFileError, match="nothing.zip"):
        read_projects(archive)


# ------------------------------------------------------------------ size


def test_read_100k_rows(tmp_path):
    n = 100_000
    rng = np.random.default_rng(7)
    frame = pd.DataFrame({
        "项目编号": [f"P{i:06d}" for i in range(n)],
        "项目名称": ["项目"] * n,
        "行业代码": rng.choice(["C3011", "3120", "2614", "0311"], n),
        "建设性质": rng.choice(["新建", "扩建", "技改"], n),
        "经度": np.round(rng.uniform(105.3, 110.1, n), 6).astype(str),
        "纬度": np.round(rng.uniform(28.2, 32.2, n), 6).astype(str),
        "坐标系": rng.choice(["", "GCJ02", "WGS84"], n),
        "工艺": rng.choice(["", "粉磨站", "电炉"], n),
        "国家重大项目": rng.choice(["是", "否", ""], n),
    })
    path = tmp_path / "big.csv"
    frame.to_csv(path, index=False, encoding="gbk")
    start = time.perf_counter()
    pl = read_projects(path)
    elapsed = time.perf_counter() - start
    print(f"\nread_projects: {n} rows in {elapsed:.2f} s")
    assert len(pl.projects) == n and (pl.projects["error"] == "").all()
