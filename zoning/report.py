"""What loading one layer found (`LayerReport`): the facts `zoning layers check` prints and the cache keeps.

Its own module so that every reader (vector files, PostGIS tables, rasters, the prepared cache) can fill one
without importing another reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class LayerReport:
    """What loading one layer found: the facts `zoning layers check` prints."""

    role: str
    where: str
    source: str
    layer: str | None = None
    crs: str = ""
    encoding: str = ""
    features: int = 0
    vertices: int = 0
    extent: tuple[float, float, float, float] | None = None
    repaired: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    version: str | None = None
    valid_from: str | None = None
    issued_by: str | None = None
    failed: bool = False
    #: the layer has no features and the catalog allows that (`allow_empty = true`)
    allowed_empty: bool = False
    #: extent (EPSG:4490) of the whole source when only the features near a site were read
    full_extent: tuple[float, float, float, float] | None = None
