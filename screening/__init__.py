"""What is allowed: project lists, sector catalog, rules engine, decisions and the `zoning` command.

The public API (the CLI and the web app are shells over it):

>>> import screening
>>> results = screening.screen("examples/projects.csv")    # doctest: +SKIP
>>> screening.write_outputs(results, "out/")               # doctest: +SKIP
>>> {"screen", "screen_site", "read_projects", "load_rules", "write_outputs"} <= set(screening.__all__)
True

`screen` takes a path, a `ProjectList` or a (Geo)DataFrame, and loaded layers or a catalog path (default:
the demo, or $ZONING_CATALOG); `screen_site` one site as keywords. As in geopandas, the front door
imports what it exports (a function and its module share the names `screen` and `decide`: the function
wins here).
"""

from __future__ import annotations

from .decide import decide
from .output import stage_outputs, summarize, write_outputs
from .projects import ProjectList, read_projects
from .rules import RuleSet, load_rules
from .screen import project_list, provenance, screen
from .site import screen_site

__all__ = [
    "ProjectList", "RuleSet", "decide", "load_rules", "project_list", "provenance", "read_projects", "screen",
    "screen_site", "stage_outputs", "summarize", "write_outputs",
]
