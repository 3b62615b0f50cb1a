"""A seeded corpus of bad project rows, written into a folder at test time (nothing big is committed).

`build(folder, seed)` writes every file below and returns a `Corpus` describing them: for each file, how
to run it (extra CLI options), the rows it holds and, per row, what any screening must respect:

* `rk` — our row key, a column of its own in every row (the `id` column is itself under test: duplicates,
  payloads, formulas), so rows can be matched in and out;
* `cls` — the class of bad input the row belongs to (the comments in `_rows()` describe each class);
* `must_invalid` — the location (or a cell the row cannot do without) is plainly unusable: `invalid`;
* `never_admissible` — a fact a rule needs is unknown (sector, construction, coverage, coordinate system):
  anything but `admissible` (the rulebook fails closed);
* `expect_decision` — the one decision the README promises (e.g. `review` outside the coverage);
* `expect_point` — where a readable location must land (CGCS2000 lon/lat, tolerance in degrees), so a
  "fixed" DMS/GK/swapped cell is either refused or right, never silently wrong;
* `dup` — the row shares its `id` with another row (a warning is due).

Files (all from one `random.Random(seed)`, so the same seed gives the same bytes):

* `main.csv` — ~650 rows mixing every row class, UTF-8 with BOM;
* `payloads.csv` — the HTML/JS/template payload and formula rows alone (small: screened WITH the map);
* `gk.csv` — Gauss-Krüger X/Y with and without zone prefix, surveyors' order, run with `--crs EPSG:4545`;
* `ragged.csv` — malformed CSV lines (too many/few fields, stray and unclosed quotes);
* `main.xlsx` — a slice of the main rows as typed cells (numbers, dates for Excel serials, real formulas);
* `hidden_first.xlsx`, `hidden_last.xlsx` — a hidden (and a very hidden) sheet of decoy rows beside the projects;
* `enc_<name>.csv` — the same 50 Chinese rows in UTF-8 BOM, GBK, GB18030 and UTF-16;
* `slip.zip` — a GeoJSON of projects under the member name `../../slip_evil.geojson` (zip-slip);
* `bomb.zip` — a GeoJSON of projects padded with 50 MB of blanks (compresses to ~50 kB: a zip bomb);
  `bomb_forged.zip` — the same member with headers that declare 1,000 bytes (forged sizes);
* catalogs under `catalogs/`: a missing file, a layer file that is missing, a layer without CRS, an empty
  layer, bad TOML.
"""

from __future__ import annotations

import csv
import io
import json
import random
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEMO_CATALOG = REPO / "layers" / "demo" / "catalog.toml"
DEMO_GPKG = REPO / "layers" / "demo" / "chongqing_demo.gpkg"
SEED = 20261202

#: Header of the table files; `所在园区` (not `park`) so the claim does not clash with the `park` fact column.
COLUMNS = ("rk", "id", "name", "sector", "construction", "lon", "lat", "坐标系", "wkt", "process", "所在园区")
DECISIONS = {"prohibited", "review", "conditional", "admissible", "invalid"}

#: Sites inside the demo coverage (central Chongqing) where an electronics plant (3911, 新建) is screened.
BASES = [(106.5516, 29.5630), (106.4700, 29.6200), (106.6200, 29.7100), (106.5000, 29.5000)]
GOOD_SECTORS = ("3911", "C3911", "1391", "3670")
GOOD_CONSTRUCTION = ("新建", "扩建", "new", "relocation", "技术改造")

PAYLOADS = ("{{7*7}}", "{% raw %}", "{% endraw %}", "${alert(1)}", "`alert(1)`",
            "</script><script>alert(1)</script>", "<img src=x onerror=alert(1)>", "{{ config }}{#", "\\u003c/script>")
FORMULAS = ("=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(1)", "\t=1+1", "\r=1+1", "=HYPERLINK(\"http://x\",\"y\")")
#: Marker put before every payload so a rendered template ({{7*7}} -> 49) can be found in the page.
MARK = "ZQX"

#: (lon, lat) in China but outside the Chongqing demo coverage.
OTHER_PROVINCES = {"beijing": (116.3975, 39.9087), "lhasa": (91.1172, 29.6469), "chengdu": (104.0665, 30.5723),
                   "shanghai": (121.4737, 31.2304)}
#: Outside China altogether.
OTHER_COUNTRIES = {"paris": (2.3522, 48.8566), "null_island": (0.0, 0.0), "new_york": (-74.006, 40.7128),
                   "sydney": (151.2093, -33.8688)}


@dataclass
class Row:
    cells: dict
    cls: str
    must_invalid: bool = False
    never_admissible: bool = False
    expect_decision: str | None = None
    expect_point: tuple | None = None  # (lon, lat, tolerance in degrees)
    dup: bool = False

    @property
    def rk(self) -> str:
        return self.cells["rk"]


@dataclass
class CorpusFile:
    path: Path
    rows: list[Row]
    options: list[str] = field(default_factory=list)
    #: When the reader may refuse the file as a whole (exit 2) instead of reading it right.
    may_refuse: bool = False


@dataclass
class Corpus:
    folder: Path
    files: dict[str, CorpusFile]
    catalogs: dict[str, Path]
    slip_names: tuple[str, ...] = ("slip_evil.geojson", "slip_evil.txt")

    @property
    def bad_rows(self) -> int:
        return sum(len(f.rows) for f in self.files.values())

    def by_class(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for f in self.files.values():
            for r in f.rows:
                counts[r.cls] = counts.get(r.cls, 0) + 1
        return dict(sorted(counts.items()))


# ---------------------------------------------------------------- rows


class _Maker:
    def __init__(self, rng: random.Random, prefix: str):
        self.rng, self.prefix, self.n = rng, prefix, 0
        self.rows: list[Row] = []

    def base(self) -> dict:
        """A row that on its own is admissible-looking: a site in coverage, a real sector, a known word."""
        lon, lat = self.rng.choice(BASES)
        lon, lat = lon + self.rng.uniform(-0.004, 0.004), lat + self.rng.uniform(-0.004, 0.004)
        self.n += 1
        rk = f"{self.prefix}{self.n:04d}"
        return {"rk": rk, "id": rk, "name": f"项目{self.n}", "sector": self.rng.choice(GOOD_SECTORS),
                "construction": self.rng.choice(GOOD_CONSTRUCTION), "lon": f"{lon:.6f}", "lat": f"{lat:.6f}",
                "坐标系": "", "wkt": "", "process": "", "所在园区": ""}

    def add(self, cls: str, **over) -> Row:
        flags = {k: over.pop(k) for k in ("must_invalid", "never_admissible", "expect_decision", "expect_point", "dup")
                 if k in over}
        cells = self.base()
        cells.update(over)
        row = Row(cells=cells, cls=cls, **flags)
        self.rows.append(row)
        return row


def _dms(value: float) -> tuple[int, int, float]:
    d = int(value)
    m = int((value - d) * 60)
    s = (value - d - m / 60) * 3600
    return d, m, s


def _square(lon: float, lat: float, half: float) -> str:
    return (f"({lon - half} {lat - half}, {lon + half} {lat - half}, {lon + half} {lat + half}, "
            f"{lon - half} {lat + half}, {lon - half} {lat - half})")


def _rows(rng: random.Random, prefix: str = "R", repeat: int = 1) -> list[Row]:
    """Every row class, `repeat` times over with fresh random sites."""
    mk = _Maker(rng, prefix)
    for _ in range(repeat):
        # -- empty / NaN / text / Excel-serial coordinates: nothing to locate -> invalid with an error
        for lon, lat in (("", ""), (" ", " "), ("", "29.56"), ("106.55", ""), ("NaN", "NaN"), ("nan", "29.5"),
                         ("NA", "N/A"), ("None", "null"), ("-", "-"), ("inf", "29.5"), ("106.55", "-inf"),
                         ("abc", "def"), ("东经一百零六度", "北纬二十九度"), ("106x33", "29.56"), ("106.55.12", "29.56"),
                         ("45123", "29.56"), ("45123.5", "45124"), ("106.55", "45123"), ("1e308", "1e308")):
            mk.add("coord_empty_nan_text_serial", lon=lon, lat=lat, must_invalid=True)
        # -- swapped lon/lat (fixed with a warning, must land on the real site) and out-of-range values (invalid)
        for _ in range(4):
            cells = mk.base()
            lon, lat = float(cells["lon"]), float(cells["lat"])
            mk.add("swapped_lonlat", lon=cells["lat"], lat=cells["lon"], expect_point=(lon, lat, 1e-6))
        for lon, lat in (("206.55", "29.56"), ("106.55", "129.56"), ("-106.55", "-29.56"), ("106.55", "-29.56"),
                         ("-106.55", "29.56"), ("360", "90"), ("181", "91"), ("1065516", "295630")):
            mk.add("out_of_range", lon=lon, lat=lat, must_invalid=True)
        # -- other provinces (in China, outside the coverage: review) and other countries (invalid)
        for lon, lat in OTHER_PROVINCES.values():
            mk.add("other_province", lon=f"{lon}", lat=f"{lat}", never_admissible=True, expect_decision="review")
        for lon, lat in OTHER_COUNTRIES.values():
            mk.add("other_country", lon=f"{lon}", lat=f"{lat}", must_invalid=True)
        # -- DMS typos: impossible minutes/seconds are refused; missing symbols and full-width digits are read
        #    right or refused, never misread
        cells = mk.base()
        lon, lat = float(cells["lon"]), float(cells["lat"])
        (d, m, s), (ld, lm, ls) = _dms(lon), _dms(lat)
        for bad in (f"{d}°{m}′61″", f"{d}°61′{s:.2f}″", f"{d}°{m}′-5″", f"{d}°{m}′{s:.1f}″{s:.1f}″", f"{d}°°{m}′",
                    f"{d}°{m}′{s:.2f}″E W", "106°33′61″"):
            mk.add("dms_typo_impossible", lon=bad, lat=f"{lat:.6f}", must_invalid=True)
        exact = (lon, lat, 2e-5)
        for spelled in (f"{d} {m} {s:.3f}", f"{d}°{m}'{s:.3f}\"", f"{d}°{m}′{s:.3f}", f"{d}度{m}分{s:.3f}秒",
                        f"E{d}°{m}′{s:.3f}″", f"{d}:{m}:{s:.3f}", f"{d}° {m}′ {s:.3f}″"):
            mk.add("dms_missing_symbols", lon=spelled, lat=f"{ld} {lm} {ls:.3f}", expect_point=exact)
        # Chinese words around degrees ("东经106度" is E 106°, inside Chongqing at 29°N): read right or refused
        mk.add("dms_missing_symbols", lon="东经106度", lat="北纬29度", expect_point=(106.0, 29.0, 1e-6))
        mk.add("dms_missing_symbols", lon=f"东经{d}度{m}分{s:.3f}秒", lat=f"北纬{ld}度{lm}分{ls:.3f}秒", expect_point=exact)
        full = str.maketrans("0123456789.", "０１２３４５６７８９．")
        mk.add("fullwidth_digits", lon=f"{lon:.6f}".translate(full), lat=f"{lat:.6f}".translate(full),
               expect_point=(lon, lat, 1e-6))
        mk.add("fullwidth_digits", lon=f"{lon:.6f}".replace(".", "，"), lat=f"{lat:.6f}".replace(".", "，"),
               expect_point=(lon, lat, 1e-6))
        mk.add("fullwidth_digits", lon=f"{d}°{m}′{s:.3f}″".translate(full), lat=f"{lat:.6f}",
               expect_point=exact)
        # -- mixed CRS hints in a 坐标系 column, in mixed case: known systems shift (or not), garbage is invalid
        for word in ("WGS84", "wgs84", "Wgs-84", "CGCS2000", "cgcs2000", "GCJ02", "gcj-02", "Gcj02", "BD09",
                     "bd-09", "bD09"):
            cells = mk.base()
            lon, lat = float(cells["lon"]), float(cells["lat"])
            shifted = word.lower().replace("-", "") in ("gcj02", "bd09")
            mk.add("crs_hint_shifted" if shifted else "crs_hint_same", 坐标系=word, lon=cells["lon"], lat=cells["lat"],
                   expect_point=(lon, lat, 0.02 if shifted else 1e-5))
        for word in ("WGS48", "本地坐标", "EPSG:9999", "garbage", "BD-9O", "北京54?"):
            mk.add("crs_hint_garbage", 坐标系=word, must_invalid=True)
        # -- invalid / odd WKT (lon/lat left blank so the outline is the location)
        lon, lat = rng.choice(BASES)
        polys = {
            "wkt_bowtie": (f"POLYGON(({lon} {lat}, {lon + .01} {lat + .01}, {lon + .01} {lat}, {lon} {lat + .01}, "
                           f"{lon} {lat}))", {}),
            "wkt_unclosed": (f"POLYGON(({lon} {lat}, {lon + .01} {lat}, {lon + .01} {lat + .01}))", {}),
            "wkt_truncated": ("POLYGON((106.5 29.5, 106.6", {"must_invalid": True}),
            "wkt_garbage": ("POLYGON((a b, c d))", {"must_invalid": True}),
            "wkt_empty": ("POLYGON EMPTY", {"must_invalid": True}),
            "wkt_empty_collection": ("GEOMETRYCOLLECTION EMPTY", {"must_invalid": True}),
            "wkt_zero_area": (f"POLYGON(({lon} {lat}, {lon + .01} {lat}, {lon} {lat}, {lon} {lat}))", {}),
            "wkt_zero_area_point": (f"POLYGON(({lon} {lat}, {lon} {lat}, {lon} {lat}, {lon} {lat}))", {}),
            "wkt_100km": (f"POLYGON({_square(106.9, 29.9, 0.5)})", {}),
            "wkt_collection": (f"GEOMETRYCOLLECTION(POINT({lon} {lat}), POLYGON({_square(lon, lat, 0.002)}))", {}),
            "wkt_projected_no_crs": ("POLYGON((359600 3272500, 359700 3272500, 359700 3272600, 359600 3272500))",
                                     {"must_invalid": True}),
            # multi-part sites with one part inside Chongqing and one in Sichuan: the coverage is not whole
            "wkt_straddle_multipart": (f"MULTIPOLYGON(({_square(lon, lat, 0.002)}), ({_square(105.0, 29.6, 0.002)}))",
                                       {"never_admissible": True}),
            "wkt_straddle_multipoint": (f"MULTIPOINT(({lon} {lat}), (105.0 29.6))", {"never_admissible": True}),
            "wkt_straddle_polygon": ("POLYGON((105.25 29.58, 105.40 29.58, 105.40 29.62, 105.25 29.62, 105.25 29.58))",
                                     {"never_admissible": True}),
            "wkt_straddle_collection": (f"GEOMETRYCOLLECTION(POINT({lon} {lat}), POINT(105.0 29.6))",
                                        {"never_admissible": True}),
        }
        for cls, (wkt, flags) in polys.items():
            mk.add(cls, lon="", lat="", wkt=wkt, **flags)
        # -- duplicate ids: two or three rows share a project id (each comes out, with a warning)
        for k in range(3):
            shared = f"DUP-{prefix}{mk.n}"
            for _ in range(2 + k % 2):
                mk.add("duplicate_id", id=shared, dup=True)
        # -- malformed and full-width sector codes; a code that names no GB/T 4754 class is never admissible
        for code in ("Ｃ３０１１", "30 11", "C-3011", "3011.0", "c3911", " 3911 ", "Ｃ３９１１", "C 3911", "3911.00"):
            mk.add("sector_malformed", sector=code)
        for code in ("810", "3098", "abc", "", "9999", "0000", "39111", "391", "C", "3O11", "Z3911", "-3911", "3911.5",
                     "39", "nan", "None"):
            mk.add("sector_unknown", sector=code, never_admissible=True)
        # -- construction words nobody defined: the rule needing construction cannot decide -> never admissible
        for word in ("新造", "build", "???", "", "拆除", "新建,扩建", "maybe", "0", "N/A", "建设"):
            mk.add("construction_unknown", construction=word, never_admissible=True)
        # -- 10,000-character names (and ids, park claims); control characters in text
        mk.add("long_text", name="长" * 10_000)
        mk.add("long_text", name=("x" * 9_999) + "末")
        mk.add("long_text", 所在园区="园" * 10_000)
        mk.add("long_text", id="I" * 10_000)
        mk.add("long_text", name="a\x01b\x07c\x1bd\x0be\x0cf\x7f")
        mk.add("long_text", name="line1\nline2\r\nline3")
        # -- HTML/JS/template payloads in every text field
        for payload in PAYLOADS:
            p = MARK + payload
            for col in ("id", "name", "process", "所在园区"):
                mk.add("payload_text", **{col: p})
            mk.add("payload_sector", sector=p, never_admissible=True)
            mk.add("payload_construction", construction=p, never_admissible=True)
            mk.add("payload_coords", 坐标系=p, must_invalid=True)
            mk.add("payload_lonlat", lon=p, must_invalid=True)
            mk.add("payload_lonlat", lat=p, must_invalid=True)
            mk.add("payload_wkt", lon="", lat="", wkt=p, must_invalid=True)
        # -- formula cells (CSV injection) in every text field
        for formula in FORMULAS:
            for col in ("id", "name", "process", "所在园区"):
                mk.add("formula_text", **{col: formula})
            mk.add("formula_sector", sector=formula, never_admissible=True)
            mk.add("formula_construction", construction=formula, never_admissible=True)
            mk.add("formula_lonlat", lon=formula, must_invalid=True)
            mk.add("formula_wkt", lon="", lat="", wkt=formula, must_invalid=True)
    return mk.rows


# ---------------------------------------------------------------- files


def _csv_text(rows: list[Row], columns=COLUMNS) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(columns)
    for r in rows:
        writer.writerow([r.cells.get(c, "") for c in columns])
    return buf.getvalue()


def _gk_rows(rng: random.Random) -> list[Row]:
    """Gauss-Krüger X/Y in CGCS2000 3° zone 36 (CM 108E), screened with --crs EPSG:4545:
    eastings without and with the zone prefix (36xxxxxx), surveyors' X=northing order, the zone-35 spelling
    (35xxxxxx, EPSG:4523) of the same site, and broken cells. A read point must land within ~2 m."""
    import pyproj

    to36 = pyproj.Transformer.from_crs(4490, 4545, always_xy=True)
    to35 = pyproj.Transformer.from_crs(4490, 4523, always_xy=True)
    rows, n = [], 0

    def add(cls, x, y, lon=None, lat=None, **flags):
        nonlocal n
        n += 1
        rk = f"G{n:04d}"
        cells = {"rk": rk, "id": rk, "name": f"GK{n}", "sector": rng.choice(GOOD_SECTORS), "construction": "新建",
                 "x": x, "y": y}
        point = None if lon is None else (lon, lat, 2e-5)
        rows.append(Row(cells=cells, cls=cls, expect_point=point, **flags))

    for _ in range(16):
        blon, blat = rng.choice(BASES)
        lon, lat = blon + rng.uniform(-0.05, 0.05), blat + rng.uniform(-0.05, 0.05)
        e, nn = to36.transform(lon, lat)
        e35, n35 = to35.transform(lon, lat)  # EPSG:4523 eastings carry the 35 prefix
        add("gk_plain", f"{e:.2f}", f"{nn:.2f}", lon, lat)
        add("gk_zone_prefix", f"{36_000_000 + e:.2f}", f"{nn:.2f}", lon, lat)
        add("gk_surveyor_order", f"{nn:.2f}", f"{e:.2f}", lon, lat)
        add("gk_surveyor_order_prefix", f"{nn:.3f}", f"{36_000_000 + e:.3f}", lon, lat)
        add("gk_other_zone_prefix", f"{e35:.2f}", f"{n35:.2f}", lon, lat)
    for x, y in (("", ""), ("359633", ""), ("abc", "3272547"), ("NaN", "NaN"), ("0", "0"), ("-359633", "-3272547"),
                 ("99359633", "3272547"), ("1e12", "1e12"), ("=1+1", "3272547"), (MARK + "{{7*7}}", "3272547")):
        add("gk_broken", x, y, must_invalid=True)
    return rows


def _ragged(rng: random.Random) -> tuple[str, list[Row]]:
    """Malformed CSV lines between good ones; every physical record must come out (bad ones as invalid)."""
    header = "rk,id,name,sector,construction,lon,lat"
    lines, rows = [header], []
    for i in range(1, 41):
        lon, lat = rng.choice(BASES)
        rk = f"Q{i:03d}"
        good = f"{rk},{rk},名称{i},3911,新建,{lon},{lat}"
        kind = i % 8
        if kind == 1:
            line, cls = good + ",extra,fields", "csv_too_many_fields"
        elif kind == 2:
            line, cls = f"{rk},{rk},名称{i},3911", "csv_too_few_fields"
        elif kind == 3:
            line, cls = f'{rk},{rk},名"称{i},3911,新建,{lon},{lat}', "csv_stray_quote"
        elif kind == 4:
            line, cls = f'{rk},{rk},"名称{i}"x,3911,新建,{lon},{lat}', "csv_text_after_quote"
        elif kind == 5:
            line, cls = f'{rk},{rk},"多行\n名称{i}",3911,新建,{lon},{lat}', "csv_quoted_newline"
        else:
            line, cls = good, "csv_good_between_bad"
        lines.append(line)
        rows.append(Row(cells={"rk": rk}, cls=cls, must_invalid=cls in ("csv_too_many_fields", "csv_too_few_fields")))
    rk = "Q999"
    lines.append(f'{rk},{rk},"unclosed quote,3911,新建,106.55,29.56')
    rows.append(Row(cells={"rk": rk}, cls="csv_unclosed_quote_at_end", must_invalid=True))
    return "\r\n".join(lines) + "\r\n", rows


def _xlsx(path: Path, rows: list[Row]) -> None:
    """Typed cells, as an office's workbook has them: numbers, dates (Excel serials), real formulas."""
    import datetime as dt

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "项目"
    ws.append(list(COLUMNS))
    for r in rows:
        values = []
        for c in COLUMNS:
            v = r.cells.get(c, "")
            if c in ("lon", "lat") or (c == "sector" and len(str(v)) >= 4):
                try:
                    f = float(v)
                    v = int(f) if f.is_integer() and abs(f) < 1e15 and "." not in v else f
                except (TypeError, ValueError):
                    pass
            if c == "lon" and r.cls == "coord_empty_nan_text_serial" and v == 45123:
                v = dt.datetime(2023, 7, 18)  # a date cell: serial 45125 shown as a date
            values.append(v)
        ws.append(values)
    wb.save(path)


def _hidden_xlsx(path: Path, rows: list[Row], hidden_first: bool) -> None:
    """The project sheet beside a hidden and a very hidden sheet of decoy rows that also have lon/lat."""
    from openpyxl import Workbook

    wb = Workbook()
    decoy = wb.active
    decoy.title = "旧版"
    decoy.append(list(COLUMNS))
    for i in range(5):
        decoy.append([f"HIDDEN{i}", f"HIDDEN{i}", "decoy", "2614", "新建", "106.55", "29.56", "", "", "", ""])
    decoy.sheet_state = "hidden"
    very = wb.create_sheet("宏")
    very.append(list(COLUMNS))
    very.append(["VHIDDEN", "VHIDDEN", "decoy", "2614", "新建", "106.55", "29.56", "", "", "", ""])
    very.sheet_state = "veryHidden"
    projects = wb.create_sheet("项目", 2 if hidden_first else 0)
    projects.append(list(COLUMNS))
    for r in rows:
        projects.append([r.cells.get(c, "") for c in COLUMNS])
    wb.active = wb.sheetnames.index("项目")
    wb.save(path)


def _geojson(rows: list[Row], padding: int = 0) -> bytes:
    features = []
    for r in rows:
        lon, lat = float(r.cells["lon"]), float(r.cells["lat"])
        props = {k: r.cells[k] for k in ("rk", "id", "name", "sector", "construction")}
        features.append({"type": "Feature", "properties": props,
                         "geometry": {"type": "Point", "coordinates": [lon, lat]}})
    head = b'{"type": "FeatureCollection", "features": '
    body = json.dumps(features, ensure_ascii=False).encode("utf-8")
    return head + body + b" " * padding + b"}"


def _forged_bomb(path: Path, payload: bytes) -> None:
    """A zip whose headers declare 1,000 bytes for a member that inflates to 50 MB (forged sizes)."""
    import struct

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(_member("projects.geojson"), payload)
    data = bytearray(path.read_bytes())
    local = data.find(b"PK\x03\x04")
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<L", data, local + 22, 1000)    # local header: uncompressed size
    struct.pack_into("<L", data, central + 24, 1000)  # central directory: uncompressed size
    path.write_bytes(bytes(data))


def _catalogs(folder: Path) -> dict[str, Path]:
    """Broken catalogs built from the demo catalog (layers read from the repo by absolute path)."""
    import geopandas as gpd
    import shapely

    folder.mkdir()
    text = DEMO_CATALOG.read_text(encoding="utf-8")
    for name in ("chongqing_demo.gpkg", "pm25_illustrative.tif", "no2_illustrative.tif", "admission_list.csv"):
        text = text.replace(f'path = "{name}"', f'path = "{(DEMO_CATALOG.parent / name).as_posix()}"')
    head, *blocks = text.split("[[layer]]")
    assert 'role = "redline"' in blocks[0]
    redline_fields = '[layer.fields]\nid = "红线编码"\nname = "红线名称"\n'

    def with_redline(block: str) -> str:
        return head + "[[layer]]" + block + "".join("[[layer]]" + b for b in blocks[1:])

    out = {"missing_catalog": folder / "does_not_exist.toml"}
    out["missing_layer_file"] = folder / "missing_layer.toml"
    out["missing_layer_file"].write_text(with_redline(
        f'\nrole = "redline"\npath = "{(folder / "nowhere.gpkg").as_posix()}"\nversion = "x"\n{redline_fields}\n'),
        encoding="utf-8")
    # a red-line layer whose file carries no CRS, and the catalog gives none
    nocrs = folder / "redline_nocrs.gpkg"
    with warnings.catch_warnings():  # "'crs' was not provided": that is the point
        warnings.simplefilter("ignore", UserWarning)
        gpd.GeoDataFrame({"红线编码": ["R1"], "红线名称": ["无坐标系"]},
                         geometry=[shapely.box(106.3, 29.3, 106.32, 29.32)], crs=None).to_file(nocrs, layer="redline")
    out["layer_without_crs"] = folder / "nocrs.toml"
    out["layer_without_crs"].write_text(with_redline(
        f'\nrole = "redline"\npath = "{nocrs.as_posix()}"\nlayer = "redline"\nversion = "x"\n{redline_fields}\n'),
        encoding="utf-8")
    empty = folder / "redline_empty.gpkg"
    gpd.GeoDataFrame({"红线编码": [], "红线名称": []}, geometry=[], crs="EPSG:4490").to_file(empty, layer="redline")
    out["empty_layer"] = folder / "empty.toml"
    out["empty_layer"].write_text(with_redline(
        f'\nrole = "redline"\npath = "{empty.as_posix()}"\nlayer = "redline"\nversion = "x"\n{redline_fields}\n'),
        encoding="utf-8")
    out["bad_toml"] = folder / "bad.toml"
    out["bad_toml"].write_text('[[layer]\nrole = "redline\npath = chongqing_demo.gpkg\n', encoding="utf-8")
    out["not_a_toml"] = folder / "binary.toml"
    out["not_a_toml"].write_bytes(b"\x00\xff\xfe" * 100)
    return out


def build(folder: Path, seed: int = SEED) -> Corpus:
    """Write the corpus into `folder` (created) and describe it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    files: dict[str, CorpusFile] = {}

    main = _rows(rng, "R", repeat=2)
    (folder / "main.csv").write_bytes(b"\xef\xbb\xbf" + _csv_text(main).encode("utf-8"))
    files["main.csv"] = CorpusFile(folder / "main.csv", main)

    payload = [r for r in _rows(rng, "P") if r.cls.startswith(("payload", "formula"))]
    columns = COLUMNS + ("note<img src=x onerror=alert(1)>",)
    for r in payload:
        r.cells[columns[-1]] = MARK + "</script><script>alert(1)</script>"
    (folder / "payloads.csv").write_text(_csv_text(payload, columns), encoding="utf-8-sig")
    files["payloads.csv"] = CorpusFile(folder / "payloads.csv", payload)

    gk = _gk_rows(rng)
    (folder / "gk.csv").write_text(_csv_text(gk, ("rk", "id", "name", "sector", "construction", "x", "y")),
                                   encoding="utf-8-sig")
    files["gk.csv"] = CorpusFile(folder / "gk.csv", gk, options=["--crs", "EPSG:4545"])

    text, ragged = _ragged(rng)
    (folder / "ragged.csv").write_bytes(text.encode("utf-8"))
    files["ragged.csv"] = CorpusFile(folder / "ragged.csv", ragged)

    typed = [r for r in _rows(rng, "X") if not r.cls.startswith("long_text")]
    _xlsx(folder / "main.xlsx", typed)
    files["main.xlsx"] = CorpusFile(folder / "main.xlsx", typed)

    for name, first in (("hidden_first.xlsx", True), ("hidden_last.xlsx", False)):
        visible = [r for r in _rows(rng, "H" if first else "J") if r.cls in ("coord_empty_nan_text_serial",
                                                                             "sector_unknown", "duplicate_id")]
        _hidden_xlsx(folder / name, visible, first)
        files[name] = CorpusFile(folder / name, visible)

    chinese = [r for r in _rows(rng, "E") if r.cls in ("sector_malformed", "sector_unknown", "construction_unknown",
                                                       "crs_hint_garbage", "duplicate_id")][:50]
    for r in chinese:
        r.cells["name"] = f"重庆市某{r.rk}项目（一期）"
    for enc in ("utf-8-sig", "gbk", "gb18030", "utf-16"):
        path = folder / f"enc_{enc}.csv"
        path.write_bytes(_csv_text(chinese).encode(enc))
        # UTF-16 may be refused as a whole (exit 2, saying so) but never read as mojibake
        files[path.name] = CorpusFile(path, chinese, may_refuse=enc == "utf-16")

    located = [r for r in _rows(rng, "Z") if r.cls in ("sector_unknown", "construction_unknown", "duplicate_id",
                                                       "payload_text", "formula_text", "sector_malformed")]
    with zipfile.ZipFile(folder / "slip.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(_member("../../slip_evil.geojson"), _geojson(located))
        zf.writestr(_member("../slip_evil.txt"), b"zip-slip")
    files["slip.zip"] = CorpusFile(folder / "slip.zip", located, may_refuse=True)
    bomb_rows = located[:20]
    with zipfile.ZipFile(folder / "bomb.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(_member("projects.geojson"), _geojson(bomb_rows, padding=50 * 1024 * 1024))
    files["bomb.zip"] = CorpusFile(folder / "bomb.zip", bomb_rows)
    _forged_bomb(folder / "bomb_forged.zip", _geojson(bomb_rows, padding=50 * 1024 * 1024))

    return Corpus(folder=folder, files=files, catalogs=_catalogs(folder / "catalogs"))


def _member(name: str) -> zipfile.ZipInfo:
    """A zip entry with a fixed timestamp, so the same corpus gives the same archive bytes at any second
    (zipfile.writestr stamps a bare name with the current time)."""
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info
