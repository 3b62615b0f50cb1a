"""Errors the zoning package raises; each message names the file, line or field and the fix."""


class ZoningError(Exception):
    """Base of every error this package raises on purpose."""


class CatalogError(ZoningError):
    """The layer catalog is wrong: unknown role, missing file, field or value mapping."""


class LayerError(ZoningError):
    """A layer could not be read or does not hold what the catalog says."""


class CoordinateError(ZoningError, ValueError):
    """A coordinate or geometry text could not be understood."""
