"""Read YAML rule files with libyaml's C parser when present (several times faster than pure Python:
it is most of a cold single-site verdict's rule loading)."""

from __future__ import annotations

from pathlib import Path

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path):
    """Parse one YAML file safely (no Python object tags)."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - a safe loader
