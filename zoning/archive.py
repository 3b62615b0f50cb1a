"""Open zipped inputs safely: extract the useful members into a private temporary folder, nowhere else.

A zipped project list or catalog layer comes from outside, so the archive is not trusted:

* members whose path leaves the folder (``..``, ``/x``, ``C:\\x``, ``\\\\server\\x``, ``a:stream``) and
  links, devices or pipes are skipped with a warning (zip-slip);
* nested archives (.zip, .kmz, .7z, ...) are not opened, encrypted members are not guessed at;
* the declared uncompressed sizes are summed before anything is written and an archive over the cap
  (``max_bytes``, 1 GB by default) is refused at once; while extracting, the bytes actually produced are
  counted and a member that expands beyond its declared size is refused as soon as it does, so the total
  written can never pass the cap whatever the headers claim;
* members are decompressed here in 1 MiB steps (not through ``zipfile.ZipExtFile``, which inflates a whole
  4 KiB read of a bzip2 member at once — gigabytes for a crafted member), so memory stays bounded;
* the member count (10,000 by default) is checked from the end-of-central-directory record before Python's
  zipfile parses the directory, and the directory's size is capped too;
* names written by Chinese Windows without the UTF-8 flag are GBK bytes that zipfile shows as cp437
  mojibake; they are decoded back as GBK so 项目.shp comes out right.

    with safe_extract("projects.zip", suffixes=VECTOR_SUFFIXES) as extracted:
        shp = extracted.find(".shp")

Messages are Chinese first, English beside, and name the archive, the member, the fault and the fix.
"""

from __future__ import annotations

import bz2
import lzma
import os
import shutil
import stat
import struct
import tempfile
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Iterable, Iterator

from .errors import ZoningError

__all__ = [
    "ArchiveError", "Extracted", "safe_extract", "list_members", "read_head", "member_name",
    "DEFAULT_MAX_BYTES", "DEFAULT_MAX_MEMBERS", "SHAPEFILE_SUFFIXES", "VECTOR_SUFFIXES", "PROJECT_SUFFIXES",
]

#: cap on the total uncompressed size of the members extracted (bytes)
DEFAULT_MAX_BYTES = 1_000_000_000
#: cap on the number of entries in the archive's central directory
DEFAULT_MAX_MEMBERS = 10_000

#: the files a shapefile may come with
SHAPEFILE_SUFFIXES = frozenset({".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx"})
#: vector formats GDAL reads from the extracted folder
VECTOR_SUFFIXES = SHAPEFILE_SUFFIXES | {".gpkg", ".geojson", ".json", ".kml"}
#: what a zipped project list may hold: vector files and tables
PROJECT_SUFFIXES = VECTOR_SUFFIXES | {".csv", ".xlsx"}

#: archives inside the archive are never opened (their expansion would escape the cap)
NESTED_SUFFIXES = frozenset({".zip", ".kmz", ".7z", ".rar", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".zst"})

_CHUNK = 1 << 20            # bytes read or produced per step
_ENTRY_BYTES = 1024         # generous mean size of one central-directory entry, to cap the directory
_MAX_LZMA_DICT = 1 << 30    # liblzma allocates the whole dictionary a member's header asks for
_UTF8_FLAG = 0x800
_ENCRYPTED_FLAG = 0x1
_METHOD_NAMES = {9: "Deflate64", 6: "Implode", 98: "PPMd", 93: "Zstandard", 95: "XZ", 96: "JPEG", 99: "AES"}


class ArchiveError(ZoningError):
    """A zip archive is unreadable, damaged, over the size or member cap, or holds nothing usable."""


@dataclass
class Extracted:
    """What safe_extract wrote: members (relative POSIX paths) under `folder`, and what it left out."""

    archive: Path
    folder: Path
    members: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: uncompressed bytes written into `folder`
    total_bytes: int = 0

    def path(self, member: str) -> Path:
        """The extracted file of `member` (one of `members`)."""
        if member not in self.members:
            raise KeyError(member)
        return self.folder.joinpath(*PurePosixPath(member).parts)

    def find(self, *suffixes: str) -> list[Path]:
        """Extracted files whose suffix is one of `suffixes` (case-insensitive), in archive order."""
        wanted = _suffix_set(suffixes)
        return [self.path(m) for m in self.members if PurePosixPath(m).suffix.lower() in wanted]


@contextmanager
def safe_extract(path: str | os.PathLike, max_bytes: int = DEFAULT_MAX_BYTES,
                 suffixes: Iterable[str] | None = None, *, max_members: int = DEFAULT_MAX_MEMBERS,
                 temp_dir: str | os.PathLike | None = None) -> Iterator[Extracted]:
    """Extract the zip at `path` into a private temporary folder, removed when the block ends.

    `suffixes` (e.g. VECTOR_SUFFIXES) keeps only members of those types; `max_bytes` caps the uncompressed
    total and `max_members` the entry count; `temp_dir` is where the private folder is made (system default).
    Raises ArchiveError for a file that is not a readable zip, a damaged member, an archive over a cap
    (a zip bomb) or one with no member left to extract.
    """
    if int(max_bytes) <= 0 or int(max_members) <= 0:
        raise ValueError("max_bytes and max_members must be positive")
    wanted = None if suffixes is None else _suffix_set(suffixes)
    folder = Path(tempfile.mkdtemp(prefix="zoning-zip-", dir=temp_dir))
    try:
        yield _extract(Path(path), folder, int(max_bytes), wanted, int(max_members))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its author wrote it: GBK names from Chinese Windows decoded back from cp437.

    zipfile decodes names without the UTF-8 flag (bit 0x800) as cp437; Chinese tools write GBK there.
    A name that does not re-encode as cp437 / decode as GBK stays as zipfile read it.
    """
    name = info.filename
    if info.flag_bits & _UTF8_FLAG or name.isascii():
        return name
    try:
        return name.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return name


# ---------------------------------------------------------------- extraction


def _extract(path: Path, folder: Path, max_bytes: int, wanted: frozenset | None, max_members: int) -> Extracted:
    result = Extracted(archive=path, folder=folder)
    with _opened(path) as fh:
        chosen = _members(path, fh, wanted, max_members, result)
        declared = sum(info.file_size for info, _ in chosen)
        if declared > max_bytes:
            raise ArchiveError(f"{path}: 解压后共 {declared:,} 字节，超过上限 {max_bytes:,}，疑似压缩炸弹，已拒绝 / "
                               f"the members declare {declared:,} bytes uncompressed, over the cap of "
                               f"{max_bytes:,}; refused as a possible zip bomb. If you trust the file, raise "
                               "the cap (max_bytes) or unzip it yourself")
        for info, parts in chosen:
            _write_member(path, fh, info, parts, folder, result)
    if not result.members:
        reasons = "; ".join(f"{name}: {reason}" for name, reason in result.skipped[:5]) or "empty archive"
        more = f" (+{len(result.skipped) - 5} more)" if len(result.skipped) > 5 else ""
        kinds = ", ".join(sorted(wanted)) if wanted else "any file"
        raise ArchiveError(f"{path}: 压缩包中没有可用的文件 / the archive holds nothing usable "
                           f"(wanted {kinds}; {reasons}{more}); zip the data files themselves")
    return result


def list_members(path: str | os.PathLike, suffixes: Iterable[str] | None = None, *,
                 max_members: int = DEFAULT_MAX_MEMBERS) -> list[str]:
    """The cleaned names safe_extract would extract (of those suffixes), in archive order; nothing is written.

    Names are relative POSIX paths, GBK names decoded; zip-slip members, links and the like are not listed.
    """
    path = Path(path)
    wanted = None if suffixes is None else _suffix_set(suffixes)
    with _opened(path) as fh:
        chosen = _members(path, fh, wanted, int(max_members), Extracted(archive=path, folder=Path()))
    return ["/".join(parts) for _, parts in chosen]


def read_head(path: str | os.PathLike, member: str, limit: int, *, max_members: int = DEFAULT_MAX_MEMBERS) -> bytes:
    """The first `limit` uncompressed bytes of `member` (a name from list_members), in bounded memory.

    For sniffing a header (a .dbf's encoding) without extracting; KeyError when there is no such member.
    """
    path = Path(path)
    with _opened(path) as fh:
        chosen = _members(path, fh, None, int(max_members), Extracted(archive=path, folder=Path()))
        found = [info for info, parts in chosen if "/".join(parts) == member]
        if not found:
            raise KeyError(member)
        blocks, size = [], 0
        for block in _decompressed(path, fh, found[0], member):
            blocks.append(block[:limit - size])
            size += len(blocks[-1])
            if size >= limit:
                break
    return b"".join(blocks)


@contextmanager
def _opened(path: Path):
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise ArchiveError(f"{path}: 无法打开压缩包 / cannot open the archive ({exc}); check the path") from exc
    with fh:
        yield fh


def _members(path: Path, fh, wanted: frozenset | None, max_members: int,
             result: Extracted) -> list[tuple[zipfile.ZipInfo, tuple[str, ...]]]:
    """The archive's entries to extract, after the member cap; the others go to result.skipped."""
    _check_directory(path, fh, max_members)
    try:
        with zipfile.ZipFile(fh) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError, struct.error) as exc:
        raise ArchiveError(f"{path}: 不是可读的 zip 压缩包 / not a readable zip archive ({exc}); "
                           "re-create it with a standard zip tool") from exc
    if len(infos) > max_members:
        raise ArchiveError(_too_many(path, len(infos), max_members))
    return _choose(path, infos, wanted, result)


def _choose(path: Path, infos: list[zipfile.ZipInfo], wanted: frozenset | None,
            result: Extracted) -> list[tuple[zipfile.ZipInfo, tuple[str, ...]]]:
    """The members to extract with their cleaned path parts; the others go to result.skipped."""
    chosen, seen = [], set()
    for info in infos:
        name = member_name(info)
        mode = info.external_attr >> 16
        kind = stat.S_IFMT(mode)
        if info.is_dir() or kind == stat.S_IFDIR:
            continue  # folders are made as their files need them
        if kind == stat.S_IFLNK:
            _skip(path, result, name, "符号链接，可能指向解压目录之外", "a symbolic link, which could point outside "
                  "the folder; zip the file it points to instead")
            continue
        if kind and kind != stat.S_IFREG:
            _skip(path, result, name, "不是普通文件", "not a regular file (device, pipe or socket)")
            continue
        parts, zh, en = _clean_parts(name)
        if parts is None:
            _skip(path, result, name, zh, en)
            continue
        suffix = PurePosixPath(parts[-1]).suffix.lower()
        if parts[0] == "__MACOSX" or parts[-1].startswith("._") or parts[-1] in (".DS_Store", "Thumbs.db"):
            result.skipped.append((name, "macOS/Windows metadata"))
            continue
        if suffix in NESTED_SUFFIXES:
            _skip(path, result, name, "嵌套的压缩包不会打开", "a nested archive, which is not opened; unzip the "
                  "outer archive and give the inner file directly")
            continue
        if wanted is not None and suffix not in wanted:
            result.skipped.append((name, f"file type {suffix or '(none)'} not needed"))
            continue
        if info.flag_bits & _ENCRYPTED_FLAG:
            _skip(path, result, name, "已加密", "encrypted (password-protected); unzip it with the password and "
                  "give the files or an unencrypted zip")
            continue
        if info.compress_type not in _DECODERS:
            method = _METHOD_NAMES.get(info.compress_type, str(info.compress_type))
            _skip(path, result, name, f"压缩方式 {method} 不受支持", f"compression method {method} is not "
                  "supported; re-zip it with standard Deflate (the default of most zip tools)")
            continue
        key = "/".join(parts).casefold()
        if key in seen:
            _skip(path, result, name, "与前面的成员重名", "the same path as an earlier member; the first is kept")
            continue
        seen.add(key)
        chosen.append((info, parts))
    return chosen


def _clean_parts(name: str) -> tuple[tuple[str, ...] | None, str, str]:
    """(path parts inside the folder, '', '') for a safe name; (None, 中文, English) saying why it is not."""
    text = name.replace("\\", "/")
    if text.startswith("//"):
        return None, "网络路径", r"a network path (\\server\share\...), which would be written elsewhere"
    if text.startswith("/"):
        return None, "绝对路径", "an absolute path, which would be written outside the folder"
    if len(text) >= 2 and text[1] == ":" and text[0].isascii() and text[0].isalpha():
        return None, "带盘符的路径", r"a drive-letter path (C:\...), which would be written outside the folder"
    parts = tuple(p for p in text.split("/") if p not in ("", "."))
    # Windows drops trailing dots and spaces, so '...' or '.. ' would act as '..' there
    if any(p.rstrip(" .") == "" for p in parts):
        return None, "路径含 '..'", "its path climbs out of the folder with '..' (zip-slip)"
    if any(":" in p for p in parts):
        return None, "名称含冒号", "a colon in its name (a drive letter or an NTFS stream)"
    if not parts:
        return None, "名称为空", "an empty name"
    return parts, "", ""


def _skip(path: Path, result: Extracted, name: str, zh: str, en: str) -> None:
    result.skipped.append((name, en))
    result.warnings.append(f"{path}: 已跳过成员 {name!r}：{zh} / skipped member {name!r}: {en}")


def _write_member(path: Path, fh, info: zipfile.ZipInfo, parts: tuple[str, ...], folder: Path,
                  result: Extracted) -> None:
    """Stream one member into the folder, refusing it once it produces more than it declared."""
    name = member_name(info)
    target = folder.joinpath(*parts)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        out = os.fdopen(os.open(target, flags, 0o600), "wb")
    except OSError as exc:
        _skip(path, result, name, "无法写入", f"cannot be written ({exc.strerror or exc})")
        return
    written, crc = 0, 0
    with out:
        for block in _decompressed(path, fh, info, name):
            written += len(block)
            if written > info.file_size:
                raise ArchiveError(f"{path}: 成员 {name!r} 解压后超过其声明的 {info.file_size:,} 字节，疑似压缩炸弹，"
                                   f"已拒绝 / member {name!r} expands beyond the {info.file_size:,} bytes its "
                                   "header declares; refused as a possible zip bomb (the sizes were forged)")
            crc = zlib.crc32(block, crc)
            out.write(block)
    if written != info.file_size or crc != info.CRC:
        raise ArchiveError(f"{path}: 成员 {name!r} 已损坏 / member {name!r} is damaged (it holds {written:,} of "
                           f"{info.file_size:,} declared bytes, CRC {crc:08x} vs {info.CRC:08x}); "
                           "get a fresh copy of the archive")
    result.members.append("/".join(parts))
    result.total_bytes += written


# ---------------------------------------------------------------- decompression in bounded steps


def _compressed(path: Path, fh, info: zipfile.ZipInfo, name: str) -> Iterator[bytes]:
    """The member's compressed bytes in chunks, found through its local header."""
    fh.seek(info.header_offset)
    head = fh.read(30)
    if len(head) < 30 or head[:4] != b"PK\x03\x04":
        raise ArchiveError(f"{path}: 成员 {name!r} 的本地文件头损坏 / member {name!r} has no valid local header; "
                           "the archive is damaged, get a fresh copy")
    name_len, extra_len = struct.unpack("<HH", head[26:30])
    fh.seek(info.header_offset + 30 + name_len + extra_len)
    left = info.compress_size
    while left > 0:
        block = fh.read(min(_CHUNK, left))
        if not block:
            raise ArchiveError(f"{path}: 成员 {name!r} 被截断 / member {name!r} is cut short (the archive ends "
                               "early); get a complete copy")
        left -= len(block)
        yield block


def _decompressed(path: Path, fh, info: zipfile.ZipInfo, name: str) -> Iterator[bytes]:
    """The member's bytes, at most _CHUNK at a time whatever the compression ratio."""
    chunks = _compressed(path, fh, info, name)
    if info.compress_type == zipfile.ZIP_STORED:
        yield from chunks
        return
    decoder = _DECODERS[info.compress_type](path, name)
    try:
        for chunk in chunks:
            data = chunk
            while True:
                block = decoder.decompress(data, _CHUNK)
                if block:
                    yield block
                data = b""
                if decoder.eof or decoder.needs_input:
                    break
            if decoder.eof:
                return
    except (zlib.error, OSError, EOFError, lzma.LZMAError, ValueError) as exc:
        raise ArchiveError(f"{path}: 成员 {name!r} 无法解压 / member {name!r} cannot be decompressed ({exc}); "
                           "the archive is damaged, get a fresh copy") from exc


class _Deflate:
    """Raw deflate with bzip2/lzma's needs_input/eof interface."""

    def __init__(self, path: Path, name: str):
        self._d = zlib.decompressobj(-zlib.MAX_WBITS)
        self._full = False

    def decompress(self, data: bytes, max_length: int) -> bytes:
        block = self._d.decompress(self._d.unconsumed_tail + data, max_length)
        self._full = len(block) == max_length
        return block

    @property
    def eof(self) -> bool:
        return self._d.eof

    @property
    def needs_input(self) -> bool:
        return not self._d.unconsumed_tail and not self._full


class _Lzma:
    """Zip's LZMA: a 4-byte version/size header, 5 bytes of LZMA1 properties, then the raw stream."""

    def __init__(self, path: Path, name: str):
        self._where = (path, name)
        self._head = b""
        self._d: lzma.LZMADecompressor | None = None

    def decompress(self, data: bytes, max_length: int) -> bytes:
        if self._d is None:
            self._head += data
            if len(self._head) < 4 or len(self._head) < 4 + int.from_bytes(self._head[2:4], "little"):
                return b""
            size = int.from_bytes(self._head[2:4], "little")
            self._d = lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=[self._filter(self._head[4:4 + size])])
            data = self._head[4 + size:]
        return self._d.decompress(data, max_length)

    def _filter(self, props: bytes) -> dict:
        path, name = self._where
        packed = props[0] if len(props) == 5 else 255
        dict_size = int.from_bytes(props[1:5], "little")
        if packed >= 9 * 5 * 5 or dict_size > _MAX_LZMA_DICT:
            raise ArchiveError(f"{path}: 成员 {name!r} 的 LZMA 参数无效 / member {name!r} has invalid LZMA "
                               f"properties ({props.hex()}); re-zip it with standard Deflate")
        lc, rest = packed % 9, packed // 9
        return {"id": lzma.FILTER_LZMA1, "dict_size": dict_size, "lc": lc, "lp": rest % 5, "pb": rest // 5}

    @property
    def eof(self) -> bool:
        return self._d is not None and self._d.eof

    @property
    def needs_input(self) -> bool:
        return self._d is None or self._d.needs_input


class _Bzip2:
    def __init__(self, path: Path, name: str):
        self._d = bz2.BZ2Decompressor()

    def decompress(self, data: bytes, max_length: int) -> bytes:
        return self._d.decompress(data, max_length)

    @property
    def eof(self) -> bool:
        return self._d.eof

    @property
    def needs_input(self) -> bool:
        return self._d.needs_input


_DECODERS = {zipfile.ZIP_STORED: None, zipfile.ZIP_DEFLATED: _Deflate, zipfile.ZIP_BZIP2: _Bzip2,
             zipfile.ZIP_LZMA: _Lzma}


# ---------------------------------------------------------------- the central directory, before zipfile reads it


def _check_directory(path: Path, fh, max_members: int) -> None:
    """Refuse, from the end record alone, an archive with too many entries or too big a directory.

    zipfile reads the whole central directory into memory and makes an object per entry, so a forged
    archive of millions of entries must be stopped before it does. A missing end record is left to zipfile
    to report.
    """
    found = _end_record(fh)
    if found is None:
        return
    entries, size = found
    if entries > max_members:
        raise ArchiveError(_too_many(path, entries, max_members))
    if size > max_members * _ENTRY_BYTES:
        raise ArchiveError(f"{path}: 压缩包目录过大（{size:,} 字节）/ the archive's central directory is "
                           f"{size:,} bytes, more than {max_members:,} entries need; refused as forged or hostile")


def _too_many(path: Path, entries: int, max_members: int) -> str:
    return (f"{path}: 压缩包有 {entries:,} 个成员，超过上限 {max_members:,} / the archive has {entries:,} entries, "
            f"over the cap of {max_members:,}; refused. Zip only the data files, or raise the cap (max_members)")


def _end_record(fh) -> tuple[int, int] | None:
    """(entry count, central directory size) from the (zip64) end-of-central-directory record, or None."""
    fh.seek(0, os.SEEK_END)
    size = fh.tell()
    tail_len = min(size, 22 + 0xFFFF)  # the record plus the longest comment
    fh.seek(size - tail_len)
    tail = fh.read(tail_len)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return None
    entries, cd_size, cd_offset = struct.unpack("<HLL", tail[at + 10:at + 20])
    if entries != 0xFFFF and cd_size != 0xFFFFFFFF and cd_offset != 0xFFFFFFFF:
        return entries, cd_size
    locator = tail[at - 20:at] if at >= 20 else b""
    if locator[:4] != b"PK\x06\x07":
        return None
    (offset,) = struct.unpack("<Q", locator[8:16])
    fh.seek(offset)
    record = fh.read(56)
    if len(record) < 56 or record[:4] != b"PK\x06\x06":
        return None
    entries64, cd_size64 = struct.unpack("<QQ", record[32:48])
    return entries64, cd_size64


def _suffix_set(suffixes: Iterable[str]) -> frozenset:
    if isinstance(suffixes, str):
        suffixes = [suffixes]
    return frozenset(s.lower() if s.startswith(".") else "." + s.lower() for s in suffixes)
