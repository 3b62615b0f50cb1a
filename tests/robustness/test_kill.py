"""`kill -9` during a 200,000-row `zoning screen` run never leaves an incomplete file under a final name.

One module-scoped fixture writes a 200,000-row project list, then runs `python -m screening.cli screen … --no-map`
in subprocesses and SIGKILLs them at chosen moments, found by polling the output folder for the temporary
files (``.partial-…``) of each write phase:

* early (while screening, before any output exists), during the CSV, the XLSX and the GeoPackage writes, and
  during the commit (as soon as the first final name appears);
* one run completes (the "after" case) and a second run into the same folder is killed while writing: the
  previous outputs must still be there, byte for byte the same files.

Then every file under a final name must be complete (CSV 200,000 data rows, XLSX 200,001 sheet rows, GPKG
200,000 features, summary.json rows == 200000), and where summary.json exists so must the others.
The scenarios run in two parallel lanes (two cores) to keep the module near a minute and a half.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[2]
ROWS = 200_000
FINALS = ("results.csv", "results.xlsx", "results.gpkg", "summary.json")
PARTIAL = re.compile(r"^\.partial-[0-9a-f]{8}-(.+)$")
POLL = 0.02  # s between looks at the output folder
TIMEOUT = 240  # s: a run that takes longer is a failure, not a hang


def make_projects(path: Path, n: int = ROWS) -> Path:
    """A project list like examples/projects.csv: ids, names, GB/T 4754 sectors, construction types, and
    lon/lat inside the demo layers' coverage of Chongqing."""
    rng = np.random.default_rng(20240510)
    sectors = np.array(["3011", "2614", "3110", "C2651", "2511", "3311", "C2613", "1511", "3120", "2710"])
    kinds = np.array(["新建", "扩建", "改建", "迁建"])
    codes = sectors[rng.integers(0, len(sectors), n)]
    frame = pd.DataFrame({
        "id": pd.Series(np.arange(n)).map("CQ-{:06d}".format),
        "name": pd.Series(codes).radd("重庆某工业项目-"),
        "sector": codes,
        "construction": kinds[rng.integers(0, len(kinds), n)],
        "lon": np.round(rng.uniform(105.3, 110.2, n), 5),
        "lat": np.round(rng.uniform(28.2, 32.2, n), 5),
    })
    frame.to_csv(path, index=False, encoding="utf-8")
    return path


@dataclass
class Run:
    """One subprocess run: when it was killed (None: it finished), what the folder held at that moment."""

    name: str
    outdir: Path
    returncode: int | None = None
    seconds: float = 0.0
    killed_at: float | None = None
    listing_at_kill: list[str] = field(default_factory=list)
    phases: dict[str, float] = field(default_factory=dict)  # first time each (temporary or final) name was seen
    stderr: str = ""


def _names(folder: Path) -> list[str]:
    try:
        return sorted(os.listdir(folder))
    except FileNotFoundError:
        return []


def _partials(names: list[str]) -> set[str]:
    return {m.group(1) for n in names if (m := PARTIAL.match(n))}


def screen_and_kill(csv: Path, outdir: Path, name: str, kill_when=None) -> Run:
    """Run the CLI into `outdir`; SIGKILL it the first time `kill_when(names, seconds)` is true."""
    run = Run(name, outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    errfile = outdir.parent / f"{outdir.name}.stderr"
    started = time.perf_counter()
    with open(errfile, "wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "screening.cli", "screen", str(csv), "-o", str(outdir),
                                 "--no-map", "-q"], cwd=REPO, stdout=subprocess.DEVNULL, stderr=err)
        try:
            while proc.poll() is None:
                now = time.perf_counter() - started
                names = _names(outdir)
                for n in names:
                    run.phases.setdefault(PARTIAL.sub(r"partial \1", n), round(now, 2))
                if kill_when is not None and run.killed_at is None and kill_when(names, now):
                    proc.kill()  # SIGKILL, this process only (by its pid)
                    run.killed_at, run.listing_at_kill = round(now, 2), names
                if now > TIMEOUT:
                    proc.kill()
                    raise AssertionError(f"{name}: no result after {TIMEOUT} s")
                time.sleep(POLL)
        finally:
            proc.wait()
    run.returncode, run.seconds = proc.returncode, round(time.perf_counter() - started, 2)
    run.stderr = errfile.read_text(encoding="utf-8", errors="replace")[-2000:]
    return run


# ------------------------------------------------------------------------------------------------ complete?

_verified: dict[tuple, None] = {}
_lock = threading.Lock()


def _identity(path: Path) -> tuple:
    st = path.stat()
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def check_complete(path: Path) -> None:
    """Assert that the output file `path` is complete; each distinct file (inode, size, mtime) is read once."""
    key = _identity(path)
    with _lock:
        if key in _verified:
            return
    name = path.name
    if name == "results.csv":
        import pyarrow.csv as pacsv

        assert path.read_bytes()[:3] == b"\xef\xbb\xbf", f"{path}: no BOM"
        reader = pacsv.open_csv(path, read_options=pacsv.ReadOptions(block_size=64 << 20),
                                parse_options=pacsv.ParseOptions(newlines_in_values=True),
                                convert_options=pacsv.ConvertOptions(include_columns=["id"],
                                                                     column_types={"id": "string"}))
        ids = [b.column(0) for b in reader]
        rows = sum(len(c) for c in ids)
        assert rows == ROWS, f"{path}: {rows} data rows, not {ROWS}"
        assert ids[-1][-1].as_py() == f"CQ-{ROWS - 1:06d}"
    elif name == "results.xlsx":
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True)
        try:
            assert wb.active.max_row == ROWS + 1, f"{path}: {wb.active.max_row} rows"
        finally:
            wb.close()
        count, tail = 0, b""
        with zipfile.ZipFile(path) as zf, zf.open("xl/worksheets/sheet1.xml") as sheet:  # CRC-checked to the end
            while chunk := sheet.read(16 << 20):
                count += (tail + chunk).count(b"<row ") - tail.count(b"<row ")
                tail = chunk[-8:]
        assert count == ROWS + 1, f"{path}: {count} <row> elements, not {ROWS + 1}"
    elif name == "results.gpkg":
        import pyogrio

        features = pyogrio.read_info(path, layer="results")["features"]
        assert features == ROWS, f"{path}: {features} features"
    elif name == "summary.json":
        assert json.loads(path.read_text(encoding="utf-8"))["rows"] == ROWS
    else:
        raise AssertionError(f"unexpected final name {path}")
    with _lock:
        _verified[key] = None


def check_folder(outdir: Path) -> list[str]:
    """Every final name in `outdir` is complete; summary.json implies the other three. Returns the finals."""
    names = _names(outdir)
    finals = [n for n in names if not PARTIAL.match(n)]
    assert set(finals) <= set(FINALS), f"{outdir}: unexpected files {finals}"
    for n in finals:
        check_complete(outdir / n)
    if "summary.json" in finals:
        assert set(finals) == set(FINALS), f"{outdir}: summary.json without {set(FINALS) - set(finals)}"
    return finals


# ---------------------------------------------------------------------------------------------------- runs

def _writing(output: str, min_bytes: int = 1):
    """Kill while the temporary file of `output` exists and already holds `min_bytes` (in a fresh folder the
    final name is then absent; in a rerun it is the previous run's file)."""
    def when(names, _now):
        tmp = [n for n in names if PARTIAL.match(n) and PARTIAL.match(n).group(1) == output]
        return bool(tmp) and os.path.getsize(when.folder / tmp[0]) >= min_bytes
    return when


def _guarded(predicate, folder: Path):
    predicate.folder = folder

    def when(names, now):
        try:
            return predicate(names, now)
        except FileNotFoundError:  # the temporary file was renamed between listing and stat
            return False
    return when


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Every scenario, in two lanes of about the same length; the folders are removed afterwards."""
    root = tmp_path_factory.mktemp("kill")
    csv = make_projects(root / "projects.csv")
    started = time.perf_counter()
    out: dict[str, Run] = {}

    def lane_reference():
        a = root / "rerun"
        out["complete"] = screen_and_kill(csv, a, "complete")
        out["complete_listing"] = _names(a)
        out["complete_identity"] = {n: _identity(a / n) for n in out["complete_listing"]}
        out["rerun_gpkg"] = screen_and_kill(csv, a, "rerun_gpkg",
                                            _guarded(_writing("results.gpkg", 1 << 20), a))

    def lane_kills():
        out["early"] = screen_and_kill(csv, root / "early", "early", lambda names, now: now >= 2.0 and not names)
        for output, label in (("results.csv", "during_csv"), ("results.xlsx", "during_xlsx")):
            folder = root / label
            out[label] = screen_and_kill(csv, folder, label, _guarded(_writing(output, 1 << 20), folder))
        folder = root / "during_commit"
        out["during_commit"] = screen_and_kill(
            csv, folder, "during_commit", lambda names, now: any(n in FINALS for n in names))

    with ThreadPoolExecutor(2) as pool:
        for future in [pool.submit(lane_reference), pool.submit(lane_kills)]:
            future.result()
    out["wall_seconds"] = round(time.perf_counter() - started, 1)
    report = {k: (v.seconds, v.returncode, v.killed_at, v.phases) for k, v in out.items() if isinstance(v, Run)}
    print(f"\nkill test, {out['wall_seconds']} s: " + json.dumps(report, indent=1))
    yield out
    shutil.rmtree(root, ignore_errors=True)


def test_complete_run_writes_every_output(runs):
    run = runs["complete"]
    assert run.returncode == 0, run.stderr
    assert runs["complete_listing"] == sorted(FINALS)     # no temporary file left behind
    for n in FINALS:  # the rerun (killed) left these very files in place: see test_kill_during_rerun_…
        assert _identity(run.outdir / n) == runs["complete_identity"][n]
        check_complete(run.outdir / n)


def test_kill_while_screening_leaves_nothing(runs):
    run = runs["early"]
    assert run.returncode == -9 and run.killed_at is not None, run.stderr
    assert check_folder(run.outdir) == []


@pytest.mark.parametrize("label, output", [("during_csv", "results.csv"), ("during_xlsx", "results.xlsx")])
def test_kill_while_writing_leaves_no_final_name(runs, label, output):
    run = runs[label]
    assert run.returncode == -9, f"{label}: the run was not killed while writing {output}: {run.stderr}"
    assert output in _partials(run.listing_at_kill)
    assert check_folder(run.outdir) == []                   # nothing under a final name, complete or not


def test_kill_during_rerun_keeps_previous_outputs(runs):
    run = runs["rerun_gpkg"]
    assert run.returncode == -9 and "results.gpkg" in _partials(run.listing_at_kill), run.stderr
    assert sorted(check_folder(run.outdir)) == sorted(FINALS)
    after = {n: _identity(run.outdir / n) for n in FINALS}
    assert after == {n: runs["complete_identity"][n] for n in FINALS}  # the very same files: untouched
    assert {"results.csv", "results.xlsx"} <= _partials(_names(run.outdir))  # the new ones were staged


def test_kill_during_commit_leaves_only_complete_files(runs):
    run = runs["during_commit"]
    finals = check_folder(run.outdir)
    assert finals, "the commit was never observed"
    if run.returncode == -9:  # killed mid-commit: summary.json (written last) is not there yet
        assert "summary.json" not in finals or set(finals) == set(FINALS)
