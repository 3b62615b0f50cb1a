"""PostGIS as a layer source and a results sink, against a real private PostgreSQL + PostGIS cluster.

The session fixture runs initdb in a temporary folder, starts the server on a free port on 127.0.0.1
(password auth over TCP, unix socket in the folder), creates the postgis extension, loads the synthetic
world's layers into tables and stops the server at the end. Without PostgreSQL/PostGIS or the `postgis`
extra the PostGIS tests are skipped with the reason; the catalog checks run everywhere.
"""

from __future__ import annotations

import csv
import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner
from geopandas.testing import assert_geodataframe_equal

import zoning_world as w
from screening.cli import main
from screening.projects import read_projects
from screening.rules import load_rules
from screening.screen import screen
from zoning.catalog import read_catalog
from zoning.errors import CatalogError, LayerError
from zoning.layers import load_layers
from zoning.vector import read_vector

PASSWORD = "s3cret-test-pw"
PW_VAR = "ZONING_TEST_PGPASSWORD"
#: world shapefile -> table in schema "world"
TABLES = {"红线.shp": "redline", "园区.shp": "park", "管控单元.shp": "control_unit", "河流.shp": "river",
          "城区.shp": "urban_area", "区县.shp": "district"}


def _pg_bin() -> Path | None:
    """The newest /usr/lib/postgresql/<ver>/bin with initdb and pg_ctl (Debian), else those on PATH."""
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: [int(x) for x in re.findall(r"\d+", d)])
    for d in reversed(dirs):
        if (Path(d) / "initdb").exists() and (Path(d) / "pg_ctl").exists():
            return Path(d)
    found = shutil.which("initdb")
    return Path(found).resolve().parent if found and shutil.which("pg_ctl") else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A throw-away PostgreSQL server in a temporary folder; `url` has no password (it is PASSWORD)."""

    def __init__(self, bin_dir: Path):
        self.bin = bin_dir
        self.dir = Path(tempfile.mkdtemp(prefix="zoning-pg-"))
        self.user = None
        if os.geteuid() == 0:  # initdb refuses root: run the server as the postgres system user
            try:
                entry = pwd.getpwnam("postgres")
            except KeyError:
                shutil.rmtree(self.dir)
                pytest.skip("running as root and there is no 'postgres' system user to run PostgreSQL")
            self.user = "postgres"
            os.chown(self.dir, entry.pw_uid, entry.pw_gid)
        self.port = _free_port()
        self.url = f"postgresql://zoning@127.0.0.1:{self.port}/zoning_test"

    def run(self, *args: str) -> None:
        proc = subprocess.run([str(self.bin / args[0]), *args[1:]], check=False, user=self.user, capture_output=True, text=True,
                              timeout=120)
        if proc.returncode:
            raise RuntimeError(f"{args[0]} failed: {proc.stderr or proc.stdout}")

    def start(self) -> None:
        pwfile = self.dir / "pw"
        pwfile.write_text(PASSWORD + "\n")
        if self.user:
            shutil.chown(pwfile, self.user)
        self.run("initdb", "-D", str(self.dir / "data"), "-U", "zoning", "-E", "UTF8", "--locale=C",
                 "--auth-local=trust", "--auth-host=scram-sha-256", f"--pwfile={pwfile}")
        opts = (f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.dir} "
                f"-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        self.run("pg_ctl", "-D", str(self.dir / "data"), "-l", str(self.dir / "server.log"), "-w", "-t", "60",
                 "-o", opts, "start")

    def stop(self) -> None:
        try:
            self.run("pg_ctl", "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop")
        except (RuntimeError, FileNotFoundError):
            pass
        shutil.rmtree(self.dir, ignore_errors=True)

    def connect(self, dbname: str = "zoning_test"):
        import psycopg

        return psycopg.connect(host="127.0.0.1", port=self.port, user="zoning", password=PASSWORD, dbname=dbname,
                               autocommit=True)


@pytest.fixture(scope="session")
def postgis(world_catalog):
    """A running cluster with the postgis extension and the world's layers in schema `world`."""
    for module in ("sqlalchemy", "geoalchemy2"):
        pytest.importorskip(module, reason=f"{module} is not installed (pip install -e '.[postgis]')")
    psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed (pip install -e '.[postgis]')")
    bin_dir = _pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed (no initdb/pg_ctl): apt-get install postgresql postgresql-postgis")
    cluster = Cluster(bin_dir)
    try:
        cluster.start()
        with cluster.connect("postgres") as conn:
            conn.execute("CREATE DATABASE zoning_test")
        with cluster.connect() as conn:
            try:
                conn.execute("CREATE EXTENSION postgis")
            except psycopg.Error as exc:  # FeatureNotSupported / UndefinedFile when PostGIS is missing
                pytest.skip(f"PostGIS is not installed for PostgreSQL in {bin_dir}: {str(exc).splitlines()[0]}")
        _load_world(cluster, world_catalog.parent)
        yield cluster
    finally:
        cluster.stop()


def _load_world(cluster: Cluster, folder: Path) -> None:
    """The world's shapefiles, fields as delivered (Chinese names), into world.<table>; EPSG:4545 as is,
    the river without SRID (its .prj is missing), the districts reprojected to EPSG:4490 in SQL."""
    import sqlalchemy

    engine = sqlalchemy.create_engine("postgresql+psycopg://", creator=cluster.connect)
    with cluster.connect() as conn:
        conn.execute("CREATE SCHEMA world")
    for shp, table in TABLES.items():
        frame = pyogrio.read_dataframe(folder / shp, encoding="GBK")
        with warnings.catch_warnings():  # the river has no CRS: stored without SRID on purpose
            warnings.simplefilter("ignore", UserWarning)
            frame.to_postgis(table, engine, schema="world", index=False)
    engine.dispose()
    with cluster.connect() as conn:
        conn.execute("ALTER TABLE world.redline ADD COLUMN gid serial PRIMARY KEY")
        conn.execute("ALTER TABLE world.district ALTER COLUMN geometry TYPE geometry(Polygon, 4490) "
                     "USING ST_Transform(geometry, 4490)")


def _pg_catalog(folder: Path, world: Path, url: str, password_env: str | None = None) -> Path:
    """The world catalog with every shapefile replaced by its PostGIS table (the raster stays a file)."""
    text = (world / "catalog.toml").read_text(encoding="utf-8")
    extra = f'\npassword_env = "{password_env}"' if password_env else ""
    for shp, table in TABLES.items():
        text = text.replace(f'path = "{shp}"', f'path = "{url}"\ntable = "world.{table}"{extra}')
    text = text.replace('path = "pm25.tif"', f'path = "{(world / "pm25.tif").as_posix()}"')
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "catalog.toml").write_text(text, encoding="utf-8")
    return folder / "catalog.toml"


@pytest.fixture(scope="session")
def projects_csv(tmp_path_factory) -> Path:
    """A 13 x 13 grid over (and beyond) the world, some polygons, a row without a location."""
    sectors = ["3911", "2614", "3011", "3110", "4812", "C2614"]
    builds = ["新建", "扩建", "改建"]
    rows = []
    for i in range(13):
        for j in range(13):
            lon, lat = w.lonlat(-1250 + i * 1750 + 3, -1250 + j * 1750 + 7)
            k = len(rows)
            rows.append({"项目编号": f"P{k:03d}", "项目名称": f"点{k}", "行业代码": sectors[k % 6], "建设性质": builds[k % 3],
                         "经度": f"{lon:.7f}", "纬度": f"{lat:.7f}", "用地范围": ""})
    for k, (x, y) in enumerate([(4800, 4800), (9500, 9000), (18800, 17800), (13900, 2500)]):
        ring = [w.lonlat(x, y), w.lonlat(x + 600, y), w.lonlat(x + 600, y + 400), w.lonlat(x, y + 400), w.lonlat(x, y)]
        wkt = "POLYGON((" + ", ".join(f"{a:.7f} {b:.7f}" for a, b in ring) + "))"
        rows.append({"项目编号": f"Q{k}", "项目名称": f"面{k}", "行业代码": "2614", "建设性质": "新建", "经度": "", "纬度": "",
                     "用地范围": wkt})
    rows.append({"项目编号": "X", "项目名称": "无坐标", "行业代码": "3911", "建设性质": "新建", "经度": "", "纬度": "",
                 "用地范围": ""})
    path = tmp_path_factory.mktemp("pgprojects") / "projects.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture()
def pg_env(postgis, monkeypatch):
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    monkeypatch.delenv("ZONING_CACHE", raising=False)
    return postgis


# ------------------------------------------------------------------ catalog checks (no server needed)


def _catalog(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "catalog.toml"
    path.write_text("[[layer]]\nrole = \"redline\"\n" + body + "\n[layer.fields]\nid = \"a\"\nname = \"b\"\n",
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("path", ["postgresql://u:topsecret@127.0.0.1:5432/db", "postgres://u:topsecret@h/db",
                                  "postgresql://u@h/db?password=topsecret", "PG:host=h dbname=db password=topsecret"])
def test_url_with_password_is_refused(tmp_path, path):
    with pytest.raises(CatalogError) as err:
        read_catalog(_catalog(tmp_path, f'path = "{path}"\ntable = "public.red"'))
    message = str(err.value)
    assert "contains a password" in message and "PGPASSWORD" in message and "password_env" in message
    assert "topsecret" not in message


def test_database_layer_needs_a_table(tmp_path):
    with pytest.raises(CatalogError, match="needs table"):
        read_catalog(_catalog(tmp_path, 'path = "postgresql://u@h/db"'))
    with pytest.raises(CatalogError, match="only to a postgresql"):
        read_catalog(_catalog(tmp_path, f'path = "{tmp_path}"\npassword_env = "X"'))
    spec = read_catalog(_catalog(tmp_path, 'path = "postgresql://u@h:5/db"\ntable = "s.t"\npassword_env = "V"')).layers[0]
    assert spec.is_database and spec.table == "s.t" and spec.password_env == "V"
    assert spec.display_path == "postgresql://u@h:5/db#s.t"


def test_sink_url_with_password_is_refused(tmp_path):
    result = CliRunner().invoke(main, ["screen", "--lon", "106.55", "--lat", "29.56", "--sector", "3911",
                                       "--construction", "new", "--json", "--to", "postgresql://u:topsecret@h/db",
                                       "--table", "t"])
    assert result.exit_code != 0
    assert "contains a password" in result.output and "topsecret" not in result.output


# ------------------------------------------------------------------ against the server


def test_decisions_from_postgis_equal_files(pg_env, world_catalog, projects_csv, tmp_path):
    """Same projects, same rules: the PostGIS-sourced catalog decides exactly as the file-sourced one."""
    rules = load_rules()
    from_files = screen(read_projects(projects_csv), load_layers(world_catalog, use_cache=False), rules)
    pg_layers = load_layers(_pg_catalog(tmp_path / "pg", world_catalog.parent, pg_env.url))
    from_db = screen(read_projects(projects_csv), pg_layers, rules)
    assert len(from_db) == 174
    assert set(from_db["decision"]) >= {"prohibited", "conditional", "review", "invalid"}
    assert_geodataframe_equal(from_db, from_files)
    for role, frame in load_layers(world_catalog, use_cache=False).frames.items():
        if role == "district":  # reprojected in SQL without densifying: same features, fewer vertices
            pd.testing.assert_frame_equal(pd.DataFrame(pg_layers.frame(role).drop(columns=["layer", "geometry"])),
                                          pd.DataFrame(frame.drop(columns=["layer", "geometry"])))
            continue
        assert_geodataframe_equal(pg_layers.frame(role).drop(columns="layer"), frame.drop(columns="layer"))
    river = next(r for r in pg_layers.reports if r.role == "river")
    assert "from the catalog" in " ".join(river.notes) and river.encoding == "UTF-8 (database)"


def test_bbox_read_uses_the_box(pg_env, world_catalog, tmp_path):
    """A box around one site reads the same features from PostGIS as from the files, and fewer than all."""
    pg = read_catalog(_pg_catalog(tmp_path / "pg", world_catalog.parent, pg_env.url))
    files = read_catalog(world_catalog)
    lon0, lat0 = w.lonlat(2300, 4300)  # on the ring of red line HX01, north of its hole
    lon1, lat1 = w.lonlat(2700, 4700)
    box = (lon0, lat0, lon1, lat1)
    for spec_db, spec_file in zip(pg.layers, files.layers):
        if spec_file.role == "air_quality":
            continue
        db, report = read_vector(spec_db, bbox=box)
        flat, _ = read_vector(spec_file, bbox=box)
        whole, _ = read_vector(spec_db)
        assert sorted(db["id"]) == sorted(flat["id"]), spec_file.role
        assert len(db) <= len(whole) and "near the site" in " ".join(report.notes)
    red, _ = read_vector(pg.by_role("redline")[0], bbox=box)
    assert list(red["id"]) == ["HX01"]


def test_single_site_from_postgis(pg_env, world_catalog, tmp_path):
    """`zoning screen --lon --lat --json` answers the same from PostGIS (bbox reads) as from the files."""
    lon, lat = w.lonlat(2500, 2500)
    args = ["screen", "--lon", f"{lon:.7f}", "--lat", f"{lat:.7f}", "--sector", "3911", "--construction", "新建",
            "--json"]
    pg_catalog = _pg_catalog(tmp_path / "pg", world_catalog.parent, pg_env.url)
    runner = CliRunner()
    db = runner.invoke(main, [*args, "--catalog", str(pg_catalog)])
    flat = runner.invoke(main, [*args, "--catalog", str(world_catalog)])
    assert db.exit_code == 0, db.output
    strip = re.compile(r'\s*"(catalog|layer_editions)": .*\n')
    assert '"decision": "conditional"' in db.output
    assert strip.sub("", db.output.split('"meta"')[0]) == strip.sub("", flat.output.split('"meta"')[0])


def test_password_from_password_env(postgis, world_catalog, tmp_path, monkeypatch):
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "none"))
    catalog = _pg_catalog(tmp_path / "pg", world_catalog.parent, postgis.url, password_env=PW_VAR)
    monkeypatch.delenv(PW_VAR, raising=False)
    with pytest.raises(LayerError, match=f"{PW_VAR} \\(password_env\\) is not set"):
        load_layers(catalog)
    monkeypatch.setenv(PW_VAR, "wrong")
    with pytest.raises(LayerError, match="cannot read table world.redline") as err:
        load_layers(catalog)
    assert "wrong" not in str(err.value)
    monkeypatch.setenv(PW_VAR, PASSWORD)
    assert len(load_layers(catalog).frame("control_unit")) == 3


def test_missing_table_is_named(pg_env, world_catalog, tmp_path):
    catalog = _pg_catalog(tmp_path / "pg", world_catalog.parent, pg_env.url)
    catalog.write_text(catalog.read_text(encoding="utf-8").replace("world.park", "world.parks"), encoding="utf-8")
    with pytest.raises(LayerError, match="table world.parks not found"):
        load_layers(catalog)


def test_screen_to_postgis_writes_every_row(pg_env, world_catalog, projects_csv, tmp_path):
    """`zoning screen INPUT -o OUT --to URL --table T` writes results.csv and every row into T (EPSG:4490)."""
    pg_catalog = _pg_catalog(tmp_path / "pg", world_catalog.parent, pg_env.url)
    out = tmp_path / "out"
    args = ["screen", str(projects_csv), "-o", str(out), "--catalog", str(pg_catalog), "--no-map", "-q",
            "--to", pg_env.url, "--table", "results.screened"]
    for _ in range(2):  # the second run replaces the table
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "results.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    with pg_env.connect() as conn:
        rows = conn.execute('SELECT "项目编号", decision, rule_ids, ST_SRID(geometry), ST_AsBinary(geometry) '
                            "FROM results.screened ORDER BY ctid").fetchall()
        columns = [r[0] for r in conn.execute("SELECT column_name FROM information_schema.columns WHERE "
                                              "table_schema = 'results' AND table_name = 'screened'").fetchall()]
    assert len(rows) == len(table) == 174
    assert [r[0] for r in rows] == list(table["项目编号"])
    assert [r[1] for r in rows] == list(table["decision"])
    assert [r[2] or "" for r in rows] == list(table["rule_ids"])
    assert {r[3] for r in rows if r[4] is not None} == {4490}
    assert [r[4] is None for r in rows].count(True) == 1
    assert {"decision_zh", "reasons", "citations", "in_redline", "river_distance_m", "geometry"} <= set(columns)
    results = gpd.read_file(out / "results.gpkg")
    with pg_env.connect() as conn:
        blobs = [r[0] for r in conn.execute("SELECT ST_AsBinary(geometry) FROM results.screened ORDER BY ctid")]
    assert [gpd.GeoSeries.from_wkb([b]).iloc[0] if b else None for b in blobs] == list(results.geometry)
