"""Reading a seller's skeleton archive, which is hostile input (SPEC §4.10).

The format comes from the content (magic bytes), never from the file name. Every member is checked
before anything is written: its type (files and folders only), its path (under one of the four root
folders, nothing that could leave them), and its size, counted while reading, never taken from the
headers. Compression bombs are caught by comparing the bytes produced with the compressed bytes
consumed so far. Extraction writes into a fresh staging folder inside the target and moves the result
into place only once the whole archive has passed.
"""

from __future__ import annotations

import enum
import gzip
import io
import json
import os
import re
import shutil
import stat
import struct
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from comptoir.errors import DomainError
from comptoir.settings import Settings, get_settings

ROOT_FOLDERS = ("httpdocs", "cgi-bin", "anon_ftp", "error_docs")
ARCHIVE_FIELD = "contentBase64"
CHUNK = 64 * 1024
# Below this many bytes produced, the compression ratio is not judged (headers compress very well).
RATIO_FLOOR = 1024 * 1024
MAX_PATH_LENGTH = 1024
MAX_NAME_BYTES = 255
# Room a central-directory record may take per entry: fixed part, a full-length name, extra fields.
ZIP_DIRECTORY_BYTES_PER_ENTRY = 46 + MAX_PATH_LENGTH + 512
DRIVE_LETTER = re.compile(r"^[A-Za-z]:")


class SkeletonErrorCode(enum.Enum):
    INVALID = "invalid"
    INVALID_FILENAME = "invalid_filename"
    INVALID_BASE64 = "invalid_base64"
    EMPTY_UPLOAD = "empty_upload"
    UPLOAD_TOO_LARGE = "upload_too_large"
    UNKNOWN_FORMAT = "unknown_format"
    CORRUPT_ARCHIVE = "corrupt_archive"
    UNSAFE_PATH = "unsafe_path"
    LINK_NOT_ALLOWED = "link_not_allowed"
    SPECIAL_FILE_NOT_ALLOWED = "special_file_not_allowed"
    ENCRYPTED_ENTRY = "encrypted_entry"
    UNEXPECTED_ROOT_ENTRY = "unexpected_root_entry"
    DUPLICATE_ENTRY = "duplicate_entry"
    NO_SKELETON_FOLDERS = "no_skeleton_folders"
    TOO_MANY_ENTRIES = "too_many_entries"
    FILE_TOO_LARGE = "file_too_large"
    TOTAL_SIZE_TOO_LARGE = "total_size_too_large"
    COMPRESSION_RATIO_TOO_HIGH = "compression_ratio_too_high"


class SkeletonError(DomainError):
    def __init__(self, code: SkeletonErrorCode, message: str, *, field: str | None = ARCHIVE_FIELD) -> None:
        super().__init__(code, message, field=field)


class ArchiveFormat(enum.Enum):
    TAR = "tar"
    TAR_GZIP = "tar.gz"
    ZIP = "zip"


@dataclass(frozen=True)
class ArchiveLimits:
    max_upload_bytes: int = 10 * 1024 * 1024
    max_entries: int = 1000
    max_total_bytes: int = 50 * 1024 * 1024
    max_file_bytes: int = 20 * 1024 * 1024
    max_compression_ratio: int = 100

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> ArchiveLimits:
        settings = settings or get_settings()
        return cls(max_upload_bytes=settings.skeleton_max_upload_bytes, max_entries=settings.skeleton_max_entries,
                   max_total_bytes=settings.skeleton_max_total_bytes,
                   max_file_bytes=settings.skeleton_max_file_bytes,
                   max_compression_ratio=settings.skeleton_max_compression_ratio)


@dataclass(frozen=True)
class ArchiveManifest:
    """What a checked archive holds: its entries (folders end with '/'), sorted."""

    format: ArchiveFormat
    entries: tuple[str, ...]
    file_count: int
    total_bytes: int


@dataclass(frozen=True)
class _Member:
    path: tuple[str, ...]
    is_dir: bool
    executable: bool
    chunks: Iterator[bytes] | None  # a file's content, read (and counted) on demand


def _shown(name: str) -> str:
    """An entry name fit for a message: quoted, escaped, truncated."""
    return json.dumps(name if len(name) <= 120 else name[:117] + "...")


def detect_format(data: bytes) -> ArchiveFormat:
    """The archive's format from its first bytes."""
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return ArchiveFormat.ZIP
    if data[:2] == b"\x1f\x8b":
        return ArchiveFormat.TAR_GZIP
    if _is_tar_header(data[:512]):
        return ArchiveFormat.TAR
    raise SkeletonError(SkeletonErrorCode.UNKNOWN_FORMAT,
                        "The file is not a tar, tar.gz (tgz) or zip archive (judged by its content, not its name).")


def _is_tar_header(block: bytes) -> bool:
    return len(block) == 512 and block[257:262] == b"ustar"


# ---- byte counting -----------------------------------------------------------------------------

class _Source(io.BytesIO):
    """The uploaded bytes, counting how many the decompressor has consumed."""

    consumed = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.consumed += len(data)
        return data

    def read1(self, size: int | None = -1) -> bytes:
        data = super().read1(size)
        self.consumed += len(data)
        return data


class _Budget:
    """Counts what an archive produces against the limits, while it is produced."""

    def __init__(self, limits: ArchiveLimits, source: _Source) -> None:
        self.limits = limits
        self.source = source
        self.produced = 0  # decompressed bytes (tar: the whole stream, headers included)
        self.content = 0  # file contents
        self.entries = 0

    def count_entry(self) -> None:
        self.entries += 1
        if self.entries > self.limits.max_entries:
            raise SkeletonError(SkeletonErrorCode.TOO_MANY_ENTRIES,
                                f"The archive holds more than {self.limits.max_entries} entries.")

    def count_produced(self, size: int) -> None:
        self.produced += size
        ratio = self.limits.max_compression_ratio
        if self.produced > RATIO_FLOOR and self.produced > ratio * max(self.source.consumed, 1):
            raise SkeletonError(SkeletonErrorCode.COMPRESSION_RATIO_TOO_HIGH,
                                f"The archive expands more than {ratio} times its compressed size "
                                "(a compression bomb?).")

    def count_content(self, name: str, file_so_far: int, size: int) -> None:
        if file_so_far > self.limits.max_file_bytes:
            raise _file_too_large(name, self.limits)
        self.content += size
        if self.content > self.limits.max_total_bytes:
            raise SkeletonError(SkeletonErrorCode.TOTAL_SIZE_TOO_LARGE,
                                f"The archive's files add up to more than {self.limits.max_total_bytes} bytes.")


def _file_too_large(name: str, limits: ArchiveLimits) -> SkeletonError:
    return SkeletonError(SkeletonErrorCode.FILE_TOO_LARGE,
                         f"The file {_shown(name)} is larger than {limits.max_file_bytes} bytes.")


class _CountedStream:
    """A decompressed stream whose every byte is counted (tar reads headers and data through it)."""

    def __init__(self, raw: BinaryIO, budget: _Budget) -> None:
        self.raw = raw
        self.budget = budget
        # A tar stream is its contents plus at most a header and padding (3 blocks) per entry.
        self.ceiling = budget.limits.max_total_bytes + (budget.limits.max_entries + 2) * 3 * 512

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(CHUNK if size < 0 else min(size, CHUNK))
        self.budget.count_produced(len(data))
        if self.budget.produced > self.ceiling:
            raise SkeletonError(SkeletonErrorCode.TOTAL_SIZE_TOO_LARGE,
                                f"The archive's files add up to more than {self.budget.limits.max_total_bytes} "
                                "bytes.")
        return data


# ---- member checks -----------------------------------------------------------------------------

class _Layout:
    """The paths seen so far: refuses duplicates and a file standing where a folder is needed."""

    def __init__(self) -> None:
        self.files: set[tuple[str, ...]] = set()
        self.dirs: set[tuple[str, ...]] = set()

    def add(self, name: str, path: tuple[str, ...], *, is_dir: bool) -> None:
        parents = [path[:i] for i in range(1, len(path))]
        clash = path in self.files or (not is_dir and path in self.dirs) or any(p in self.files for p in parents)
        if clash:
            raise SkeletonError(SkeletonErrorCode.DUPLICATE_ENTRY,
                                f"The entry {_shown(name)} appears twice, or as both a file and a folder.")
        self.dirs.update(parents)
        (self.dirs if is_dir else self.files).add(path)

    def entries(self) -> tuple[str, ...]:
        return tuple(sorted(["/".join(d) + "/" for d in self.dirs] + ["/".join(f) for f in self.files]))


def entry_path(name: str, *, is_dir: bool) -> tuple[str, ...] | None:
    """The checked components of a member's path; None for the archive's own root ('.', './')."""
    if any(ord(c) < 0x20 or c == "\x7f" for c in name):
        raise _unsafe(name, "contains control characters")
    if "\\" in name:
        raise _unsafe(name, "contains a backslash")
    if name.startswith("/"):
        raise _unsafe(name, "is an absolute path")
    if DRIVE_LETTER.match(name):
        raise _unsafe(name, "names a drive")
    if len(name) > MAX_PATH_LENGTH:
        raise _unsafe(name, f"is longer than {MAX_PATH_LENGTH} characters")
    path = name
    while path.startswith("./"):
        path = path[2:]
    if is_dir:
        path = path.rstrip("/")
    if path in ("", "."):
        if not is_dir:
            raise _unsafe(name, "names a file without a name")
        return None
    parts = tuple(path.split("/"))
    for part in parts:
        if part == "..":
            raise _unsafe(name, "leaves the archive's root")
        if part in ("", "."):
            raise _unsafe(name, "has an empty or '.' path component")
        if ":" in part:
            raise _unsafe(name, "contains ':' (a drive or an NTFS stream on Windows servers)")
        if len(part.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES:
            raise _unsafe(name, f"has a component longer than {MAX_NAME_BYTES} bytes")
    if parts[0] not in ROOT_FOLDERS or (len(parts) == 1 and not is_dir):
        raise SkeletonError(SkeletonErrorCode.UNEXPECTED_ROOT_ENTRY,
                            f"The entry {_shown(name)} is not inside httpdocs/, cgi-bin/, anon_ftp/ or error_docs/: "
                            "the archive's root may hold only these folders.")
    return parts


def _unsafe(name: str, why: str) -> SkeletonError:
    return SkeletonError(SkeletonErrorCode.UNSAFE_PATH, f"The entry {_shown(name)} {why}.")


def _link(name: str) -> SkeletonError:
    return SkeletonError(SkeletonErrorCode.LINK_NOT_ALLOWED,
                         f"The entry {_shown(name)} is a link; only files and folders are accepted.")


def _special(name: str) -> SkeletonError:
    return SkeletonError(SkeletonErrorCode.SPECIAL_FILE_NOT_ALLOWED,
                         f"The entry {_shown(name)} is a device, FIFO or other special file; "
                         "only files and folders are accepted.")


def _corrupt(error: BaseException) -> SkeletonError:
    return SkeletonError(SkeletonErrorCode.CORRUPT_ARCHIVE, f"The archive cannot be read: {error}.")


# Whatever a damaged archive makes the standard readers raise.
_READ_ERRORS = (tarfile.TarError, zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError,
                struct.error, zlib.error, NotImplementedError, RuntimeError, UnicodeDecodeError)


# ---- tar and tar.gz ----------------------------------------------------------------------------

def _tar_members(data: bytes, compressed: bool, budget: _Budget) -> Iterator[_Member]:
    raw: BinaryIO = gzip.GzipFile(fileobj=budget.source, mode="rb") if compressed else budget.source
    stream = _CountedStream(raw, budget)
    try:
        first = stream.read(512)
        if not _is_tar_header(first):
            raise SkeletonError(SkeletonErrorCode.UNKNOWN_FORMAT,
                                "The gzip file does not hold a tar archive." if compressed
                                else "The file is not a tar archive.")
        archive = tarfile.open(fileobj=_Prefixed(first, stream), mode="r|")  # type: ignore[call-overload]
        member = archive.next()
    except _READ_ERRORS as error:
        raise _corrupt(error) from None
    while member is not None:
        budget.count_entry()
        yield _tar_member(archive, member, budget)
        try:
            member = archive.next()
        except _READ_ERRORS as error:
            raise _corrupt(error) from None


def _tar_member(archive: tarfile.TarFile, member: tarfile.TarInfo, budget: _Budget) -> _Member:
    name = member.name
    if member.issym() or member.islnk():
        raise _link(name)
    if not (member.isfile() or member.isdir()) or member.issparse():
        raise _special(name)
    path = entry_path(name, is_dir=member.isdir())
    if member.isfile() and member.size > budget.limits.max_file_bytes:
        raise _file_too_large(name, budget.limits)
    chunks = _tar_chunks(archive, member, budget) if member.isfile() else None
    return _Member(path or (), member.isdir(), bool(member.mode & stat.S_IXUSR), chunks)


def _tar_chunks(archive: tarfile.TarFile, member: tarfile.TarInfo, budget: _Budget) -> Iterator[bytes]:
    size = 0
    try:
        content = archive.extractfile(member)
        assert content is not None
        while chunk := content.read(CHUNK):
            size += len(chunk)
            budget.count_content(member.name, size, len(chunk))
            yield chunk
    except _READ_ERRORS as error:
        raise _corrupt(error) from None


class _Prefixed:
    """A stream with bytes already read put back in front."""

    def __init__(self, prefix: bytes, stream: _CountedStream) -> None:
        self.prefix = prefix
        self.stream = stream

    def read(self, size: int = -1) -> bytes:
        if self.prefix:
            head, self.prefix = (self.prefix, b"") if size < 0 else (self.prefix[:size], self.prefix[size:])
            return head
        return self.stream.read(size)


# ---- zip ---------------------------------------------------------------------------------------

def _zip_directory(data: bytes) -> tuple[int, int]:
    """Entries and central-directory size the end record declares (zip64 aware), read before zipfile
    parses the directory, so an enormous directory is refused without being loaded."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 65535))
    if end < 0 or len(data) < end + 22:
        raise _corrupt(ValueError("no end of central directory"))
    entries, size = struct.unpack_from("<HI", data, end + 10)
    if entries == 0xFFFF or size == 0xFFFFFFFF:
        locator = end - 20
        if locator < 0 or data[locator:locator + 4] != b"PK\x06\x07":
            raise _corrupt(ValueError("zip64 locator missing"))
        (offset,) = struct.unpack_from("<Q", data, locator + 8)
        if offset + 56 > len(data) or data[offset:offset + 4] != b"PK\x06\x06":
            raise _corrupt(ValueError("zip64 end record missing"))
        entries, size = struct.unpack_from("<QQ", data, offset + 32)
    return entries, size


def _zip_members(data: bytes, budget: _Budget) -> Iterator[_Member]:
    limits = budget.limits
    entries, directory_size = _zip_directory(data)
    if entries > limits.max_entries or directory_size > limits.max_entries * ZIP_DIRECTORY_BYTES_PER_ENTRY:
        raise SkeletonError(SkeletonErrorCode.TOO_MANY_ENTRIES,
                            f"The archive holds more than {limits.max_entries} entries.")
    try:
        archive = zipfile.ZipFile(budget.source)
        infos = archive.infolist()
    except _READ_ERRORS as error:
        raise _corrupt(error) from None
    for info in infos:
        budget.count_entry()
        yield _zip_member(archive, info, budget)


def _zip_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget) -> _Member:
    name = info.orig_filename
    mode = info.external_attr >> 16
    kind = stat.S_IFMT(mode)
    if kind == stat.S_IFLNK:
        raise _link(name)
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        raise _special(name)
    is_dir = name.endswith("/") or kind == stat.S_IFDIR
    path = entry_path(name, is_dir=is_dir)
    if info.flag_bits & 0x1:
        raise SkeletonError(SkeletonErrorCode.ENCRYPTED_ENTRY,
                            f"The entry {_shown(name)} is encrypted; upload an archive without a password.")
    if not is_dir and info.file_size > budget.limits.max_file_bytes:
        raise _file_too_large(name, budget.limits)
    chunks = None if is_dir else _zip_chunks(archive, info, budget)
    return _Member(path or (), is_dir, bool(mode & stat.S_IXUSR), chunks)


def _zip_chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget) -> Iterator[bytes]:
    size = 0
    try:
        with archive.open(info) as content:
            while chunk := content.read(CHUNK):
                size += len(chunk)
                budget.count_produced(len(chunk))
                budget.count_content(info.orig_filename, size, len(chunk))
                yield chunk
    except _READ_ERRORS as error:
        raise _corrupt(error) from None


# ---- walking, checking, extracting -------------------------------------------------------------

def _walk(data: bytes, limits: ArchiveLimits, on_member: Callable[[_Member], None]) -> ArchiveManifest:
    if not data:
        raise SkeletonError(SkeletonErrorCode.EMPTY_UPLOAD, "The archive is empty.")
    if len(data) > limits.max_upload_bytes:
        raise SkeletonError(SkeletonErrorCode.UPLOAD_TOO_LARGE,
                            f"The archive is larger than {limits.max_upload_bytes} bytes.")
    archive_format = detect_format(data)
    budget = _Budget(limits, _Source(data))
    members = (_zip_members(data, budget) if archive_format is ArchiveFormat.ZIP
               else _tar_members(data, archive_format is ArchiveFormat.TAR_GZIP, budget))
    layout = _Layout()
    file_count = 0
    for member in members:
        if member.path:
            layout.add("/".join(member.path), member.path, is_dir=member.is_dir)
            file_count += not member.is_dir
        on_member(member)
        for _ in member.chunks or ():  # whatever the callback left unread is still counted
            pass
    if not layout.dirs:
        raise SkeletonError(SkeletonErrorCode.NO_SKELETON_FOLDERS,
                            "The archive holds none of httpdocs/, cgi-bin/, anon_ftp/, error_docs/.")
    return ArchiveManifest(archive_format, layout.entries(), file_count, budget.content)


def inspect(data: bytes, limits: ArchiveLimits | None = None) -> ArchiveManifest:
    """Check a whole archive (every byte is read and counted, nothing is written); raise SkeletonError."""
    return _walk(data, limits or ArchiveLimits.from_settings(), lambda member: None)


def extract(data: bytes, target: Path, limits: ArchiveLimits | None = None) -> ArchiveManifest:
    """Extract a checked archive into `target`, an existing folder without the four root folders.

    Members are written into a staging folder inside `target`; only after the last member passed are
    the root folders moved into place. On any refusal the staging folder is removed and `target` is
    left as it was.
    """
    staging = Path(tempfile.mkdtemp(prefix=".skeleton-", dir=target))
    try:
        manifest = _walk(data, limits or ArchiveLimits.from_settings(), lambda m: _write(staging, m))
        for folder in ROOT_FOLDERS:
            if (staging / folder).is_dir():
                os.rename(staging / folder, target / folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return manifest


def _write(staging: Path, member: _Member) -> None:
    if not member.path:
        return
    destination = staging.joinpath(*member.path)
    # The components were checked and only real folders were ever created here: a last guard all the same.
    if not destination.resolve().is_relative_to(staging.resolve()):
        raise _unsafe("/".join(member.path), "leaves the archive's root")
    if member.is_dir:
        destination.mkdir(mode=0o755, parents=True, exist_ok=True)
        return
    destination.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(destination, flags, 0o755 if member.executable else 0o644)
    with os.fdopen(descriptor, "wb") as out:
        for chunk in member.chunks or ():
            out.write(chunk)
