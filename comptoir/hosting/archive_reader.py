"""Reading untrusted tar, tar.gz and zip archives member by member, with every byte counted.

The format comes from the content (magic bytes), never from a file name. Sizes are counted while
reading, never taken from headers (a declared size may only make a refusal earlier). Compression
bombs are caught by comparing the bytes produced with the compressed bytes consumed so far. What
members may be is the caller's rule (see skeleton_archive); this module only reads and counts.
"""

from __future__ import annotations

import enum
import gzip
import io
import json
import stat
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from comptoir.errors import DomainError, ErrorCode
from comptoir.settings import Settings, get_settings

ARCHIVE_FIELD = "contentBase64"
CHUNK = 64 * 1024
# Below this many bytes produced, the compression ratio is not judged (headers compress very well).
RATIO_FLOOR = 1024 * 1024
# Room a central-directory record may take per entry: fixed part, a long name, extra fields.
ZIP_DIRECTORY_BYTES_PER_ENTRY = 46 + 1024 + 512


class SkeletonErrorCode(ErrorCode):
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


class MemberKind(enum.Enum):
    FILE = "file"
    FOLDER = "folder"
    LINK = "link"  # symbolic or hard
    SPECIAL = "special"  # device, FIFO, socket, sparse or unknown


@dataclass(frozen=True)
class Member:
    name: str  # as stored, unchecked
    kind: MemberKind
    executable: bool
    encrypted: bool
    content: Iterator[bytes] | None  # a file's bytes, read (and counted) on demand


def shown(name: str) -> str:
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


class Reading:
    """One pass over an archive: `members()` yields each member after counting it; `content_bytes`
    is the file content read so far."""

    def __init__(self, data: bytes, limits: ArchiveLimits) -> None:
        if not data:
            raise SkeletonError(SkeletonErrorCode.EMPTY_UPLOAD, "The archive is empty.")
        if len(data) > limits.max_upload_bytes:
            raise SkeletonError(SkeletonErrorCode.UPLOAD_TOO_LARGE,
                                f"The archive is larger than {limits.max_upload_bytes} bytes.")
        self.format = detect_format(data)
        self.data = data
        self.limits = limits
        self.source = _Source(data)
        self.produced = 0  # decompressed bytes (tar: the whole stream, headers included)
        self.content_bytes = 0
        self.entries = 0

    def members(self) -> Iterator[Member]:
        if self.format is ArchiveFormat.ZIP:
            return self._zip_members()
        return self._tar_members()

    # ---- counting --------------------------------------------------------------------------------

    def _count_entry(self) -> None:
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

    def _check_declared(self, name: str, declared: int) -> None:
        if declared > self.limits.max_file_bytes:
            raise self._file_too_large(name)

    def _count_content(self, name: str, file_so_far: int, size: int) -> None:
        if file_so_far > self.limits.max_file_bytes:
            raise self._file_too_large(name)
        self.content_bytes += size
        if self.content_bytes > self.limits.max_total_bytes:
            raise SkeletonError(SkeletonErrorCode.TOTAL_SIZE_TOO_LARGE,
                                f"The archive's files add up to more than {self.limits.max_total_bytes} bytes.")

    def _file_too_large(self, name: str) -> SkeletonError:
        return SkeletonError(SkeletonErrorCode.FILE_TOO_LARGE,
                             f"The file {shown(name)} is larger than {self.limits.max_file_bytes} bytes.")

    # ---- tar and tar.gz --------------------------------------------------------------------------

    def _tar_members(self) -> Iterator[Member]:
        with self._open_tar() as archive:
            info = _next_tar_member(archive)
            while info is not None:
                self._count_entry()
                yield self._tar_member(archive, info)
                info = _next_tar_member(archive)

    def _open_tar(self) -> tarfile.TarFile:
        compressed = self.format is ArchiveFormat.TAR_GZIP
        raw: io.BufferedIOBase = gzip.GzipFile(fileobj=self.source, mode="rb") if compressed else self.source
        stream = _CountedStream(raw, self)
        try:
            first = stream.read(512)
            if not _is_tar_header(first):
                raise SkeletonError(SkeletonErrorCode.UNKNOWN_FORMAT, "The gzip file does not hold a tar archive.")
            # Stream mode: members are read in order, never by seeking to offsets the headers claim.
            return tarfile.open(fileobj=_Prefixed(first, stream), mode="r|")  # type: ignore[call-overload,no-any-return]
        except _READ_ERRORS as error:
            raise _corrupt(error) from None

    def _tar_member(self, archive: tarfile.TarFile, info: tarfile.TarInfo) -> Member:
        if info.issym() or info.islnk():
            kind = MemberKind.LINK
        elif info.isdir():
            kind = MemberKind.FOLDER
        elif info.isfile() and not info.issparse():
            kind = MemberKind.FILE
        else:
            kind = MemberKind.SPECIAL
        content = self._tar_content(archive, info) if kind is MemberKind.FILE else None
        return Member(info.name, kind, bool(info.mode & stat.S_IXUSR), False, content)

    def _tar_content(self, archive: tarfile.TarFile, info: tarfile.TarInfo) -> Iterator[bytes]:
        self._check_declared(info.name, info.size)
        size = 0
        try:
            stream = archive.extractfile(info)
            assert stream is not None
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                self._count_content(info.name, size, len(chunk))
                yield chunk
        except _READ_ERRORS as error:
            raise _corrupt(error) from None

    # ---- zip -------------------------------------------------------------------------------------

    def _zip_members(self) -> Iterator[Member]:
        entries, directory_size = _zip_directory(self.data)
        limits = self.limits
        if entries > limits.max_entries or directory_size > limits.max_entries * ZIP_DIRECTORY_BYTES_PER_ENTRY:
            raise SkeletonError(SkeletonErrorCode.TOO_MANY_ENTRIES,
                                f"The archive holds more than {limits.max_entries} entries.")
        try:
            archive = zipfile.ZipFile(self.source)
            infos = archive.infolist()
        except _READ_ERRORS as error:
            raise _corrupt(error) from None
        for info in infos:
            self._count_entry()
            yield self._zip_member(archive, info)

    def _zip_member(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Member:
        mode = info.external_attr >> 16
        file_type = stat.S_IFMT(mode)
        if file_type == stat.S_IFLNK:
            kind = MemberKind.LINK
        elif file_type not in (0, stat.S_IFREG, stat.S_IFDIR):
            kind = MemberKind.SPECIAL
        elif info.orig_filename.endswith("/") or file_type == stat.S_IFDIR:
            kind = MemberKind.FOLDER
        else:
            kind = MemberKind.FILE
        content = self._zip_content(archive, info) if kind is MemberKind.FILE else None
        return Member(info.orig_filename, kind, bool(mode & stat.S_IXUSR), bool(info.flag_bits & 0x1), content)

    def _zip_content(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
        self._check_declared(info.orig_filename, info.file_size)
        size = 0
        try:
            with archive.open(info) as stream:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    self.count_produced(len(chunk))
                    self._count_content(info.orig_filename, size, len(chunk))
                    yield chunk
        except _READ_ERRORS as error:
            raise _corrupt(error) from None


def _next_tar_member(archive: tarfile.TarFile) -> tarfile.TarInfo | None:
    try:
        return archive.next()
    except _READ_ERRORS as error:
        raise _corrupt(error) from None


def _corrupt(error: BaseException) -> SkeletonError:
    return SkeletonError(SkeletonErrorCode.CORRUPT_ARCHIVE, f"The archive cannot be read: {error}.")


# Whatever a damaged archive makes the standard readers raise.
_READ_ERRORS = (tarfile.TarError, zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError,
                struct.error, zlib.error, NotImplementedError, RuntimeError, UnicodeDecodeError)


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


class _CountedStream:
    """A decompressed tar stream whose every byte is counted: tar reads headers (even a huge extended
    header, which it would load whole) and data through it."""

    def __init__(self, raw: io.BufferedIOBase, reading: Reading) -> None:
        self.raw = raw
        self.reading = reading
        limits = reading.limits
        # A tar stream is its contents plus at most a header and padding (3 blocks) per entry.
        self.ceiling = limits.max_total_bytes + (limits.max_entries + 2) * 3 * 512

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(CHUNK if size < 0 else min(size, CHUNK))
        self.reading.count_produced(len(data))
        if self.reading.produced > self.ceiling:
            raise SkeletonError(SkeletonErrorCode.TOTAL_SIZE_TOO_LARGE,
                                f"The archive expands to more than {self.ceiling} bytes.")
        return data


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
