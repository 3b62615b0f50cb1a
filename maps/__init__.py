"""Folium maps of zoning layers and screening decisions, self-contained for offline use."""
