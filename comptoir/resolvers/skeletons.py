"""Resolvers of the seller's skeleton (virtual-host template, SPEC §4.10).

Archives are checked and listed in a worker thread: decompressing up to the size limits is CPU work
that must not hold the event loop (the session is not involved, so nothing crosses threads but bytes).
"""

from __future__ import annotations

import asyncio
import base64
import binascii

from sqlalchemy.orm import Session
from strawberry.types import Info

from comptoir.errors import DomainError
from comptoir.hosting import skeletons
from comptoir.hosting.skeleton_archive import ArchiveLimits
from comptoir.hosting.skeleton_archive import SkeletonError as SkeletonDomainError
from comptoir.hosting.skeleton_archive import SkeletonErrorCode as Code
from comptoir.hosting.skeletons import SkeletonDescription
from comptoir.schema.base import error_payload, mutate, selects
from comptoir.schema.skeletons import (
    Skeleton,
    SkeletonPayload,
    SkeletonUploadInput,
)

BASE64_FIELD = "contentBase64"


def decode_archive(text: str, max_bytes: int) -> bytes:
    """The archive's bytes; refused before decoding when the text alone is too long."""
    compact = "".join(text.split())  # MIME encoders wrap lines
    if len(compact) > 4 * -(-max_bytes // 3):
        raise SkeletonDomainError(Code.UPLOAD_TOO_LARGE, f"The archive is larger than {max_bytes} bytes.",
                                  field=BASE64_FIELD)
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise SkeletonDomainError(Code.INVALID_BASE64, "The content is not valid base64.",
                                  field=BASE64_FIELD) from None


async def my_skeleton(info: Info) -> Skeleton:
    """The seller's own skeleton; the archive is read (to list its entries) only when they are asked for."""
    seller_id = info.context.tenant.seller_id
    with_entries = selects(info, "entries")

    def load(session: Session) -> tuple[SkeletonDescription, bytes | None]:
        if not with_entries:
            return skeletons.describe(session, seller_id=seller_id), None
        row = skeletons.get(session, seller_id=seller_id)
        return SkeletonDescription.of(row), row.archive if row else None

    description, archive = await info.context.run(load)
    entries = await asyncio.to_thread(skeletons.entries, archive) if with_entries else ()
    return Skeleton.from_description(description, list(entries))


async def skeleton_upload(info: Info, input: SkeletonUploadInput) -> SkeletonPayload:
    seller_id = info.context.tenant.seller_id
    limits = ArchiveLimits.from_settings()
    try:
        archive = (await input.content.read() if input.content is not None  # already bounded by the HTTP layer
                   else decode_archive(input.content_base64 or "", limits.max_upload_bytes))
        checked = await asyncio.to_thread(lambda: skeletons.check_upload(
            filename=input.filename, archive=archive, limits=limits))
    except DomainError as error:
        return error_payload(SkeletonPayload, error)
    return await mutate(
        info, SkeletonPayload, lambda s: skeletons.save(s, seller_id=seller_id, checked=checked),
        lambda saved: SkeletonPayload(skeleton=Skeleton.from_description(SkeletonDescription.of(saved),
                                                                         list(checked.manifest.entries))))


async def skeleton_reset(info: Info) -> SkeletonPayload:
    seller_id = info.context.tenant.seller_id
    return await mutate(
        info, SkeletonPayload, lambda s: skeletons.reset(s, seller_id=seller_id),
        lambda _: SkeletonPayload(skeleton=Skeleton.from_description(SkeletonDescription.of(None),
                                                                     list(skeletons.entries(None)))))

