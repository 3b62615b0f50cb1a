"""Fail closed, defined once (issue 10 item 3): whole-site coverage, data rules on every date, and a
distance cap that changes what is reported, never what is decided. On the demo layers."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import DEMO_CATALOG
from screening.decide import decide
from screening.projects import ProjectList, standardize
from screening.rules import AsOfError, RuleError, load_rules
from screening.screen import project_facts, screen
from screening.site import read_radius_m, screen_site, site_layers, site_projects
from zoning.facts import DISTANCE_FACTS, MaxDistanceError, compute_facts
from zoning.layers import to_metric
from zoning.reproject import to_storage

#: a neutral electronics plant (3911, new) here is admissible on the demo layers: a general unit in 酉阳
INSIDE = (108.42111226787513, 28.85770917468567)
BEIJING = (116.4, 39.9)
DECISION_COLUMNS = ["decision", "rule_ids", "undecided"]


@pytest.fixture(scope="module")
def rules():
    return load_rules()


@pytest.fixture(scope="module")
def demo(demo_layers):
    """The demo layers with their coverage (the control units' union) and the Yangtze, in metric form."""
    units = demo_layers.metric("control_unit").geometry.values.to_numpy()
    river = demo_layers.metric("river")
    yangtze = shapely.union_all(river.loc[river["class"] == "mainstream"].geometry.values.to_numpy())
    return demo_layers, shapely.union_all(units), yangtze


def _metric(layers, lon, lat):
    return to_metric(gpd.GeoSeries.from_xy([lon], [lat], crs=4490), layers.metric_crs).values[0]


def _wkt(layers, geom) -> str:
    """A metric geometry as CGCS2000 lon/lat WKT, the way a user types it in."""
    return to_storage(gpd.GeoSeries([geom], crs=layers.metric_crs)).values[0].wkt


def _one(layers, rules, **values):
    return screen_site(layers, rules, sector=values.pop("sector", "3911"),
                       construction=values.pop("construction", "new"), **values).iloc[0]


def _fired(row) -> set[str]:
    return set(str(row["rule_ids"]).split(";")) - {""}


def _edge(demo):
    """(inside point, nearest coverage-boundary point, unit vector outward) near INSIDE."""
    layers, cover, _ = demo
    p = _metric(layers, *INSIDE)
    b = shapely.get_point(shapely.shortest_line(cover.boundary, p), 0)
    u = np.array([b.x - p.x, b.y - p.y])
    return p, b, u / np.hypot(*u)


def _shift(point, u, metres):
    return shapely.Point(point.x + metres * u[0], point.y + metres * u[1])


# --- 1/2: the whole site must be covered


def test_neutral_site_is_admissible(demo, rules):
    row = _one(demo[0], rules, lon=INSIDE[0], lat=INSIDE[1])
    assert row["decision"] == "admissible" and bool(row["in_coverage"])


def test_multipoint_with_one_point_in_beijing_is_review(demo, rules):
    wkt = f"MULTIPOINT (({INSIDE[0]} {INSIDE[1]}), ({BEIJING[0]} {BEIJING[1]}))"
    row = _one(demo[0], rules, wkt=wkt)
    assert row["decision"] == "review" and "outside_coverage" in _fired(row)
    assert not row["in_coverage"]
    assert "全部或部分" in row["reasons"] and "part of it" in row["reasons"]


def test_multipolygon_with_a_tiny_part_far_away_is_review(demo, rules):
    # the Beijing part is under 1 m², within the overlap tolerance: a part that meets no unit is outside anyway
    near = shapely.box(INSIDE[0], INSIDE[1], INSIDE[0] + 0.001, INSIDE[1] + 0.001)
    far = shapely.box(BEIJING[0], BEIJING[1], BEIJING[0] + 0.00001, BEIJING[1] + 0.00001)
    row = _one(demo[0], rules, wkt=shapely.MultiPolygon([near, far]).wkt)
    assert row["decision"] == "review" and "outside_coverage" in _fired(row)
    assert _one(demo[0], rules, wkt=near.wkt)["decision"] == "admissible"


def test_line_straddling_the_coverage_edge_is_review(demo, rules):
    layers, cover, _ = demo
    p, b, u = _edge(demo)
    out, inn = _shift(b, u, 200), _shift(b, u, -200)
    assert not shapely.covers(cover, out) and shapely.covers(cover, inn)
    row = _one(layers, rules, wkt=_wkt(layers, shapely.LineString([p, out])))
    assert row["decision"] == "review" and "outside_coverage" in _fired(row)
    assert _one(layers, rules, wkt=_wkt(layers, shapely.LineString([p, inn])))["decision"] == "admissible"
    # ending on the edge itself is inside (within the tolerance)
    assert bool(_one(layers, rules, wkt=_wkt(layers, shapely.LineString([p, b])))["in_coverage"])


def test_geometry_collection_with_a_part_across_the_edge_is_review(demo, rules):
    layers, _, _ = demo
    p, b, u = _edge(demo)
    plot = p.buffer(50)
    row = _one(layers, rules, wkt=_wkt(layers, shapely.GeometryCollection([plot, _shift(b, u, 200)])))
    assert row["decision"] == "review" and "outside_coverage" in _fired(row)
    inside = _one(layers, rules, wkt=_wkt(layers, shapely.GeometryCollection([plot, _shift(b, u, -200)])))
    assert inside["decision"] == "admissible"


def test_partly_covered_site_has_no_coverage_bound_facts(demo):
    layers, _, _ = demo
    p, b, u = _edge(demo)
    f = compute_facts(gpd.GeoSeries([shapely.LineString([p, _shift(b, u, 200)])], crs=layers.metric_crs)
                      .to_crs(4490), layers)
    assert not f["in_coverage"][0]
    for col in ("in_redline", "in_priority_unit", "river_mainstream_distance_m"):
        assert pd.isna(f[col][0]), col


# --- 3: data rules on every date; no date before the rulebook


def test_as_of_before_the_rulebook_is_an_error(demo, rules):
    first = rules.first_effective
    assert first == min(r.effective for r in rules.rules if r.kind == "policy")
    for call in (lambda: _one(demo[0], rules, lon=INSIDE[0], lat=INSIDE[1], as_of=dt.date(2020, 1, 1)),
                 lambda: decide(project_facts(site_projects(lon=1, lat=1, sector="3911").projects, rules), rules,
                                as_of=dt.date(2020, 1, 1))):
        with pytest.raises(AsOfError) as err:
            call()
        assert isinstance(err.value, RuleError) and isinstance(err.value, ValueError)
        assert "2020-01-01" in str(err.value) and first.isoformat() in str(err.value)
        assert "规则最早生效日期为" in str(err.value) and "earliest effective date" in str(err.value)
    assert _one(demo[0], rules, lon=INSIDE[0], lat=INSIDE[1], as_of=first)["decision"] == "admissible"


def test_data_rules_apply_on_every_date(demo, rules):
    before_plan = dt.date(2022, 1, 1)   # after the first rule (2021-03-01), before the 2023 plan
    assert {r.id for r in rules.rules if r.kind == "data"} == {"sector_unknown", "outside_coverage",
                                                                "construction_unrecognised"}
    unknown = _one(demo[0], rules, lon=INSIDE[0], lat=INSIDE[1], sector="", as_of=before_plan)
    assert unknown["decision"] == "review" and "sector_unknown" in _fired(unknown)
    far = _one(demo[0], rules, lon=BEIJING[0], lat=BEIJING[1], as_of=before_plan)
    assert far["decision"] == "review" and "outside_coverage" in _fired(far)


def test_data_rule_may_not_carry_dates(tmp_path):
    import shutil

    shutil.copytree(load_rules().directory, tmp_path / "rules", ignore=shutil.ignore_patterns("tests"))
    path = tmp_path / "rules" / "data.yaml"
    head = "  - id: sector_unknown\n    kind: data\n"
    path.write_text(path.read_text(encoding="utf-8").replace(head, head + "    effective: 2023-08-18\n"),
                    encoding="utf-8")
    with pytest.raises(RuleError, match=r"rule sector_unknown: a data rule \(kind: data\) applies on every date"):
        load_rules(tmp_path / "rules")


def test_admissibility_facts_are_the_blocking_rules_in_force(rules):
    needs = rules.admissibility_facts(dt.date(2022, 1, 1))
    assert "sector_unknown" in needs and "chemical_near_river" in needs
    assert "two_high_requirements" not in needs            # not yet in force
    assert "redline_touching_note" not in needs            # a note cannot block
    assert "river_mainstream_distance_m" in needs["chemical_near_river"]


# --- 4: the distance cap reports, the thresholds decide


@pytest.fixture(scope="module")
def chemical_plant(demo):
    """A point in the 长寿 chemical park 867 m from the Yangtze, computed from the layers."""
    layers, _, yangtze = demo
    park = layers.metric("park")
    changshou = park.loc[park["name"] == "长寿经济技术开发区"].geometry.values[0]
    ring = shapely.intersection(shapely.buffer(yangtze, 867, quad_segs=64).exterior, changshou)
    point = shapely.line_interpolate_point(shapely.get_geometry(ring, 0), 0.5, normalized=True)
    assert shapely.distance(point, yangtze) == pytest.approx(867, abs=1)
    return _wkt(layers, point)


def test_chemical_plant_867_m_from_the_yangtze_is_decided_without_the_cap(demo, rules, chemical_plant):
    layers = demo[0]
    plain = _one(layers, rules, wkt=chemical_plant, sector="2614")
    assert plain["decision"] == "prohibited" and "chemical_near_river" in _fired(plain)
    assert plain["river_mainstream_distance_m"] == pytest.approx(867, abs=2)
    for cap in (100, 500, 866, 5000):
        capped = _one(layers, rules, wkt=chemical_plant, sector="2614", max_distance_m=cap)
        assert capped[DECISION_COLUMNS].tolist() == plain[DECISION_COLUMNS].tolist(), cap
        assert capped["reasons"] == plain["reasons"]
        expected = plain["river_mainstream_distance_m"] if cap >= 867 else np.inf
        assert capped["river_mainstream_distance_m"] == pytest.approx(expected), cap  # reported under the cap


def test_single_site_radius_below_the_threshold_still_reads_the_river(rules, chemical_plant):
    projects = site_projects(wkt=chemical_plant, sector="2614", construction="new")
    assert read_radius_m(rules, 100) >= 1000
    near = site_layers(DEMO_CATALOG, projects, rules, radius_m=100)
    row = screen(projects, near, rules, max_distance_m=100).iloc[0]
    assert row["decision"] == "prohibited" and "chemical_near_river" in _fired(row)
    assert row["river_mainstream_distance_m"] == np.inf


@pytest.mark.parametrize("bad", [0, -5, float("nan")])
def test_max_distance_must_be_above_zero(demo, rules, chemical_plant, bad):
    for call in (lambda: _one(demo[0], rules, wkt=chemical_plant, max_distance_m=bad),
                 lambda: compute_facts(gpd.GeoSeries.from_xy([INSIDE[0]], [INSIDE[1]], crs=4490), demo[0],
                                       max_distance_m=bad),
                 lambda: read_radius_m(rules, bad)):
        with pytest.raises(ValueError, match="--max-distance") as err:
            call()
        assert isinstance(err.value, MaxDistanceError)


def _sites(layers, yangtze, draws) -> ProjectList:
    """Sites near the Yangtze (where the 1 km setback bites) or anywhere in Chongqing; points or squares."""
    near, t, dx, dy, lon, lat, side, sectors, kinds = (np.array(v, dtype=object) for v in zip(*draws))
    near = near.astype(bool)
    anywhere = to_metric(gpd.GeoSeries.from_xy(lon.astype(float), lat.astype(float), crs=4490),
                         layers.metric_crs).values.to_numpy()
    along = shapely.line_interpolate_point(yangtze, t.astype(float), normalized=True)
    moved = shapely.points(shapely.get_x(along) + dx.astype(float), shapely.get_y(along) + dy.astype(float))
    centre = np.where(near, moved, anywhere)
    side = side.astype(float)
    geoms = np.where(side > 0, shapely.buffer(centre, side / 2, cap_style="square"), centre)
    wkt = to_storage(gpd.GeoSeries(geoms, crs=layers.metric_crs)).to_wkt().to_numpy()
    frame = pd.DataFrame({"id": [f"s{i}" for i in range(len(geoms))], "wkt": wkt, "sector": sectors,
                          "construction": kinds}, dtype=object)
    return ProjectList(source="(hypothesis)", original=frame, projects=standardize(frame))


_DRAW = st.tuples(st.booleans(), st.floats(0, 1), st.floats(-3000, 3000), st.floats(-3000, 3000),
                  st.floats(105.3, 110.2), st.floats(28.2, 32.2), st.sampled_from([0, 0, 200, 1500]),
                  st.sampled_from(["2614", "2511", "3120", "3911", "3011", ""]),
                  st.sampled_from(["new", "expansion", "renovation"]))


@settings(max_examples=25, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(draws=st.lists(_DRAW, min_size=1, max_size=12), cap=st.floats(1, 20_000, exclude_min=True))
def test_decisions_never_depend_on_the_cap(demo, rules, draws, cap):
    layers, _, yangtze = demo
    projects = _sites(layers, yangtze, draws)
    plain = screen(projects, layers, rules)
    capped = screen(projects, layers, rules, max_distance_m=cap)
    pd.testing.assert_frame_equal(capped[DECISION_COLUMNS], plain[DECISION_COLUMNS])
    for col in [c for c in DISTANCE_FACTS if c in plain.columns]:   # the distances the results report
        exact = plain[col].astype("Float64")
        want = exact.where(~(exact > cap).fillna(False), np.inf)
        pd.testing.assert_series_equal(capped[col].astype("Float64"), want, check_names=False, rtol=1e-9)
