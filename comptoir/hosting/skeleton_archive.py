"""What a skeleton archive may hold, and its safe extraction (SPEC §4.10). The archive is hostile input.

Every member is checked before anything is written: its kind (files and folders only: no links,
devices, FIFOs), its path (under one of the four root folders, nothing that could leave them or mean
something else on another system), no duplicates; sizes and counts are the reader's (archive_reader).
Extraction writes into a fresh staging folder inside the target and moves the result into place only
once the whole archive has passed.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from comptoir.hosting.archive_reader import (
    ArchiveFormat,
    ArchiveLimits,
    Member,
    MemberKind,
    Reading,
    SkeletonError,
    SkeletonErrorCode,
    shown,
)

__all__ = ["ROOT_FOLDERS", "ArchiveFormat", "ArchiveLimits", "ArchiveManifest", "SkeletonError", "SkeletonErrorCode",
           "entry_path", "extract", "inspect"]

ROOT_FOLDERS = ("httpdocs", "cgi-bin", "anon_ftp", "error_docs")
MAX_PATH_LENGTH = 1024
MAX_NAME_BYTES = 255
DRIVE_LETTER = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class ArchiveManifest:
    """What a checked archive holds: its entries (folders end with '/'), sorted."""

    format: ArchiveFormat
    entries: tuple[str, ...]
    file_count: int
    total_bytes: int


@dataclass(frozen=True)
class _Checked:
    path: tuple[str, ...]  # empty: the archive's own root ('./')
    member: Member


def entry_path(name: str, *, is_dir: bool) -> tuple[str, ...]:
    """The checked components of a member's path; empty for the archive's own root ('.', './')."""
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
        return ()
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
                            f"The entry {shown(name)} is not inside httpdocs/, cgi-bin/, anon_ftp/ or error_docs/: "
                            "the archive's root may hold only these folders.")
    return parts


def _unsafe(name: str, why: str) -> SkeletonError:
    return SkeletonError(SkeletonErrorCode.UNSAFE_PATH, f"The entry {shown(name)} {why}.")


def _check(member: Member) -> _Checked:
    name = member.name
    if member.kind is MemberKind.LINK:
        raise SkeletonError(SkeletonErrorCode.LINK_NOT_ALLOWED,
                            f"The entry {shown(name)} is a link; only files and folders are accepted.")
    if member.kind is MemberKind.SPECIAL:
        raise SkeletonError(SkeletonErrorCode.SPECIAL_FILE_NOT_ALLOWED,
                            f"The entry {shown(name)} is a device, FIFO or other special file; "
                            "only files and folders are accepted.")
    path = entry_path(name, is_dir=member.kind is MemberKind.FOLDER)
    if member.encrypted:
        raise SkeletonError(SkeletonErrorCode.ENCRYPTED_ENTRY,
                            f"The entry {shown(name)} is encrypted; upload an archive without a password.")
    return _Checked(path, member)


class _Layout:
    """The paths seen so far: refuses duplicates and a file standing where a folder is needed."""

    def __init__(self) -> None:
        self.files: set[tuple[str, ...]] = set()
        self.dirs: set[tuple[str, ...]] = set()

    def add(self, path: tuple[str, ...], *, is_dir: bool) -> None:
        parents = [path[:i] for i in range(1, len(path))]
        if path in self.files or (not is_dir and path in self.dirs) or any(p in self.files for p in parents):
            raise SkeletonError(SkeletonErrorCode.DUPLICATE_ENTRY,
                                f"The entry {shown('/'.join(path))} appears twice, or as both a file and a folder.")
        self.dirs.update(parents)
        (self.dirs if is_dir else self.files).add(path)

    def entries(self) -> tuple[str, ...]:
        return tuple(sorted(["/".join(d) + "/" for d in self.dirs] + ["/".join(f) for f in self.files]))


def _walk(data: bytes, limits: ArchiveLimits, on_member: Callable[[_Checked], None]) -> ArchiveManifest:
    reading = Reading(data, limits)
    layout = _Layout()
    for member in reading.members():
        checked = _check(member)
        if checked.path:
            layout.add(checked.path, is_dir=member.kind is MemberKind.FOLDER)
        on_member(checked)
        for _ in member.content or ():  # whatever the callback left unread is still read and counted
            pass
    if not layout.dirs:
        raise SkeletonError(SkeletonErrorCode.NO_SKELETON_FOLDERS,
                            "The archive holds none of httpdocs/, cgi-bin/, anon_ftp/, error_docs/.")
    return ArchiveManifest(reading.format, layout.entries(), len(layout.files), reading.content_bytes)


def inspect(data: bytes, limits: ArchiveLimits | None = None) -> ArchiveManifest:
    """Check a whole archive (every byte is read and counted, nothing is written); raise SkeletonError."""
    return _walk(data, limits or ArchiveLimits.from_settings(), lambda checked: None)


def extract(data: bytes, target: Path, limits: ArchiveLimits | None = None) -> ArchiveManifest:
    """Extract a skeleton archive into `target`, an existing folder without the four root folders.

    Members are written into a staging folder inside `target`; only after the last member passed are
    the root folders moved into place. On any refusal the staging folder is removed and `target` is
    left as it was.
    """
    staging = Path(tempfile.mkdtemp(prefix=".skeleton-", dir=target))
    try:
        manifest = _walk(data, limits or ArchiveLimits.from_settings(), lambda checked: _write(staging, checked))
        folders = [folder for folder in ROOT_FOLDERS if (staging / folder).is_dir()]
        taken = [folder for folder in folders if os.path.lexists(target / folder)]
        if taken:
            raise FileExistsError(f"{target} already holds {', '.join(taken)}")
        for folder in folders:
            os.rename(staging / folder, target / folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return manifest


def _write(staging: Path, checked: _Checked) -> None:
    if not checked.path:
        return
    destination = staging.joinpath(*checked.path)
    # The components were checked and only real folders were ever created here: a last guard all the same.
    if not destination.resolve().is_relative_to(staging.resolve()):
        raise _unsafe("/".join(checked.path), "leaves the archive's root")
    if checked.member.kind is MemberKind.FOLDER:
        destination.mkdir(mode=0o755, parents=True, exist_ok=True)
        return
    destination.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(destination, flags, 0o755 if checked.member.executable else 0o644)
    with os.fdopen(descriptor, "wb") as out:
        for chunk in checked.member.content or ():
            out.write(chunk)
