"""GraphQL types of the virtual-host template (skeleton)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.file_uploads import Upload

from comptoir.hosting.skeleton_archive import SkeletonErrorCode as _SkeletonErrorCode
from comptoir.hosting.skeletons import SkeletonDescription
from comptoir.schema.base import UserError, error_code_enum

SkeletonErrorCode = error_code_enum("SkeletonErrorCode", _SkeletonErrorCode)


@strawberry.type
class SkeletonError(UserError):
    code: SkeletonErrorCode  # type: ignore[valid-type]


@strawberry.type(description="What the seller's new webspaces are created from.")
class Skeleton:
    is_default: bool = strawberry.field(description="True: the stock skeleton (no archive uploaded).")
    filename: str | None
    sha256: str | None = strawberry.field(description="SHA-256 of the uploaded archive, hex.")
    size: int | None = strawberry.field(description="Size of the uploaded archive in bytes.")
    uploaded_at: datetime | None
    entries: list[str] = strawberry.field(description="Folders (ending with '/') and files, sorted.")

    @classmethod
    def from_description(cls, description: SkeletonDescription, entries: list[str]) -> Skeleton:
        return cls(is_default=description.is_default, filename=description.filename, sha256=description.sha256,
                   size=description.size, uploaded_at=description.uploaded_at, entries=entries)


@strawberry.input
class SkeletonUploadInput:
    filename: str = strawberry.field(description="Shown back only; the format is read from the content.")
    content: Upload | None = strawberry.field(
        default=None, description="The archive (tar, tar.gz/tgz or zip) as a file (multipart request). Its root "
                                  "may hold only httpdocs/, cgi-bin/, anon_ftp/ and error_docs/.")
    content_base64: str | None = strawberry.field(
        default=None, description="Or the archive base64-encoded, for small files (the JSON body is limited "
                                  "to 1 MB).")


@strawberry.type
class SkeletonPayload:
    skeleton: Skeleton | None = None
    errors: list[SkeletonError] = strawberry.field(default_factory=list)
