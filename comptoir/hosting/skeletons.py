"""A seller's virtual-host template, the skeleton new webspaces are created from (SPEC §4.10).

One archive per seller, checked whole before it is stored (see skeleton_archive); no row means
the stock skeleton. Checking is CPU work and needs no session, so it is a step of its own
(`check_upload`) that callers may run off the event loop before `save`.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.hosting import skeleton_archive
from comptoir.hosting.models import Skeleton
from comptoir.hosting.skeleton_archive import ArchiveLimits, ArchiveManifest, SkeletonError, SkeletonErrorCode
from comptoir.provisioning import stock_skeleton

MAX_FILENAME_LENGTH = 255


@dataclass(frozen=True)
class CheckedSkeleton:
    """An upload that passed every check; only `check_upload` makes one."""

    filename: str
    archive: bytes
    sha256: str
    manifest: ArchiveManifest


@dataclass(frozen=True)
class SkeletonDescription:
    """What a seller's webspaces are created from."""

    is_default: bool
    filename: str | None
    sha256: str | None
    size: int | None
    uploaded_at: datetime | None

    @classmethod
    def of(cls, skeleton: Skeleton | None) -> SkeletonDescription:
        if skeleton is None:
            return cls(is_default=True, filename=None, sha256=None, size=None, uploaded_at=None)
        return cls(is_default=False, filename=skeleton.filename, sha256=skeleton.sha256,
                   size=len(skeleton.archive), uploaded_at=skeleton.uploaded_at)


def check_filename(filename: str) -> str:
    """The name shown back to the seller: its last path component; it never decides the format."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name or len(name) > MAX_FILENAME_LENGTH or any(ord(c) < 0x20 or c == "\x7f" for c in name):
        raise SkeletonError(SkeletonErrorCode.INVALID_FILENAME,
                            f"Give a file name of 1 to {MAX_FILENAME_LENGTH} printable characters.", field="filename")
    return name


def check_upload(*, filename: str, archive: bytes, limits: ArchiveLimits | None = None) -> CheckedSkeleton:
    """Check an uploaded archive completely (format, every member, every byte); raise SkeletonError."""
    name = check_filename(filename)
    manifest = skeleton_archive.inspect(archive, limits)
    return CheckedSkeleton(name, archive, hashlib.sha256(archive).hexdigest(), manifest)


def save(session: Session, *, seller_id: uuid.UUID, checked: CheckedSkeleton) -> Skeleton:
    """Make a checked archive the seller's skeleton, replacing any previous one."""
    values = {"filename": checked.filename, "archive": checked.archive, "sha256": checked.sha256,
              "uploaded_at": clock.now()}
    statement = insert(Skeleton).values(seller_id=seller_id, **values).on_conflict_do_update(
        index_elements=[Skeleton.seller_id], set_=values).returning(Skeleton)
    return session.scalars(statement, execution_options={"populate_existing": True}).one()


def upload(session: Session, *, seller_id: uuid.UUID, filename: str, archive: bytes,
           limits: ArchiveLimits | None = None) -> Skeleton:
    """Check and save in one call (CLI, workers, tests)."""
    return save(session, seller_id=seller_id, checked=check_upload(filename=filename, archive=archive, limits=limits))


def reset(session: Session, *, seller_id: uuid.UUID) -> None:
    """Back to the stock skeleton ("Default"); harmless when already there."""
    session.execute(delete(Skeleton).where(Skeleton.seller_id == seller_id))


def get(session: Session, *, seller_id: uuid.UUID) -> Skeleton | None:
    return session.scalars(select(Skeleton).where(Skeleton.seller_id == seller_id)).one_or_none()


def archive_for(session: Session, *, seller_id: uuid.UUID) -> bytes | None:
    """The archive new webspaces of this seller are created from; None: the stock skeleton."""
    return session.scalars(select(Skeleton.archive).where(Skeleton.seller_id == seller_id)).one_or_none()


def describe(session: Session, *, seller_id: uuid.UUID) -> SkeletonDescription:
    """The seller's skeleton without its bytes."""
    row = session.execute(
        select(Skeleton.filename, Skeleton.sha256, Skeleton.uploaded_at,
               func.octet_length(Skeleton.archive).label("size"))
        .where(Skeleton.seller_id == seller_id)
    ).one_or_none()
    if row is None:
        return SkeletonDescription.of(None)
    return SkeletonDescription(is_default=False, filename=row.filename, sha256=row.sha256, size=row.size,
                               uploaded_at=row.uploaded_at)


def entries(archive: bytes | None, limits: ArchiveLimits | None = None) -> tuple[str, ...]:
    """The entries of a stored archive (folders end with '/'), or of the stock skeleton."""
    if archive is None:
        return stock_skeleton.ENTRIES
    return skeleton_archive.inspect(archive, limits).entries
