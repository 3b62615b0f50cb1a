"""Folium maps of zoning layers and screening decisions, self-contained for offline use."""

from maps.decision_map import decision_map
from maps.save import render_html, save_map
from maps.site_map import site_map
from maps.zoning_map import zoning_map

__all__ = ["zoning_map", "decision_map", "site_map", "save_map", "render_html"]
