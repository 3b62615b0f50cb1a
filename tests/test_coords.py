"""Tests for the zoning.coords package: typed angles, GCJ-02 / BD-09, geometry text and Gauss-Krüger x/y."""

import math

import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from zoning import coords
from zoning.coords import (
    SYSTEMS,
    bd09_to_gcj02,
    from_cgcs2000,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    gk_zone_crs,
    normalize_system,
    parse_angle,
    parse_geometry,
    parse_lonlat_columns,
    to_cgcs2000,
    wgs84_to_gcj02,
    xy_to_lonlat,
)
from zoning.errors import CoordinateError

GEOD = pyproj.Geod(ellps="GRS80")
CENTRE = (106.55, 29.56)  # Chongqing city centre, CGCS2000
DMS_106 = 106 + 33 / 60 + 12.5 / 3600  # 106°33′12.5″


def metres(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Geodesic distance on GRS80 between point arrays."""
    return np.asarray(GEOD.inv(lon1, lat1, lon2, lat2)[2])


def chongqing_points(n: int = 100, seed: int = 20240501) -> tuple[np.ndarray, np.ndarray]:
    """Seeded random points over Chongqing's extent."""
    rng = np.random.default_rng(seed)
    return rng.uniform(105.28, 110.20, n), rng.uniform(28.16, 32.20, n)


def expected_lonlat(x: float, y: float, epsg: int) -> tuple[float, float]:
    """Reference answer straight from pyproj."""
    return pyproj.Transformer.from_crs(epsg, 4490, always_xy=True).transform(x, y)


def centre_xy(epsg: int) -> tuple[float, float]:
    """The city centre projected into epsg (easting, northing)."""
    return pyproj.Transformer.from_crs(4490, epsg, always_xy=True).transform(*CENTRE)


# --- system names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "system"),
    [
        ("gcj-02", "GCJ02"), ("GCJ02", "GCJ02"), ("高德", "GCJ02"), ("火星坐标", "GCJ02"), ("腾讯", "GCJ02"),
        ("bd09", "BD09"), ("BD-09", "BD09"), ("百度", "BD09"),
        ("wgs84", "WGS84"), ("WGS-84", "WGS84"), ("GPS", "WGS84"),
        ("cgcs2000", "CGCS2000"), ("2000", "CGCS2000"), ("EPSG:4490", "CGCS2000"),
        (None, "CGCS2000"), ("", "CGCS2000"), ("  ", "CGCS2000"),
    ],
)
def test_normalize_system(name, system):
    assert normalize_system(name) == system
    assert system in SYSTEMS


def test_normalize_system_unknown_says_what_is_expected():
    with pytest.raises(CoordinateError, match=r"unknown coordinate system 'Beijing54'.*expected.*GCJ02"):
        normalize_system("Beijing54")


# --- angles -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("106°33′12.5″", DMS_106),
        ("106°33'12.5\"", DMS_106),
        ("106 33 12.5", DMS_106),
        ("106度33分12.5秒", DMS_106),
        ("106°33.2083′", 106 + 33.2083 / 60),
        ("E106°33′12.5″", DMS_106),
        ("106°33′12.5″E", DMS_106),
        ("东经106°33′12.5″", DMS_106),
        ("29°33′N", 29.55),
        ("北纬29度33分", 29.55),
        ("106.5533°", 106.5533),
        ("106.5533", 106.5533),
        ("１０６°３３′１２．５″", DMS_106),
        ("１０６．５５", 106.55),
        ("106，5533", 106.5533),
        ("  106°33′12.5″  ", DMS_106),
        ("106°33′12.5''", DMS_106),
        (106.55, 106.55),
        (106, 106.0),
    ],
)
def test_parse_angle_notations(text, expected):
    assert parse_angle(text) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("29°33′S", -29.55),
        ("S29°33′", -29.55),
        ("南纬29°33′", -29.55),
        ("W106.5", -106.5),
        ("106°30′W", -106.5),
        ("西经106°30′", -106.5),
        ("-106°30′", -106.5),
        ("-29.5", -29.5),
        ("+29.5", 29.5),
    ],
)
def test_parse_angle_hemispheres_and_signs(text, expected):
    assert parse_angle(text) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("text", ["106x33", "abc", "106°33′12.5″ extra", "1O6.5", "--106"])
def test_parse_angle_garbage_says_what_was_expected(text):
    with pytest.raises(CoordinateError) as info:
        parse_angle(text)
    message = str(info.value)
    assert repr(text) in message or f"'{text}'" in message
    assert "expected decimal degrees like 106.5533 or DMS like 106°33′12.5″" in message


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("106°60′", "minutes 60"),
        ("106°75′12″", "minutes 75"),
        ("106°33′60″", "seconds 60"),
        ("106 33 75.5", "seconds 75.5"),
    ],
)
def test_parse_angle_rejects_minutes_or_seconds_of_60_or_more(text, fragment):
    with pytest.raises(CoordinateError, match=fragment) as info:
        parse_angle(text)
    assert "must be below 60" in str(info.value)
    assert "expected" in str(info.value)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "missing angle"),
        (None, "missing angle"),
        (float("nan"), "finite"),
        (float("inf"), "finite"),
        ("-106W", "both a sign and a hemisphere"),
        ("N29.5S", "two hemisphere letters"),
        ("200E", "beyond 180"),
        ("95N", "beyond 90"),
        ("106.5°30′", "decimal fraction cannot be followed by minutes"),
        ("106°30.5′10″", "decimal fraction cannot be followed by seconds"),
    ],
)
def test_parse_angle_other_errors(text, fragment):
    with pytest.raises(CoordinateError, match=fragment):
        parse_angle(text)


def test_coordinate_error_is_a_value_error():
    with pytest.raises(ValueError):
        parse_angle("nonsense")


# --- lon/lat columns ----------------------------------------------------------------------------


def test_parse_lonlat_columns_numeric_and_text():
    lon = pd.Series(["106.55", "106°33′12.5″", "E106.5", " 106.5 "], index=[10, 11, 12, 13])
    lat = pd.Series(["29.56", "29°33′N", "北纬29.5", "29.5"], index=[10, 11, 12, 13])
    out = parse_lonlat_columns(lon, lat)
    assert list(out.columns) == ["lon", "lat", "swapped", "error"]
    assert list(out.index) == [10, 11, 12, 13]
    np.testing.assert_allclose(out["lon"], [106.55, DMS_106, 106.5, 106.5])
    np.testing.assert_allclose(out["lat"], [29.56, 29.55, 29.5, 29.5])
    assert not out["swapped"].any()
    assert (out["error"] == "").all()
    assert out["lon"].dtype == np.float64 and out["swapped"].dtype == bool


@pytest.mark.parametrize("dtype", ["float64", "Float64", "object", "str"])
def test_parse_lonlat_columns_accepts_common_dtypes(dtype):
    lon = pd.Series([106.55, 107.0]).astype(dtype)
    lat = pd.Series([29.56, 30.0]).astype(dtype)
    out = parse_lonlat_columns(lon, lat)
    np.testing.assert_allclose(out["lon"], [106.55, 107.0])
    np.testing.assert_allclose(out["lat"], [29.56, 30.0])
    assert (out["error"] == "").all()


def test_parse_lonlat_columns_numeric_input_skips_the_text_parser(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("numeric input must not go through the regex parser")

    monkeypatch.setattr(coords.notation, "_parse_angle_text", refuse)
    lon, lat = chongqing_points(10_000)
    out = parse_lonlat_columns(pd.Series(lon.astype(str)), pd.Series(lat))
    np.testing.assert_allclose(out["lon"], lon)
    assert (out["error"] == "").all()


def test_swapped_lonlat_is_fixed_and_flagged():
    lon = pd.Series([29.56, 106.55, "29°33′N", "29.5"])
    lat = pd.Series([106.55, 29.56, "106°33′E", "E106.5"])
    out = parse_lonlat_columns(lon, lat)
    assert out["swapped"].tolist() == [True, False, True, True]
    np.testing.assert_allclose(out["lon"], [106.55, 106.55, 106.55, 106.5])
    np.testing.assert_allclose(out["lat"], [29.56, 29.56, 29.55, 29.5])
    assert (out["error"] == "").all()


def test_ambiguous_pairs_are_not_swapped():
    out = parse_lonlat_columns(pd.Series([29.5, 80.0]), pd.Series([80.0, 29.5]))
    assert not out["swapped"].any()
    np.testing.assert_allclose(out["lon"], [29.5, 80.0])


def test_bad_rows_get_error_strings_and_leave_other_rows_alone():
    lon = pd.Series(["106.55", "106x33", "106.5", None, "200", "106°75′", "29.5N"])
    lat = pd.Series(["29.56", "29.5", "95", "29.5", "29.5", "29.5", "29.5N"])
    out = parse_lonlat_columns(lon, lat)
    assert out.loc[0, "lon"] == 106.55 and out.loc[0, "lat"] == 29.56 and out.loc[0, "error"] == ""
    assert "cannot read longitude '106x33': expected decimal degrees like 106.5533" in out.loc[1, "error"]
    assert "latitude 95 is outside -90..90" in out.loc[2, "error"]
    assert "cannot simply be swapped" in out.loc[2, "error"]
    assert "missing longitude" in out.loc[3, "error"]
    assert "longitude 200 is outside -180..180" in out.loc[4, "error"]
    assert "minutes 75" in out.loc[5, "error"]
    assert "both values are marked N/S" in out.loc[6, "error"]
    bad = out.index[1:]
    assert out.loc[bad, "lon"].isna().all() and out.loc[bad, "lat"].isna().all()
    assert not out.loc[bad, "swapped"].any()


def test_errors_in_both_columns_are_joined():
    out = parse_lonlat_columns(pd.Series(["abc"]), pd.Series(["xyz"]))
    assert "longitude 'abc'" in out.loc[0, "error"] and "latitude 'xyz'" in out.loc[0, "error"]


def test_lonlat_columns_must_have_equal_length():
    with pytest.raises(CoordinateError, match="lon has 2 values but lat has 1"):
        parse_lonlat_columns(pd.Series([1.0, 2.0]), pd.Series([1.0]))


# --- GCJ-02 and BD-09 ---------------------------------------------------------------------------


def test_gcj02_round_trip_over_chongqing_is_under_half_a_metre():
    lon, lat = chongqing_points()
    g_lon, g_lat = wgs84_to_gcj02(lon, lat)
    back_lon, back_lat = gcj02_to_wgs84(g_lon, g_lat)
    assert metres(lon, lat, back_lon, back_lat).max() < 0.5
    assert metres(lon, lat, back_lon, back_lat).max() < 0.01  # the contract's precision


def test_bd09_round_trip_over_chongqing_is_under_half_a_metre():
    lon, lat = chongqing_points()
    b_lon, b_lat = from_cgcs2000(lon, lat, "BD09")
    back_lon, back_lat = to_cgcs2000(b_lon, b_lat, "BD09")
    assert metres(lon, lat, back_lon, back_lat).max() < 0.5
    assert metres(lon, lat, back_lon, back_lat).max() < 0.01
    g_lon, g_lat = wgs84_to_gcj02(lon, lat)
    back_g_lon, back_g_lat = bd09_to_gcj02(*gcj02_to_bd09(g_lon, g_lat))
    assert metres(g_lon, g_lat, back_g_lon, back_g_lat).max() < 0.01


def test_offsets_near_chongqing_are_a_few_hundred_metres():
    lon, lat = chongqing_points()
    gcj = metres(lon, lat, *wgs84_to_gcj02(lon, lat))
    assert gcj.min() > 200 and gcj.max() < 700
    bd = metres(lon, lat, *from_cgcs2000(lon, lat, "百度"))
    assert bd.min() > 500  # Baidu adds roughly another 0.0065° / 0.006° on top of GCJ-02
    g_lon, g_lat = wgs84_to_gcj02(*CENTRE)
    assert g_lon > CENTRE[0] and g_lat < CENTRE[1]  # east and south at the city centre


@settings(max_examples=200, deadline=None)
@given(
    lon=st.floats(min_value=73.5, max_value=135.0, allow_nan=False),
    lat=st.floats(min_value=18.0, max_value=53.5, allow_nan=False),
    system=st.sampled_from(["GCJ02", "BD09"]),
)
def test_round_trip_property(lon, lat, system):
    there = from_cgcs2000(lon, lat, system)
    back = to_cgcs2000(*there, system)
    assert metres(lon, lat, *back) < 0.01


def test_outside_china_gcj02_is_unchanged():
    paris = (2.35, 48.85)
    assert wgs84_to_gcj02(*paris) == paris
    assert gcj02_to_wgs84(*paris) == paris


def test_scalars_give_floats_and_series_give_arrays():
    lon, lat = wgs84_to_gcj02(*CENTRE)
    assert isinstance(lon, float) and isinstance(lat, float)
    out_lon, _ = wgs84_to_gcj02(pd.Series([106.55, np.nan]), pd.Series([29.56, 29.0]))
    assert isinstance(out_lon, np.ndarray)
    assert math.isnan(out_lon[1]) and not math.isnan(out_lon[0])


def test_cgcs2000_and_wgs84_are_the_same_datum():
    assert to_cgcs2000(*CENTRE, "WGS84") == CENTRE
    assert from_cgcs2000(*CENTRE, "GPS") == CENTRE
    assert to_cgcs2000(*CENTRE, None) == CENTRE


# --- geometry text ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "wkt"),
    [
        ("POINT (106.55 29.56)", "POINT (106.55 29.56)"),
        ("point(106.55 29.56)", "POINT (106.55 29.56)"),
        ("SRID=4490;POINT (106.55 29.56)", "POINT (106.55 29.56)"),
        ("srid=4326; polygon((106 29, 107 29, 107 30, 106 29))", "POLYGON ((106 29, 107 29, 107 30, 106 29))"),
        ('{"type": "Point", "coordinates": [106.55, 29.56]}', "POINT (106.55 29.56)"),
        (
            (
                '{"type": "Feature", "properties": {"name": "厂区"}, '
                '"geometry": {"type": "LineString", "coordinates": [[106, 29], [107, 30]]}}'
            ),
            "LINESTRING (106 29, 107 30)",
        ),
        ("  \ufeffPOINT (1 2)\n", "POINT (1 2)"),
    ],
)
def test_parse_geometry(text, wkt):
    geometry = parse_geometry(text)
    assert isinstance(geometry, shapely.Geometry)
    assert geometry.equals(shapely.from_wkt(wkt))


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("   ", "empty"),
        (None, "missing"),
        ("POINT EMPTY", "is empty"),
        ("POINT (106.55", "cannot read WKT"),
        ("hello", "cannot read WKT"),
        ("SRID=4545;POINT (359474 3272217)", "SRID=4545"),
        ("{not json", "cannot read GeoJSON"),
        ('{"type": "Feature", "geometry": null}', "has no geometry"),
        ('{"type": "FeatureCollection", "features": []}', "FeatureCollection"),
        ('{"type": "Circle", "coordinates": [1, 2]}', "has type 'Circle'"),
        ('{"type": "Point"}', "no 'coordinates'"),
        ('{"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}', "cannot build a Polygon"),
    ],
)
def test_parse_geometry_errors(text, fragment):
    with pytest.raises(CoordinateError, match=fragment) as info:
        parse_geometry(text)
    assert "expected" in str(info.value)


# --- Gauss-Krüger -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "prefixed", "epsg", "cm"),
    [(25, True, 4513, 75), (36, True, 4524, 108), (45, True, 4533, 135),
     (25, False, 4534, 75), (35, False, 4544, 105), (36, False, 4545, 108), (45, False, 4554, 135)],
)
def test_gk_zone_crs(zone, prefixed, epsg, cm):
    crs = gk_zone_crs(zone, prefixed)
    assert crs.to_epsg() == epsg
    params = {p.name: p.value for p in crs.coordinate_operation.params}
    assert params["Longitude of natural origin"] == cm
    assert params["False easting"] == (zone * 1e6 + 5e5 if prefixed else 5e5)


@pytest.mark.parametrize("zone", [24, 46, 108, 2.5, True])
def test_gk_zone_crs_rejects_bad_zones(zone):
    with pytest.raises(CoordinateError, match="expected"):
        gk_zone_crs(zone, False)


def test_city_centre_checks_from_the_domain_notes():
    x, y = centre_xy(4545)
    assert abs(x - 359474) < 1 and abs(y - 3272217) < 1
    assert abs(centre_xy(4524)[0] - 36359474) < 1


def assert_near(out: pd.DataFrame, row: int, lon: float, lat: float) -> None:
    """Row's lon/lat within 1 m of the expected point."""
    assert out.loc[row, "error"] == ""
    assert metres(out.loc[row, "lon"], out.loc[row, "lat"], lon, lat) < 1.0


@pytest.mark.parametrize("crs", ["EPSG:4545", 4545, "CGCS2000 / 3-degree Gauss-Kruger CM 108E"])
def test_xy_unprefixed_crs(crs):
    x, y = centre_xy(4545)
    out = xy_to_lonlat(pd.Series([x]), pd.Series([y]), crs)
    assert list(out.columns) == ["lon", "lat", "swapped", "note", "error"]
    assert_near(out, 0, *expected_lonlat(x, y, 4545))
    assert_near(out, 0, *CENTRE)
    assert not out.loc[0, "swapped"] and out.loc[0, "note"] == ""


def test_xy_prefixed_crs():
    x, y = centre_xy(4524)
    out = xy_to_lonlat(pd.Series([x]), pd.Series([y]), "EPSG:4524")
    assert_near(out, 0, *expected_lonlat(x, y, 4524))
    assert out.loc[0, "note"] == ""


def test_xy_prefixed_easting_with_unprefixed_crs_uses_the_prefixed_zone():
    x, y = centre_xy(4524)
    out = xy_to_lonlat(pd.Series([x]), pd.Series([y]), "EPSG:4545")
    assert_near(out, 0, *expected_lonlat(x, y, 4524))
    assert "zone prefix 36" in out.loc[0, "note"] and "EPSG:4524" in out.loc[0, "note"]


def test_xy_plain_easting_with_prefixed_crs_uses_the_unprefixed_zone():
    x, y = centre_xy(4545)
    out = xy_to_lonlat(pd.Series([x]), pd.Series([y]), 4524)
    assert_near(out, 0, *expected_lonlat(x, y, 4545))
    assert "no zone prefix" in out.loc[0, "note"] and "EPSG:4545" in out.loc[0, "note"]


def test_xy_without_crs_infers_the_zone_from_the_prefix():
    x, y = centre_xy(4524)
    x35, y35 = pyproj.Transformer.from_crs(4490, 4523, always_xy=True).transform(104.8, 29.3)
    out = xy_to_lonlat(pd.Series([x, x35]), pd.Series([y, y35]), None)
    assert_near(out, 0, *expected_lonlat(x, y, 4524))
    assert_near(out, 1, 104.8, 29.3)
    assert "zone 36 inferred" in out.loc[0, "note"] and "zone 35 inferred" in out.loc[1, "note"]


def test_xy_without_crs_and_without_prefix_is_an_error_row():
    x, y = centre_xy(4545)
    out = xy_to_lonlat(pd.Series([x]), pd.Series([y]), None)
    assert "no CRS given" in out.loc[0, "error"] and "expected crs=" in out.loc[0, "error"]
    assert math.isnan(out.loc[0, "lon"])


@pytest.mark.parametrize(("epsg", "crs"), [(4545, "EPSG:4545"), (4524, "EPSG:4545"), (4524, None), (4545, 4524)])
def test_xy_surveyor_order_is_swapped(epsg, crs):
    easting, northing = centre_xy(epsg)
    out = xy_to_lonlat(pd.Series([northing]), pd.Series([easting]), crs)  # X = northing, Y = easting
    assert out.loc[0, "swapped"]
    assert "surveyors write X = northing" in out.loc[0, "note"]
    assert_near(out, 0, *expected_lonlat(easting, northing, epsg))


def test_xy_mismatched_zone_prefix_is_an_error_row_and_others_survive():
    x36, y36 = centre_xy(4545)
    x35, y35 = pyproj.Transformer.from_crs(4490, 4523, always_xy=True).transform(*CENTRE)
    out = xy_to_lonlat(pd.Series([x35, x36]), pd.Series([y35, y36]), "EPSG:4545")
    assert "zone prefix 35" in out.loc[0, "error"] and "central meridian 108°E" in out.loc[0, "error"]
    assert math.isnan(out.loc[0, "lon"])
    assert_near(out, 1, *CENTRE)


def test_xy_bad_values_are_error_rows_keeping_the_index():
    x, y = centre_xy(4545)
    out = xy_to_lonlat(pd.Series([x, "abc", None, 12_345_678.0], index=list("abcd")),
                       pd.Series([y, y, y, y], index=list("abcd")), "EPSG:4545")
    assert list(out.index) == list("abcd")
    assert out.loc["a", "error"] == ""
    assert "cannot read x 'abc'" in out.loc["b", "error"]
    assert "missing x" in out.loc["c", "error"]
    assert "not a CGCS2000 3-degree GK easting" in out.loc["d", "error"]


def test_xy_other_projected_crs_is_used_as_given():
    x, y = pyproj.Transformer.from_crs(4490, 32648, always_xy=True).transform(*CENTRE)
    out = xy_to_lonlat([x], [y], "EPSG:32648")
    assert_near(out, 0, *CENTRE)


def test_xy_unreadable_crs_raises():
    with pytest.raises(CoordinateError, match="cannot read CRS 'EPSG:99999'.*expected"):
        xy_to_lonlat([359474.0], [3272217.0], "EPSG:99999")


def test_xy_is_grouped_per_crs_not_per_row(monkeypatch):
    calls = []
    real = coords.gk._to_storage

    def counting(crs):
        calls.append(crs)
        return real(crs)

    monkeypatch.setattr(coords.gk, "_to_storage", counting)
    rng = np.random.default_rng(7)
    x = rng.uniform(300_000, 600_000, 1000)
    y = rng.uniform(3_150_000, 3_550_000, 1000)
    x[::2] += 36_000_000  # half the rows carry the zone prefix
    out = xy_to_lonlat(pd.Series(x), pd.Series(y), "EPSG:4545")
    assert (out["error"] == "").all()
    assert len(calls) == 2


# ---------------------------------------------------------------------------------------------------
# One home each (issue 12): the CRS parser, the swapped-lon/lat detector, GK handling
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["EPSG:4545", "4545", 4545, "epsg:4545", "CGCS2000 / 3-degree GK CM 108E",
                                  "CGCS2000 / 3-degree Gauss-Kruger CM 108E"])
def test_parse_crs_reads_what_people_write(text):
    assert coords.parse_crs(text).to_epsg() == 4545


@pytest.mark.parametrize("blank", [None, "", "  ", float("nan")])
def test_parse_crs_blank_is_not_given(blank):
    assert coords.parse_crs(blank) is None


def test_parse_crs_refuses_unknown_text_in_both_languages():
    with pytest.raises(CoordinateError, match="无法识别坐标参照系 'EPSG:99999' / cannot read CRS"):
        coords.parse_crs("EPSG:99999")


def test_project_reader_uses_the_one_crs_parser():
    from screening.projects import ProjectFileError, standardize

    frame = pd.DataFrame({"X": ["359474.1"], "Y": ["3272217.3"]})
    assert standardize(frame, crs="4545").geometry.x.round(2).tolist() == [106.55]
    with pytest.raises(ProjectFileError, match="无法识别坐标参照系.*EPSG:4545 \\(CGCS2000 3° GK, CM 108°E\\)"):
        standardize(frame, crs="EPSG:99999")


def test_one_swap_detector_matches_both_former_rules():
    """looks_swapped on the globe is parse_lonlat_columns' former range rule; on China's box, the WKT rule."""
    rng = np.random.default_rng(12)
    x, y = rng.uniform(-200, 200, 20_000), rng.uniform(-200, 200, 20_000)
    x[:50], y[:50] = 29.56, 106.55
    former_range = (np.abs(y) > 90) & (np.abs(y) <= 180) & (np.abs(x) <= 90)
    assert (coords.looks_swapped(np.column_stack([x, y])) == former_range).all()
    x0, y0 = rng.uniform(-10, 150, x.size), rng.uniform(-10, 150, y.size)
    b = np.column_stack([x0, y0, x0 + rng.uniform(0, 3, x.size), y0 + rng.uniform(0, 3, y.size)])
    b[::7] = np.nan  # missing geometries
    west, south, east, north = coords.CHINA_BOUNDS
    with np.errstate(invalid="ignore"):
        former_wkt = (b[:, 0] >= south) & (b[:, 2] <= north) & (b[:, 1] >= west) & (b[:, 3] <= east)
    assert former_wkt.any()
    assert (coords.looks_swapped(b, box=coords.CHINA_BOUNDS) == former_wkt).all()


def test_gk_has_one_home():
    import importlib.util

    from zoning.coords import fix_gk_prefix, gk as gk_module

    assert fix_gk_prefix is gk_module.fix_gk_prefix
    assert importlib.util.find_spec("zoning.gk") is None  # no second home (the former zoning/gk.py)
    crs, note = fix_gk_prefix(gk_zone_crs(36, prefixed=False), np.array([36_359_474.0, 3.2e6, 36_400_000.0, 3.3e6]))
    assert crs.to_epsg() == 4524 and "zone prefix 36" in note


def test_metres_per_degree_has_one_home():
    import maps.simplify
    import screening.site
    from zoning.metric import METRES_PER_DEGREE, METRES_PER_DEGREE_LAT_MIN

    assert maps.simplify.METRES_PER_DEGREE is METRES_PER_DEGREE
    assert screening.site.METRES_PER_DEGREE_LAT_MIN == METRES_PER_DEGREE_LAT_MIN == 110_574.0
    assert METRES_PER_DEGREE == pytest.approx(2 * np.pi * 6_378_137.0 / 360, abs=1)
