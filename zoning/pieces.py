"""Cut long lines and polygon boundaries into short pieces for nearest-distance trees.

A 500 km river is one bounding box: every nearest query walks all its vertices. Pieces of a few dozen
vertices give the STRtree something to prune with (for sites outside a polygon, the distance to the
polygon is the distance to its boundary).
"""

from __future__ import annotations

import numpy as np
import shapely


def boundary_pieces(geoms: np.ndarray, max_vertices: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """(pieces, owner): LineStrings of at most `max_vertices` vertices covering each geometry's outline.

    Lines are cut as they are; polygons are cut along their boundary rings.

    >>> line = shapely.LineString([(i, 0) for i in range(100)])
    >>> pieces, owner = boundary_pieces(np.array([line]), 10)
    >>> len(pieces), float(shapely.length(pieces).sum())
    (11, 99.0)
    """
    geoms = np.asarray(geoms, dtype=object)
    polygonal = np.isin(shapely.get_type_id(geoms), [3, 6])
    outline = geoms.copy()
    if polygonal.any():
        outline[polygonal] = shapely.boundary(geoms[polygonal])
    parts, owner = shapely.get_parts(outline, return_index=True)
    keep = shapely.get_num_coordinates(parts) >= 2
    parts, owner = parts[keep], owner[keep]
    coords, part_of = shapely.get_coordinates(parts, return_index=True)
    counts = np.bincount(part_of, minlength=len(parts))
    step = max_vertices - 1
    chunks = np.maximum(np.ceil((counts - 1) / step).astype(int), 1)
    first = np.cumsum(counts) - counts                       # first coordinate row of each part
    chunk_part = np.repeat(np.arange(len(parts)), chunks)
    chunk_no = np.arange(chunks.sum()) - np.repeat(np.cumsum(chunks) - chunks, chunks)
    start = chunk_no * step
    end = np.minimum(start + step, counts[chunk_part] - 1)  # inclusive: shares a vertex with the next piece
    size = end - start + 1
    rows = np.repeat(first[chunk_part] + start, size) + (np.arange(size.sum()) - np.repeat(np.cumsum(size) - size, size))
    pieces = shapely.linestrings(coords[rows], indices=np.repeat(np.arange(len(size)), size))
    return pieces, owner[chunk_part]
