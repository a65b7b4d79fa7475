"""An e-mail's files: bytes stored with the e-mail, or a reference to a stored document.

A package that stores documents (issued invoice PDFs, whose bytes never change) registers how to read
one by kind; the e-mail then keeps only the reference, and every delivery and resend reads the same bytes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from comptoir.messaging.models import EmailAttachment

DocumentReader = Callable[[Session, uuid.UUID], bytes]
_readers: dict[str, DocumentReader] = {}


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str = "application/octet-stream"
    content: bytes | None = None
    document_kind: str = ""  # e.g. "invoice": read through the reader registered under that kind
    document_id: uuid.UUID | None = None

    def __post_init__(self) -> None:
        if (self.content is None) == (self.document_id is None) or bool(self.document_kind) != bool(self.document_id):
            raise ValueError("an attachment has either its bytes or a document reference (kind and id)")


def register_document_reader(kind: str, reader: DocumentReader) -> None:
    """`reader(session, document_id)` returns the stored bytes of that document."""
    _readers[kind] = reader


class MissingDocument(Exception):
    """An attachment names a document kind nobody registered, or a document that is gone."""


def load_content(session: Session, attachment: EmailAttachment) -> bytes:
    if attachment.content is not None:
        return attachment.content
    reader = _readers.get(attachment.document_kind)
    if reader is None or attachment.document_id is None:
        raise MissingDocument(f"no reader for documents of kind {attachment.document_kind!r}")
    return reader(session, attachment.document_id)
