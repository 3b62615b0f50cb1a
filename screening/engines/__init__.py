"""Where a project list is screened: `local` (this process) or `dask` (dask-geopandas, an optional extra)."""

from __future__ import annotations

ENGINES = ("local", "dask")


class EngineError(RuntimeError):
    """An engine cannot run: its extra is not installed, or its cluster cannot be reached."""


def screen_dask(*args, **kwargs):
    """`screening.engines.dask_engine.screen_dask`, imported on first use so the core needs no dask."""
    try:
        from .dask_engine import screen_dask as run
    except ImportError as exc:
        raise EngineError(f"--engine dask needs {exc.name}, which is not installed; "
                          f"pip install 'zoning-screen[dask]'") from exc
    return run(*args, **kwargs)
