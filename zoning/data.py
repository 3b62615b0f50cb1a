"""Where the shipped data lives: the rules folder and the demo layers, in a checkout or an installed wheel.

In a source checkout (editable install) the top-level ``rules/`` and ``layers/`` folders are the source of
truth and are used directly. In an installed wheel they are package data of the packages
``screening.rulebook`` (from ``rules/``) and ``zoning.layerdata`` (from ``layers/``), installed beside the
code; ``pyproject.toml`` maps the folders onto those package names. Failing both, :mod:`importlib.resources`
looks the packages up wherever the import system finds them.

Examples
--------
>>> (rules_dir() / "facts.yaml").is_file()
True
>>> demo_catalog().name
'catalog.toml'
"""

from __future__ import annotations

import importlib.resources
import importlib.util
import os
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parents[1]

#: Package name -> the checkout folder it is built from (see [tool.setuptools.package-dir] in pyproject.toml).
PACKAGES = {"screening.rulebook": "rules", "zoning.layerdata": "layers"}


class DataNotFound(RuntimeError):
    """The shipped data is missing: a broken install."""


def _folder(package: str, marker: str) -> Path:
    """The folder of a data package that holds `marker`: the checkout's, else the installed package's."""
    for local in (_CHECKOUT / PACKAGES[package], _CHECKOUT.joinpath(*package.split("."))):
        if (local / marker).is_file():  # the checkout's folder, else the installed data beside this package
            return local
    try:
        root = importlib.resources.files(package)
    except ModuleNotFoundError:
        root = None
    candidates = []
    if isinstance(root, Path):
        candidates.append(root)
    spec = importlib.util.find_spec(package) if root is not None else None
    candidates += [Path(p) for p in (spec.submodule_search_locations or [])] if spec else []
    for folder in candidates:
        if (folder / marker).is_file():
            return folder
    raise DataNotFound(f"数据包 {package} 缺少 {marker} / the installed package has no {package}/{marker}: "
                       "reinstall zoning-screen (pip install --force-reinstall zoning-screen)")


def rules_dir() -> Path:
    """The shipped rules folder (facts.yaml, sectors.yaml, the topic rule files, tests/, templates/)."""
    return _folder("screening.rulebook", "facts.yaml")


def layers_dir() -> Path:
    """The shipped layers folder (demo/ with its catalog)."""
    return _folder("zoning.layerdata", "demo/catalog.toml")


def demo_catalog() -> Path:
    """The demo layer catalog (illustrative layers around Chongqing)."""
    return layers_dir() / "demo" / "catalog.toml"


def default_catalog() -> Path:
    """The catalog used when none is given: $ZONING_CATALOG, else ./layers/demo/catalog.toml, else the demo."""
    env = os.environ.get("ZONING_CATALOG")
    if env:
        return Path(env)
    local = Path("layers/demo/catalog.toml")
    return local if local.exists() else demo_catalog()


def default_rules() -> Path:
    """The rules folder used when none is given: $ZONING_RULES, else ./rules, else the shipped rules."""
    env = os.environ.get("ZONING_RULES")
    if env:
        return Path(env)
    local = Path("rules")
    return local if (local / "sectors.yaml").exists() else rules_dir()
