"""The house's import arrows: no circle among the code modules, and zoning imports neither screening nor maps.

Imports are read with ast from every module of zoning/, screening/ and maps/, including those inside
functions and under TYPE_CHECKING: a lazy import hides a circle from the interpreter, not from a reader.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("zoning", "screening", "maps")


def _modules() -> dict[str, Path]:
    """Dotted module name -> file, for every .py of the code packages (a package is its __init__.py)."""
    out = {}
    for top in PACKAGES:
        for path in (REPO / top).rglob("*.py"):
            parts = path.relative_to(REPO).with_suffix("").parts
            out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def import_graph() -> dict[str, set[str]]:
    """Module -> the code modules it imports (`from p import name` counts as p.name when that is a module),
leaving out the module's own enclosing packages."""
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = package.split(".")[:len(package.split(".")) - node.level + 1] if node.level else []
                origin = ".".join([*base, *([node.module] if node.module else [])])
                targets = [f"{origin}.{a.name}" if f"{origin}.{a.name}" in modules else origin for a in node.names]
            else:
                continue
            # a module reading its own package's front door (`from . import STORAGE_CRS`) adds no arrow:
            # the package is imported before any of its modules, whatever the module says
            graph[name] |= {t for t in targets if t in modules and t != name and not name.startswith(t + ".")}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of two or more modules (Tarjan), each sorted: the import circles."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_sees_relative_lazy_and_type_checking_imports():
    graph = import_graph()
    assert "zoning.report" in graph["zoning.postgis"]                      # from .report import LayerReport
    assert "zoning.catalog" in graph["zoning.postgis"]                     # under TYPE_CHECKING
    assert "screening.engines.dask_engine" in graph["screening.engines"]   # inside a function
    assert {"zoning.cache", "zoning.sources"} <= graph["zoning.layers"]
    assert "zoning" not in graph["zoning.vector"]                          # its own package: no arrow


def test_no_import_circles():
    assert cycles(import_graph()) == []


def test_zoning_imports_neither_screening_nor_maps():
    bad = {m: sorted(t for t in ts if not t.startswith("zoning")) for m, ts in import_graph().items()
           if m.startswith("zoning")}
    assert {m: ts for m, ts in bad.items() if ts} == {}
