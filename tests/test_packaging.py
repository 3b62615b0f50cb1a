"""The wheel holds what an installed tool needs: every code package, the rules and the demo layers.

Before: `pip install .` (not editable) installed a tool that could not run: `rules/facts.yaml: cannot be
read` from site-packages, and no demo catalog.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _code_packages() -> set[str]:
    return {".".join(p.parent.relative_to(REPO).parts) for top in ("zoning", "screening", "maps")
            for p in (REPO / top).rglob("__init__.py")}


def test_every_code_package_is_listed_in_pyproject():
    tool = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    listed = set(tool["packages"])
    assert _code_packages() <= listed, f"add to [tool.setuptools] packages: {_code_packages() - listed}"
    assert tool["package-dir"] == {"screening.rulebook": "rules", "zoning.layerdata": "layers"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                            "-w", str(out), str(REPO)], capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    (path,) = out.glob("*.whl")
    return zipfile.ZipFile(path)


def test_wheel_holds_rules_and_demo(wheel):
    names = set(wheel.namelist())
    rules = {p.relative_to(REPO / "rules").as_posix() for p in (REPO / "rules").rglob("*")
             if p.is_file() and "__pycache__" not in p.parts}
    demo = {p.relative_to(REPO / "layers").as_posix() for p in (REPO / "layers").rglob("*") if p.is_file()}
    assert {f"screening/rulebook/{r}" for r in rules} <= names
    assert {f"zoning/layerdata/{d}" for d in demo} <= names
    assert "zoning/layerdata/demo/catalog.toml" in names and "screening/rulebook/facts.yaml" in names
    for pkg in _code_packages():
        assert f"{pkg.replace('.', '/')}/__init__.py" in names
    assert any(n.startswith("maps/assets/leaflet/") for n in names)


def test_data_is_found_outside_a_checkout(tmp_path, monkeypatch):
    """zoning.data falls back to importlib.resources when the checkout folders are absent."""
    import zoning.data as data

    pkg = tmp_path / "site" / "screening" / "rulebook"
    pkg.mkdir(parents=True)
    (pkg / "facts.yaml").write_text("x: 1\n", encoding="utf-8")
    monkeypatch.setattr(data, "_CHECKOUT", tmp_path / "nowhere")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    import screening

    monkeypatch.setattr(screening, "__path__", [*screening.__path__, str(tmp_path / "site" / "screening")])
    sys.modules.pop("screening.rulebook", None)
    assert data.rules_dir() == pkg
    with pytest.raises(data.DataNotFound, match="reinstall"):
        data.layers_dir()
