"""Moved: Gauss-Krüger zone handling, fix_gk_prefix included, lives in zoning.coords.gk (import it from
zoning.coords). This module only keeps `from zoning.gk import fix_gk_prefix` (zoning/vector.py) working until
that import is changed; then it can be deleted."""

from __future__ import annotations

from .coords.gk import fix_gk_prefix

__all__ = ["fix_gk_prefix"]
