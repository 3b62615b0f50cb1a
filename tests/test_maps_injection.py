"""Data is never code: names from project rows and layer attributes render as literal text in map.html.

branca/folium parse the output of every element's template as Jinja once more; a name like `{{7*7}}` used to
show as 49 and `{% endraw %}` crashed the render. These tests build maps through the public functions the CLI
uses (decision_map, site_map, zoning_map, save_map, and `zoning screen` itself) with hostile names, and check
the page: the payload is there as escaped text / script-safe JSON, it decodes to exactly the same visible text,
no `</script>` or tag from data reaches the page, and the inline scripts still parse.
"""

from __future__ import annotations

import html as htmllib
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point, box

from maps import decision_map, render_html, save_map, site_map, zoning_map
from maps.styles import DECISION_LABELS
from zoning.atomic import TEMP_PREFIX

LONG = "长" * 9990 + "{{7*7}}end"
PAYLOADS = [
    "{{7*7}}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{% raw %}",
    "{% endraw %}",
    "{#",
    "${alert(1)}",
    "`${`backtick`}`",
    "</script><script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "\"'\\",
    "a\u2028b\u2029c",
    LONG,
]
assert len(LONG) == 10_000
DECISIONS = ("prohibited", "review", "conditional", "admissible")
X0, Y0 = 106.30, 29.30


# ---------------------------------------------------------------- building maps with hostile data


def hostile_layers(names=PAYLOADS, source="illustrative"):
    """Zoning layers near 106.5E 29.5N whose every text attribute is one of `names`.

    Districts: one narrow strip per name (so every name has its own district tooltip); other layers carry
    the names in id, name, kind/category/class (unknown values, shown as such) and source.
    """
    n = len(names)
    def gdf(rows, geoms):
        return gpd.GeoDataFrame(rows, geometry=geoms, crs=4490)
    def pick(i):
        return names[i % n]
    strips = [box(X0 + 0.6 * i / n, Y0, X0 + 0.6 * (i + 1) / n, Y0 + 0.4) for i in range(n)]
    return {
        "district": gdf({"id": [f"D{i}" for i in range(n)], "name": list(names),
                         "source": [f"{source} {pick(i)}" for i in range(n)]}, strips),
        "redline": gdf({"id": [pick(1)], "name": [pick(0)], "source": [pick(2)]}, [box(106.40, 29.55, 106.45, 29.60)]),
        "park": gdf({"id": ["P1", "P2"], "name": [pick(3), pick(4)], "kind": ["chemical", pick(5)],
                     "compliant": [True, False], "source": [pick(6), pick(7)]},
                    [box(106.55, 29.45, 106.62, 29.52), box(106.45, 29.42, 106.52, 29.47)]),
        "control_unit": gdf({"id": ["U1", "U2"], "name": [pick(8), pick(9)], "category": ["key", pick(10)]},
                            [box(106.3, 29.3, 106.5, 29.7), box(106.5, 29.3, 106.9, 29.7)]),
        "river": gdf({"id": ["W1", "W2"], "name": [pick(11), pick(0)], "class": [pick(1), "tributary"]},
                     [LineString([(106.3, 29.5), (106.9, 29.55)]), LineString([(106.5, 29.7), (106.58, 29.55)])]),
        "urban_area": gdf({"id": [pick(2)], "name": [pick(3)]}, [box(106.48, 29.5, 106.6, 29.62)]),
    }


def hostile_results(names=PAYLOADS):
    """Screening results (as `_write_map` passes them): one site per name, every text column hostile too."""
    n = len(names)
    rows = []
    for i, name in enumerate(names):
        other = names[(i + 1) % n]
        rows.append(dict(
            id=other, name=name, sector=other, decision=DECISIONS[i % 4],
            reasons=" | ".join([name, *names]), obligations=name, list_requirements=other, requirements_to_check=name,
            citations=f"{name};{other}", rule_ids=other, in_redline=bool(i % 2), redline_distance_m=float(i * 700),
            river_distance_m=name, park=name, park_kind=other, control_units=name, control_unit_categories=other,
            river_nearest=name, district=other, pm25=name, in_urban_area=False,
            geometry=Point(X0 + 0.6 * (i + 0.5) / n, Y0 + 0.2)))
    # a decision value that is not one of ours: shown as text, in its own layer group
    rows.append(dict(rows[0], id="odd", name=names[0], decision=names[0], geometry=Point(106.6, 29.45)))
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=4490)


def script_json(text: str) -> str:
    """A string as script-safe JSON (`<`, `>`, `&`, U+2028/2029 as \\u escapes), the form data takes in the page."""
    out = json.dumps(text, ensure_ascii=False, separators=(",", ":"))
    for ch in "<>&\u2028\u2029":
        out = out.replace(ch, "\\u%04x" % ord(ch))
    return out


def safe_names(names=PAYLOADS):
    """Harmless names of the same count, for a baseline page of the same structure."""
    return [f"name{i}" for i in range(len(names))]


BUILDERS = {
    "decision": lambda names: decision_map(hostile_results(names), hostile_layers(names)),
    "site": lambda names: site_map(hostile_results(names).iloc[[0]], hostile_layers(names)),
    "zoning": lambda names: zoning_map(hostile_layers(names)),
}


# ---------------------------------------------------------------- reading the page back


class _Text(HTMLParser):
    """Visible text (outside script/style) and the tags of an HTML fragment or page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.tags, self._skip = [], [], 0

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def parse(fragment: str) -> _Text:
    p = _Text()
    p.feed(fragment)
    p.close()
    return p


def visible(fragment: str) -> str:
    return "".join(parse(fragment).parts)


def collections(page: str) -> list[dict]:
    """Every GeoJSON FeatureCollection the page hands to L.geoJson, decoded as the browser would."""
    decoder, out, pos = json.JSONDecoder(), [], 0
    while (i := page.find("L.geoJson(", pos)) >= 0:
        obj, pos = decoder.raw_decode(page, i + len("L.geoJson("))
        out.append(obj)
    return out


def popups_and_tips(page: str) -> tuple[list[str], list[str]]:
    feats = [f["properties"] for c in collections(page) for f in c["features"]]
    return [p["popup"] for p in feats if "popup" in p], [p["tip"] for p in feats if "tip" in p]


def layer_labels(page: str) -> list[str]:
    """Layer control entries as HTML (Leaflet shows them with innerHTML)."""
    block = re.search(r"_layers = \{(.*?)\};\s*let ", page, re.S)
    assert block, "no layer control in the page"
    return [json.loads(key) for key in re.findall(r'("(?:[^"\\]|\\.)*")\s*:\s*\w+,', block.group(1))]


def map_scripts(page: str) -> list[str]:
    """The page's inline scripts other than the vendored Leaflet / markercluster code."""
    blocks = re.findall(r"<script>(.*?)</script>", page, re.S)
    return [b for b in blocks if "(vendored, see maps/assets/README.md)" not in b[:200]]


def assert_no_markup_from_data(page: str, baseline: str) -> None:
    """The payloads add no script/tag to the page: same <script> structure as the harmless baseline."""
    assert "<script>alert(1)" not in page and "alert(1)</script>" not in page
    assert "<img src=x" not in page and "<img" not in page
    assert page.count("</script") == baseline.count("</script")
    assert page.count("<script") == baseline.count("<script")
    assert [t for t, _ in parse(page).tags] == [t for t, _ in parse(baseline).tags]


# ---------------------------------------------------------------- the tests


@pytest.fixture(scope="module", params=sorted(BUILDERS))
def built(request):
    kind = request.param
    page = render_html(BUILDERS[kind](PAYLOADS))
    baseline = render_html(BUILDERS[kind](safe_names()))
    return kind, page, baseline


def test_render_does_not_raise_and_adds_no_markup(built):
    _, page, baseline = built
    assert_no_markup_from_data(page, baseline)
    assert "uid=" not in page  # os.popen('id') never ran


def test_zoning_tooltips_and_popups_show_the_literal_payload(built):
    kind, page, _ = built
    popups, tips = popups_and_tips(page)
    shown_tips = {htmllib.unescape(t) for t in tips}
    shown_popups = [visible(p) for p in popups]
    for payload in PAYLOADS:
        if kind != "site":  # the site map clips districts to the site's surroundings
            assert payload in shown_tips, payload[:40]  # a district's tooltip is its name, exactly
        assert any(payload in text for text in shown_popups), payload[:40]
    for fragment in popups + tips:  # no tag from data inside any popup or tooltip
        assert {t for t, _ in parse(fragment).tags} <= {"b", "small", "br", "div", "span", "ul", "li", "table",
                                                         "tr", "td"}
    # the payload is in the page as script-safe JSON of escaped text
    assert script_json(htmllib.escape("{{7*7}}"))[1:-1] in page
    assert script_json(htmllib.escape("</script><script>alert(1)</script>"))[1:-1] in page
    separators = htmllib.escape("a\u2028b\u2029c").replace("\u2028", "&#8232;").replace("\u2029", "&#8233;")
    assert script_json(separators)[1:-1] in page
    assert "{{7*7}}" in page and "{% endraw %}" in page and "{#" in page


def test_sites_show_the_literal_payload(built):
    kind, page, _ = built
    if kind == "zoning":
        return
    popups, tips = popups_and_tips(page)
    shown_tips = {htmllib.unescape(t) for t in tips}
    results = hostile_results()
    for i, name in enumerate(PAYLOADS[:1] if kind == "site" else PAYLOADS):
        zh = DECISION_LABELS[DECISIONS[i % 4]][0]
        assert f"{name} — {zh}" in shown_tips  # where {{7*7}} was, {{7*7}} is shown, not 49
        assert "49 — " not in shown_tips
        popup = next(visible(p) for p in popups if visible(p).startswith(name + " ("))
        row = results.iloc[i]
        for column in ("reasons", "citations"):
            for item in re.split(r" \| |;", row[column]):
                assert item.strip() in popup
        assert f"最近河流 nearest river{row['river_nearest']}" in popup
        assert f"距河流 distance to river{row['river_distance_m']}" in popup  # text where a distance was expected


def test_layer_control_names_from_data_are_text():
    results, layers = hostile_results(), hostile_layers()
    layers["{{7*7}}</script><img src=x>"] = layers["urban_area"]  # a layer role key that is not one of ours
    page = render_html(decision_map(results, layers))
    labels = [visible(label) for label in layer_labels(page)]
    odd = PAYLOADS[0]
    assert f"{odd} {odd} (1)" in labels  # the unknown decision's group
    assert "{{7*7}}</script><img src=x> {{7*7}}</script><img src=x>" in labels
    assert not any(parse(label).tags for label in layer_labels(page))
    assert "<img src=x>" not in page and page.count("</script") == render_html(
        decision_map(hostile_results(safe_names()), hostile_layers(safe_names()) | {"odd": layers["urban_area"]})
    ).count("</script")


def test_title_is_text():
    for title in PAYLOADS:
        page = render_html(zoning_map(hostile_layers(safe_names()), title=title))
        head = re.search(r'<div class="maps-head"><div class="maps-title">(.*?)</div>', page, re.S)
        assert head and visible(head.group(1)) == title
        assert not parse(head.group(1)).tags


def test_jinja_never_runs_on_data(tmp_path):
    marker = tmp_path / "ran"
    payload = "{{ cycler.__init__.__globals__.os.popen('touch %s').read() }}" % marker
    names = [payload, "{{ self.__init__.__globals__.__builtins__ }}", "{{ config }}{{ 6*7 }}"]
    for build in BUILDERS.values():
        page = render_html(build(names))
        assert not marker.exists()
        tips = {htmllib.unescape(t) for t in popups_and_tips(page)[1]}
        assert "{{ config }}{{ 6*7 }}" in tips and payload in tips  # district tooltips, as typed
        assert not any(t.startswith(("42", "<Config", "{'")) for t in tips)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_inline_scripts_still_parse(kind, tmp_path):
    """The map's own scripts are valid JavaScript with every payload in them (node --check)."""
    page = render_html(BUILDERS[kind](PAYLOADS))
    scripts = map_scripts(page)
    assert scripts
    for i, script in enumerate(scripts):
        path = tmp_path / f"s{i}.js"
        path.write_text(script, encoding="utf-8")
        done = subprocess.run(["node", "--check", str(path)], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr[-2000:]


FRAGMENTS = ["{{", "}}", "{%", "%}", "{#", "#}", "raw", "endraw", "7*7", "</script>", "<!--", "-->", "<", ">",
             "&", "'", '"', "\\", "`", "${", "\u2028", "\u2029", "]]>", "&amp;", "&#x27;", "\n", "\r"]


_BASELINE_SCRIPTS = render_html(decision_map(
    gpd.GeoDataFrame([{"id": "S1", "name": "x", "decision": "review", "reasons": "x", "geometry": Point(106.5, 29.5)}],
                     geometry="geometry", crs=4490),
    {"district": gpd.GeoDataFrame({"id": ["D1"], "name": ["x"]}, geometry=[box(106.3, 29.3, 106.7, 29.7)], crs=4490)},
)).count("</script")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.lists(st.one_of(st.text(max_size=20), st.sampled_from(FRAGMENTS)), max_size=12).map("".join))
def test_any_name_renders_literally(name):
    """Arbitrary text as a project name and a district name: the render never raises, never evaluates."""
    results = gpd.GeoDataFrame([{"id": "S1", "name": name, "decision": "review", "reasons": name,
                                 "geometry": Point(106.5, 29.5)}], geometry="geometry", crs=4490)
    layers = {"district": gpd.GeoDataFrame({"id": ["D1"], "name": [name]}, geometry=[box(106.3, 29.3, 106.7, 29.7)],
                                           crs=4490)}
    page = render_html(decision_map(results, layers))
    popups, tips = popups_and_tips(page)
    shown = [htmllib.unescape(t) for t in tips]
    assert f"{name} — 需人工复核" in shown  # the site, as typed
    assert name in shown  # the district's tooltip is its name
    assert "<script" not in "".join(popups + tips)
    assert page.count("</script") == _BASELINE_SCRIPTS


def test_screen_cli_map_shows_hostile_project_names(tmp_path, world_catalog):
    """`zoning screen` end to end: names in the project list reach map.html as text only."""
    from click.testing import CliRunner

    import zoning_world as w
    from screening.cli import main

    lon, lat = w.lonlat(2500, 2500)
    rows = [{"项目编号": f"P{i}", "项目名称": name, "行业代码": "3911", "建设性质": "新建",
             "经度": f"{lon + i * 1e-4:.8f}", "纬度": f"{lat:.8f}"} for i, name in enumerate(PAYLOADS)]
    src = tmp_path / "projects.csv"
    pd.DataFrame(rows).to_csv(src, index=False, encoding="utf-8-sig")
    result = CliRunner().invoke(main, ["screen", str(src), "-o", str(tmp_path / "out"), "--catalog",
                                       str(world_catalog), "-q"], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output + repr(result.exception)
    page = (tmp_path / "out" / "map.html").read_text(encoding="utf-8")
    shown = {htmllib.unescape(t).rsplit(" — ", 1)[0] for t in popups_and_tips(page)[1]}
    for name in PAYLOADS:
        assert name in shown, name[:40]
    assert "<script>alert(1)" not in page and "<img" not in page and "uid=" not in page
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(TEMP_PREFIX)]


# ---------------------------------------------------------------- atomic map.html


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(TEMP_PREFIX))


def test_failed_render_leaves_no_map_and_keeps_the_old_one(tmp_path):
    bad = zoning_map(hostile_layers(safe_names()))
    folium.Marker([29.5, 106.5], popup="x").add_to(bad)  # cannot be made offline: the render raises
    path = tmp_path / "map.html"
    with pytest.raises(ValueError):
        save_map(bad, path)
    assert not path.exists() and _leftovers(tmp_path) == []
    size = save_map(zoning_map(hostile_layers(safe_names())), path)
    before = path.read_bytes()
    assert size == len(before)
    with pytest.raises(ValueError):
        save_map(bad, path)
    assert path.read_bytes() == before and _leftovers(tmp_path) == []


def test_interrupted_write_keeps_the_old_map(tmp_path, monkeypatch):
    path = tmp_path / "map.html"
    save_map(zoning_map(hostile_layers(safe_names())), path)
    before = path.read_bytes()
    real = Path.write_bytes

    def half_then_fail(self, data):
        real(self, data[: len(data) // 2])
        raise OSError("disk full")

    monkeypatch.setattr(Path, "write_bytes", half_then_fail)
    with pytest.raises(OSError, match="disk full"):
        save_map(zoning_map(hostile_layers(PAYLOADS)), path)
    monkeypatch.undo()
    assert path.read_bytes() == before and _leftovers(tmp_path) == []


# ---------------------------------------------------------------- in a real browser

_ALERT_TRAP = ("<script>window.__alerts = []; window.alert = window.confirm = window.prompt = "
               "function (m) { window.__alerts.push(String(m)); };</script>")
_PROBE = """<pre id="probe"></pre><script>
setTimeout(function () {
  var map = window[document.querySelector('.folium-map').id];
  var out = {popups: [], tips: [], labels: [], markup: 0, title: '', alerts: null};
  var count = function (el) { return el.querySelectorAll('img,script,iframe,svg,object').length; };
  map.eachLayer(function (l) {
    if (l.getPopup && l.getPopup()) {
      l.openPopup();
      var c = l.getPopup().getElement().querySelector('.leaflet-popup-content');
      if (c) { out.popups.push(c.textContent); out.markup += count(c); }
      l.closePopup();
    }
    if (l.getTooltip && l.getTooltip()) {
      l.openTooltip();
      var t = l.getTooltip().getElement();
      if (t) { out.tips.push(t.textContent); out.markup += count(t); }
      l.closeTooltip();
    }
  });
  document.querySelectorAll('.leaflet-control-layers-overlays label').forEach(function (el) {
    out.labels.push(el.textContent.trim()); out.markup += count(el);
  });
  var title = document.querySelector('.maps-title');
  out.title = title ? title.textContent : null;
  out.markup += count(document.querySelector('.maps-head'));
  setTimeout(function () {
    out.alerts = window.__alerts;
    document.getElementById('probe').textContent = JSON.stringify(out);
  }, 500);
}, 300);
</script></html>"""


def test_browser_shows_payloads_as_text_and_runs_none(tmp_path):
    """Headless Chromium opens every popup and tooltip: each shows the literal payload; nothing alerts."""
    from tests.test_maps_browser import CHROMIUM, run_chromium

    if CHROMIUM is None:
        pytest.skip("chromium is not installed (scripts/test.sh installs it: apt-get install chromium)")
    title = "</script><script>alert(1)</script>{{7*7}}"
    page = render_html(decision_map(hostile_results(), hostile_layers(), title=title))
    head = page.index("<head>") + len("<head>")
    page = page[:head] + _ALERT_TRAP + page[head:]
    end = page.rindex("</html>")
    path = tmp_path / "hostile.html"
    path.write_text(page[:end] + _PROBE + page[end + len("</html>"):], encoding="utf-8")
    dom, requested = run_chromium(path, tmp_path, "--dump-dom")
    assert requested == []
    probe = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert probe and probe.group(1), "the probe did not run (a script on the page broke?)"
    out = json.loads(htmllib.unescape(probe.group(1)))
    assert out["alerts"] == [] and out["markup"] == 0
    assert out["title"] == title
    tips = set(out["tips"])
    for i, name in enumerate(PAYLOADS):
        assert name in tips, name[:40]  # a district tooltip
        assert f"{name} — {DECISION_LABELS[DECISIONS[i % 4]][0]}" in tips, name[:40]  # a site tooltip
        assert any(text.startswith(f"{name} (") for text in out["popups"]), name[:40]  # a site popup
    assert "{{7*7}} — 禁止准入" in tips and "49 — 禁止准入" not in tips
    assert f"{PAYLOADS[0]} {PAYLOADS[0]} (1)" in out["labels"]


@pytest.mark.parametrize("online", [False, True])
def test_folium_text_elements_are_refused(online):
    """A folium Tooltip/Popup/GeoJson re-parses its text as Jinja: render_html refuses the page, online too."""
    for add in (lambda m: folium.Tooltip("{{7*7}}"),
                lambda m: folium.CircleMarker([29.5, 106.5], tooltip="{{7*7}}"),
                lambda m: folium.GeoJson({"type": "FeatureCollection", "features": []})):
        m = zoning_map(hostile_layers(safe_names()), online=online)
        m.add_child(add(m))
        with pytest.raises(ValueError, match="evaluates its text as a template"):
            render_html(m, online=online)


def test_tianditu_key_is_written_as_given():
    """The key goes into the tile URL as text (a `{{...}}` in it is not evaluated)."""
    page = render_html(zoning_map(hostile_layers(safe_names()), basemap="tianditu-vec", tianditu_key="k{{7*7}}",
                                  embed_key_consent=True, online=True), online=True)
    assert "tk=k{{7*7}}" in page and "tk=k49" not in page
