"""Maps rendered by real headless Chromium from file:// with the network cut off.

Asserts from the rendered DOM and a screenshot that layers, sites and the legend are drawn, and from
Chromium's net log that the page requested nothing over the network. Skipped (with the reason) when
Chromium is not installed; scripts/test.sh installs it.
"""

import json
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from maps import decision_map, save_map, zoning_map
from tests.test_maps import make_layers, make_results

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or \
    ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (scripts/test.sh installs it: apt-get install chromium)")

OFFLINE_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
                 '--host-resolver-rules=MAP * ~NOTFOUND', "--proxy-server=127.0.0.1:9",
                 "--window-size=1200,800", "--virtual-time-budget=5000"]


def run_chromium(html_path: Path, tmp: Path, *extra: str) -> tuple[str, list[str]]:
    """Load the page; return (serialised DOM, http/https/ws URLs the page itself asked for)."""
    profile, netlog = tmp / f"profile-{html_path.stem}", tmp / f"{html_path.stem}-netlog.json"
    cmd = [CHROMIUM, *OFFLINE_FLAGS, f"--user-data-dir={profile}", f"--log-net-log={netlog}",
           *extra, html_path.resolve().as_uri()]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, page_requests(netlog)


def page_requests(netlog: Path) -> list[str]:
    """Network URLs requested on behalf of the file:// page, from Chromium's net log.

    Browser-internal background requests (update checks etc., initiator 'not an origin') are excluded:
    they are not the page's, and the resolver/proxy flags keep them from leaving the machine anyway.
    """
    text = netlog.read_text(encoding="utf-8", errors="replace")
    try:
        events = json.loads(text)["events"]
    except json.JSONDecodeError:  # a log cut short when the browser exited: one event per line
        events = [json.loads(line.rstrip().rstrip(",")) for line in text.splitlines()
                  if line.startswith('{"') and '"type"' in line and not line.startswith('{"constants"')]
    assert events, "Chromium wrote no net log events"
    urls = []
    for event in events:
        params = event.get("params") or {}
        url = params.get("url", "")
        page = "file://" in str(params.get("network_isolation_key", "")) or params.get("initiator") == "null"
        if page and re.match(r"(https?|wss?|ftp)://", url):
            urls.append(url)
    return urls


def png_pixels(path: Path) -> tuple[int, int, list[bytes]]:
    """Decode an 8-bit RGB/RGBA non-interlaced PNG (what Chromium writes) with the standard library."""
    data = path.read_bytes()
    pos, chunks = 8, {}
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunks.setdefault(kind, []).append(data[pos + 8:pos + 8 + length])
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"][0])
    assert depth == 8 and colour in (2, 6) and interlace == 0
    bpp = 4 if colour == 6 else 3
    raw = zlib.decompress(b"".join(chunks[b"IDAT"]))
    stride, rows, prev = width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        ftype, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 255
            elif ftype == 2:
                line[i] = (line[i] + b) & 255
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line[j] for j in range(stride) if j % bpp < 3))
        prev = line
    return width, height, rows


def count_pixels(rows: list[bytes], test) -> int:
    """Number of RGB pixels for which `test(r, g, b)` holds."""
    return sum(1 for row in rows for i in range(0, len(row), 3) if test(row[i], row[i + 1], row[i + 2]))


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """Offline zoning, decision and clustered maps, and an online one, written to a temp folder."""
    tmp = tmp_path_factory.mktemp("maps-browser")
    layers = make_layers()
    paths = {"zoning": tmp / "zoning.html", "decision": tmp / "decision.html", "clustered": tmp / "clustered.html",
             "online": tmp / "online.html"}
    save_map(zoning_map(layers, title="测试 zoning"), paths["zoning"])
    save_map(decision_map(make_results(), {"district": layers["district"]}), paths["decision"])
    save_map(decision_map(make_results(60), layers, cluster_threshold=20), paths["clustered"])
    save_map(zoning_map(layers, online=True), paths["online"], online=True)
    return tmp, paths


def test_zoning_map_renders_offline(pages):
    tmp, paths = pages
    dom, requested = run_chromium(paths["zoning"], tmp, "--dump-dom")
    assert requested == []
    assert 'class="folium-map leaflet-container' in dom  # Leaflet initialised the map
    # 1 red line + 2 parks + 3 units + 2 rivers + 1 urban area + 2 districts
    assert len(re.findall(r'<path class="leaflet-interactive"', dom)) == 11
    for text in ("图例 Legend", "Ecological red line", "示例数据，非官方 / illustrative data, not official",
                 "leaflet-control-scale", "leaflet-control-layers"):
        assert text in dom
    assert "<script>alert(1)</script>" not in dom


def test_decision_map_draws_sites_by_decision(pages):
    tmp, paths = pages
    dom, requested = run_chromium(paths["decision"], tmp, "--dump-dom")
    assert requested == []
    paths_drawn = re.findall(r'<path class="leaflet-interactive"[^>]*>', dom)
    assert len(paths_drawn) == 2 + 4  # two districts, four drawable sites (the invalid row is not drawn)
    for colour in ("#d7191c", "#fdae61", "#ffd92f", "#1a9641"):
        assert f'fill="{colour}"' in dom
    assert "输入无效" in dom and "not drawn" in dom


def test_decision_map_screenshot_shows_red_and_green_sites(pages):
    tmp, paths = pages
    shot = tmp / "decision.png"
    run_chromium(paths["decision"], tmp, f"--screenshot={shot}")
    width, height, rows = png_pixels(shot)
    assert (width, height) == (1200, 800)
    red = count_pixels(rows, lambda r, g, b: r > 190 and g < 120 and b < 120)
    green = count_pixels(rows, lambda r, g, b: g - r > 60 and g - b > 40)
    assert red > 30 and green > 30


def test_clustered_points_render_offline(pages):
    tmp, paths = pages
    dom, requested = run_chromium(paths["clustered"], tmp, "--dump-dom")
    assert requested == []
    assert "maps-cluster" in dom  # cluster icons drawn by the inlined markercluster plugin


def test_net_log_check_detects_requests(pages):
    """Control: the same check does see the CDN requests of an online page (blocked here, but attempted)."""
    tmp, paths = pages
    _, requested = run_chromium(paths["online"], tmp, "--dump-dom")
    assert any("leaflet" in url for url in requested)


def test_popup_shows_a_script_name_as_text(pages):
    """Clicking the prohibited site opens its popup; the `<script>` project name is text, not markup."""
    tmp, paths = pages
    click = ("<script>setTimeout(function () { var p = document.querySelector("
             "'path.leaflet-interactive[fill=\"#d7191c\"]'); var r = p.getBoundingClientRect();"
             "p.dispatchEvent(new MouseEvent('click', {bubbles: true, clientX: r.x + r.width / 2,"
             "clientY: r.y + r.height / 2})); }, 300);</script></html>")
    page = tmp / "popup.html"
    page.write_text(paths["decision"].read_text(encoding="utf-8").replace("</html>", click), encoding="utf-8")
    dom, requested = run_chromium(page, tmp, "--dump-dom")
    assert requested == []
    popup = re.search(r'<div class="leaflet-popup-content"[^>]*>(.*?)</div></div>', dom, re.S)
    assert popup, "the popup did not open"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in popup.group(1)
    assert "<script" not in popup.group(1)
