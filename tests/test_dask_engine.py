"""The dask-geopandas engine decides exactly as the in-process one: same rows, same order, same facts.

Skipped with the reason when dask-geopandas or distributed is not installed (the `dask` extra).
"""

from __future__ import annotations

import logging

import pandas as pd
import pytest
from click.testing import CliRunner
from geopandas.testing import assert_geodataframe_equal

from screening.cli import main
from screening.projects import read_projects
from screening.rules import load_rules
from screening.screen import EXTRA_COLUMNS, RESULT_COLUMNS, screen

from .conftest import DEMO_CATALOG, REPO

DEMO_PROJECTS = REPO / "examples" / "projects.csv"
DECISION_COLUMNS = ["decision", "decision_zh", "rule_ids", "reasons", "obligations", "citations"]


@pytest.fixture(scope="module")
def scheduler():
    """The address of a LocalCluster of two worker processes, shut down after this module."""
    pytest.importorskip("dask_geopandas", reason="dask-geopandas is not installed (pip install -e '.[dask]')")
    distributed = pytest.importorskip("distributed", reason="distributed is not installed (pip install -e '.[dask]')")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  silence_logs=logging.ERROR) as cluster:
        yield cluster.scheduler_address


def test_dask_results_equal_in_process(scheduler, demo_layers):
    from screening.engines import screen_dask

    rules = load_rules()
    local = screen(read_projects(DEMO_PROJECTS), demo_layers, rules)
    on_dask = screen_dask(read_projects(DEMO_PROJECTS), DEMO_CATALOG, rules.directory, scheduler=scheduler,
                          partitions=4)
    facts = [c for c in (*RESULT_COLUMNS, *EXTRA_COLUMNS) if c in local.columns and c not in DECISION_COLUMNS]
    assert len(facts) > 20 and list(on_dask["项目编号"]) == list(local["项目编号"])
    pd.testing.assert_frame_equal(pd.DataFrame(on_dask[DECISION_COLUMNS]), pd.DataFrame(local[DECISION_COLUMNS]))
    pd.testing.assert_frame_equal(pd.DataFrame(on_dask[facts]), pd.DataFrame(local[facts]))
    assert_geodataframe_equal(on_dask, local)
    assert local["decision"].nunique() >= 4


def test_dask_engine_on_its_own_local_cluster(scheduler, demo_layers):
    """Without --scheduler the engine starts (and stops) a LocalCluster of two workers."""
    from screening.engines import screen_dask

    rules = load_rules()
    local = screen(read_projects(DEMO_PROJECTS), demo_layers, rules, max_distance_m=5000)
    on_dask = screen_dask(read_projects(DEMO_PROJECTS), DEMO_CATALOG, rules.directory, partitions=3,
                          max_distance_m=5000)
    assert_geodataframe_equal(on_dask, local)


def test_cli_engine_dask_writes_the_same_results(scheduler, tmp_path):
    runner = CliRunner()
    base = ["screen", str(DEMO_PROJECTS), "--catalog", str(DEMO_CATALOG), "--no-map", "-q"]
    local = runner.invoke(main, [*base, "-o", str(tmp_path / "local")])
    on_dask = runner.invoke(main, [*base, "-o", str(tmp_path / "dask"), "--engine", "dask", "--scheduler", scheduler,
                                   "--partitions", "5"])
    assert local.exit_code == 0, local.output
    assert on_dask.exit_code == 0, on_dask.output
    assert (tmp_path / "dask" / "results.csv").read_bytes() == (tmp_path / "local" / "results.csv").read_bytes()


@pytest.mark.parametrize("extra, message", [
    (["--partitions", "3"], "go with --engine dask"),
    (["--engine", "dask", "--lon", "106.55", "--lat", "29.56"], "not one site"),
    (["--to", "postgresql://u@h/db"], "go together"),
])
def test_engine_option_misuse(extra, message):
    args = ["screen", *extra] if "--lon" in extra else ["screen", str(DEMO_PROJECTS), "-o", "unused", *extra]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and message in result.output
