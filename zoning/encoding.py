"""Guess a shapefile's attribute encoding (GBK vs UTF-8) from the .dbf bytes when there is no .cpg.

Official Chinese deliveries are usually GBK with no .cpg; GDAL then assumes ISO-8859-1 and Chinese
names come out as mojibake. UTF-8 is strict enough that text that decodes as UTF-8 almost surely is.
"""

from __future__ import annotations

from pathlib import Path

from .archive import list_members, read_head

#: dBase language-driver ids (header byte 29) that name a Chinese code page.
_LDID = {0x4D: "GBK", 0x7A: "GBK", 0x7B: "BIG5"}


def dbf_bytes(path: str | Path, limit: int = 4_000_000) -> bytes | None:
    """The first `limit` bytes of the .dbf next to a .shp (or inside a zipped shapefile), None if absent."""
    path = Path(path)
    if path.suffix.lower() == ".zip":
        names = list_members(path, {".dbf"})  # bounded reads: a bomb cannot expand in memory
        return read_head(path, names[0], limit) if names else None
    for suffix in (".dbf", ".DBF"):
        candidate = path.with_suffix(suffix)
        if candidate.exists():
            with candidate.open("rb") as fh:
                return fh.read(limit)
    return None


def has_cpg(path: str | Path) -> bool:
    """True when the shapefile (plain or zipped) comes with a .cpg file declaring its encoding."""
    path = Path(path)
    if path.suffix.lower() == ".zip":
        return bool(list_members(path, {".cpg"}))
    return path.with_suffix(".cpg").exists() or path.with_suffix(".CPG").exists()


def detect_encoding(data: bytes) -> str:
    """'UTF-8' when the record bytes decode as UTF-8 (or are plain ASCII), else 'GBK' (via GB18030).

    >>> detect_encoding("红线".encode("gbk") * 3)
    'GBK'
    >>> detect_encoding("红线".encode("utf-8"))
    'UTF-8'
    """
    body = _records(data)
    try:
        body.decode("utf-8")
        return "UTF-8"
    except UnicodeDecodeError as exc:
        # a multi-byte character cut off by the read limit is not evidence against UTF-8
        if exc.start >= len(body) - 3 and exc.reason == "unexpected end of data":
            return "UTF-8"
    ldid = data[29] if len(data) > 29 else 0
    if ldid in _LDID:
        return _LDID[ldid]
    try:
        body.decode("gb18030")
        return "GBK"
    except UnicodeDecodeError:
        return "GBK"  # the common case in Chinese deliveries; reported, so the user can set encoding


def _records(data: bytes) -> bytes:
    """The record part of a dBase file (after its header), or the bytes as given when not a dBase file."""
    if len(data) >= 32 and data[0] in (0x03, 0x83, 0x8B, 0xF5, 0x30, 0x31):
        header_len = int.from_bytes(data[8:10], "little")
        if 32 <= header_len <= len(data):
            return data[header_len:]
    return data


def shapefile_encoding(path: str | Path) -> str | None:
    """Detected encoding of a shapefile without .cpg, or None when it has one (GDAL reads it) or no .dbf."""
    if has_cpg(path):
        return None
    data = dbf_bytes(path)
    return None if data is None else detect_encoding(data)
