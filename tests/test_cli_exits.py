"""The terminal: exit codes 0/1/2, one-line errors without tracebacks (--debug shows them), empty lists,
and the coordinate system of a list (--coords, a 坐标系 column, the one "CGCS2000 assumed" notice)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from screening.cli import main
from screening.projects import ASSUMED_NOTICE, read_projects
from zoning import coords

from conftest import DEMO_CATALOG

# three sites in central Chongqing (within the demo coverage)
SITES = [("P1", "电子厂", "3911", "新建", 106.5516, 29.5630), ("P2", "汽车零部件", "3670", "新建", 106.4700, 29.6200),
         ("P3", "食品厂", "1391", "新建", 106.6200, 29.7100)]


def _csv(path, rows=SITES, extra=None):
    frame = pd.DataFrame(rows, columns=["项目编号", "项目名称", "行业代码", "建设性质", "经度", "纬度"])
    for k, v in (extra or {}).items():
        frame[k] = v
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def _run(*args):
    """The `zoning` command in a subprocess, as a user runs it (stderr and exit code as they see them)."""
    return subprocess.run([sys.executable, "-m", "screening.cli", *map(str, args)], capture_output=True, text=True,
                          env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "HOME": "/tmp"})


def test_exit_codes_and_no_traceback(tmp_path):
    good = _csv(tmp_path / "p.csv")
    ok = _run("screen", good, "-o", tmp_path / "ok", "--no-map", "--catalog", DEMO_CATALOG)
    assert ok.returncode == 0, ok.stderr
    missing_layers = _run("screen", good, "-o", tmp_path / "x", "--catalog", tmp_path / "none.toml")
    assert missing_layers.returncode == 1 and "Traceback" not in missing_layers.stderr
    assert "none.toml" in missing_layers.stderr
    (tmp_path / "bad.xlsx").write_bytes(b"not a workbook")
    unreadable = _run("screen", tmp_path / "bad.xlsx", "-o", tmp_path / "y", "--catalog", DEMO_CATALOG)
    assert unreadable.returncode == 2 and "Traceback" not in unreadable.stderr and "bad.xlsx" in unreadable.stderr
    for option in (["--max-distance", "0"], ["--max-distance", "-5"], ["--coords", "mars2000"]):
        bad = _run("screen", good, "-o", tmp_path / "z", "--catalog", DEMO_CATALOG, *option)
        assert bad.returncode == 2 and "Traceback" not in bad.stderr, (option, bad.stderr)
    assert not (tmp_path / "z").exists() or not any((tmp_path / "z").iterdir())


def test_single_site_unreadable_lon_with_output_folder(tmp_path):
    """Before: a traceback from drawing the map of a site without geometry, after the results were written."""
    run = _run("screen", "--lon", "东经一百零六", "--lat", "29.56", "--sector", "3911", "--construction", "新建",
               "-o", tmp_path / "site", "--catalog", DEMO_CATALOG)
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr and "东经一百零六" in run.stderr + run.stdout
    assert not (tmp_path / "site" / "map.html").exists()


def test_debug_shows_the_traceback(tmp_path, monkeypatch):
    import importlib

    cmd = importlib.import_module("screening.cli.screen_cmd")

    def boom(*a, **k):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(cmd, "screen", boom)
    args = ["screen", str(_csv(tmp_path / "p.csv")), "-o", str(tmp_path / "o"), "--catalog", str(DEMO_CATALOG)]
    quiet = CliRunner().invoke(main, args)
    assert quiet.exit_code == 1 and "internal error" in quiet.output and "simulated bug" in quiet.output
    assert "Traceback" not in quiet.output
    loud = CliRunner().invoke(main, ["--debug", *args])
    assert loud.exit_code == 1 and "Traceback" in loud.output


def test_header_only_list_is_exit_2_unless_allowed(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("项目编号,项目名称,行业代码,建设性质,经度,纬度\n", encoding="utf-8")
    refused = _run("screen", empty, "-o", tmp_path / "o", "--catalog", DEMO_CATALOG)
    assert refused.returncode == 2 and "no project rows" in refused.stderr and "--allow-empty" in refused.stderr
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").glob("results.*"))
    allowed = _run("screen", empty, "-o", tmp_path / "o", "--catalog", DEMO_CATALOG, "--allow-empty", "--no-map")
    assert allowed.returncode == 0, allowed.stderr
    assert "screened" in allowed.stderr and not allowed.stderr.rstrip().endswith(":")
    assert json.loads((tmp_path / "o" / "summary.json").read_text(encoding="utf-8"))["rows"] == 0


def test_coords_option_applies_to_every_row_of_a_list(tmp_path):
    """Before: --coords gcj02 was accepted for a list and silently ignored."""
    path = _csv(tmp_path / "amap.csv")
    plain = read_projects(path).projects
    gcj = read_projects(path, coords="gcj02").projects
    lon, lat = coords.to_cgcs2000(np.array([s[4] for s in SITES]), np.array([s[5] for s in SITES]), "GCJ02")
    assert np.allclose(gcj.geometry.x, lon) and np.allclose(gcj.geometry.y, lat)
    shift = np.hypot((plain.geometry.x - gcj.geometry.x) * 97_000, (plain.geometry.y - gcj.geometry.y) * 111_000)
    assert (shift > 300).all()  # GCJ-02 is a few hundred metres off in Chongqing
    assert list(gcj["coords_system"]) == ["GCJ02"] * 3 and not gcj["coords_assumed"].any()
    assert list(plain["coords_system"]) == ["CGCS2000"] * 3 and plain["coords_assumed"].all()


def test_a_coords_column_overrides_the_option_per_row(tmp_path):
    path = _csv(tmp_path / "mixed.csv", extra={"坐标系": ["WGS84", "", "BD09"]})
    out = read_projects(path, coords="GCJ02")
    assert list(out.projects["coords_system"]) == ["WGS84", "GCJ02", "BD09"]
    assert not out.projects["coords_assumed"].any() and ASSUMED_NOTICE not in out.notes
    partly = read_projects(path)
    assert list(partly.projects["coords_assumed"]) == [False, True, False]
    assert partly.notes.count(ASSUMED_NOTICE) == 1


def test_assumed_system_is_said_once_on_the_terminal_and_in_the_summary(tmp_path):
    run = _run("screen", _csv(tmp_path / "p.csv"), "-o", tmp_path / "o", "--no-map", "--catalog", DEMO_CATALOG)
    assert run.returncode == 0, run.stderr
    assert run.stderr.count("CGCS2000 assumed") + run.stderr.count("taken as CGCS2000") == 1
    summary = json.loads((tmp_path / "o" / "summary.json").read_text(encoding="utf-8"))
    assert summary["coords_assumed_rows"] == 3 and ASSUMED_NOTICE in summary["notes"]
    results = pd.read_csv(tmp_path / "o" / "results.csv", encoding="utf-8-sig")
    assert list(results["coords_system"]) == ["CGCS2000"] * 3 and results["coords_assumed"].all()
    stated = _run("screen", tmp_path / "p.csv", "-o", tmp_path / "o2", "--no-map", "--coords", "wgs84",
                  "--catalog", DEMO_CATALOG)
    assert stated.returncode == 0 and "taken as CGCS2000" not in stated.stderr


@pytest.mark.parametrize("payload", ["{{7*7}}", "[bold red]x[/]", "%s %d"])
def test_terminal_prints_file_names_literally(tmp_path, payload):
    """Rich markup in a file name or a note must not be interpreted."""
    path = _csv(tmp_path / f"{payload.replace('/', '_')}.csv")
    run = _run("screen", path, "-o", tmp_path / "o", "--no-map", "--catalog", DEMO_CATALOG)
    assert run.returncode == 0, run.stderr


def test_json_distances_stay_numbers_and_beyond_the_radius_is_null(tmp_path):
    """Before: a distance beyond the search radius came out as the string "> 10000" in JSON."""
    run = _run("screen", "--lon", "106.5516", "--lat", "29.5630", "--sector", "3911", "--construction", "新建",
               "--radius", "2000", "--json", "--catalog", DEMO_CATALOG)
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    for key, value in data["facts"].items():
        assert not isinstance(value, str) or not value.startswith(">"), (key, value)
    for key in data["beyond_radius"]:
        assert data["facts"][key] is None
    assert all(isinstance(v, (int, float)) for k, v in data["facts"].items()
               if k.endswith("_distance_m") and v is not None)
