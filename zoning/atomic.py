"""Atomic outputs: write under a temporary name in the target's folder, rename into place when complete.

An interrupted run (an exception, Ctrl-C, ``kill -9``) never leaves a file under its final name that looks
complete: the final name either holds the previous complete file or the new complete one.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> with atomic_path(folder / "out.txt") as tmp:
...     _ = tmp.write_text("done")
>>> sorted(p.name for p in folder.iterdir())
['out.txt']
"""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path

TEMP_PREFIX = ".partial-"


def temp_name(final: str | Path) -> Path:
    """A hidden temporary path beside `final` (same folder, so the rename is atomic), keeping its suffix."""
    final = Path(final)
    return final.with_name(f"{TEMP_PREFIX}{uuid.uuid4().hex[:8]}-{final.name}")


def commit(tmp: str | Path, final: str | Path) -> Path:
    """Rename the complete `tmp` onto `final` (atomic on one file system), flushing it to disk first."""
    tmp, final = Path(tmp), Path(final)
    with contextlib.suppress(OSError):
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    os.replace(tmp, final)
    return final


def discard(tmp: str | Path) -> None:
    """Remove a temporary file (and a GeoPackage's -wal/-shm/-journal companions) if present."""
    tmp = Path(tmp)
    for p in (tmp, *(tmp.with_name(tmp.name + s) for s in ("-wal", "-shm", "-journal"))):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


@contextlib.contextmanager
def atomic_path(final: str | Path):
    """Yield a temporary path to write; on success it is renamed onto `final`, on any error it is removed."""
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_name(final)
    try:
        yield tmp
    except BaseException:
        discard(tmp)
        raise
    commit(tmp, final)


def write_bytes(final: str | Path, data: bytes) -> int:
    """Write `data` to `final` atomically; return the number of bytes."""
    with atomic_path(final) as tmp:
        tmp.write_bytes(data)
    return len(data)
