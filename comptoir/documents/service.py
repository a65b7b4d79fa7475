"""Issuing documents: freeze what a document shows at issue time, render it once, keep the bytes.

`issue_pdf` runs in the caller's transaction (billing's, when an invoice is issued) and only writes a
render request; the `document_render` intent turns it into a stored document. Neither a second call
nor a second render replaces what was stored.
"""

from __future__ import annotations

import hashlib
import re
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from comptoir.database.pagination import Page, PageRequest, paginate
from comptoir.documents import layouts
from comptoir.documents.layout import Layout
from comptoir.documents.model import DocumentKind, InvoiceDocument
from comptoir.documents.models import DocumentRender, StoredDocument
from comptoir.documents.render import render_pdf

MAX_ATTEMPTS = 5
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def filename_for(document: InvoiceDocument) -> str:
    """`invoice-F-2026-0001.pdf`: ASCII only, whatever the number holds."""
    number = _UNSAFE.sub("-", document.number).strip("-.") or "document"
    return f"{document.kind.value.replace('_', '-')}-{number}"[:190] + ".pdf"


def issue_pdf(session: Session, *, seller_id: uuid.UUID, kind: DocumentKind, subject_type: str,
              subject_id: uuid.UUID, document: InvoiceDocument, customer_id: uuid.UUID | None = None
              ) -> DocumentRender:
    """Ask for the PDF of an issued document, frozen as it is now (the seller's layout and logo too).

    Asking again for the same subject and kind returns the first request unchanged."""
    existing = get_render(session=session, seller_id=seller_id, kind=kind, subject_type=subject_type,
                          subject_id=subject_id)
    if existing is not None:
        return existing
    layout = layouts.effective(session=session, seller_id=seller_id)
    request = DocumentRender(
        id=uuid.uuid4(), seller_id=seller_id, kind=kind.value, subject_type=subject_type, subject_id=subject_id,
        customer_id=customer_id, language=document.language, filename=filename_for(document),
        snapshot=document.to_json(), layout=layout.to_json(), logo=layout.logo, stationery=layout.stationery)
    session.add(request)
    session.flush()
    return request


def get_render(*, session: Session, seller_id: uuid.UUID, kind: DocumentKind, subject_type: str,
               subject_id: uuid.UUID) -> DocumentRender | None:
    return session.scalars(select(DocumentRender).where(
        DocumentRender.seller_id == seller_id, DocumentRender.kind == kind.value,
        DocumentRender.subject_type == subject_type, DocumentRender.subject_id == subject_id)).one_or_none()


def get_by_subject(*, session: Session, seller_id: uuid.UUID, kind: DocumentKind, subject_type: str,
                   subject_id: uuid.UUID) -> StoredDocument | None:
    return session.scalars(select(StoredDocument).where(
        StoredDocument.seller_id == seller_id, StoredDocument.kind == kind.value,
        StoredDocument.subject_type == subject_type, StoredDocument.subject_id == subject_id)).one_or_none()


def get(*, session: Session, document_id: uuid.UUID, with_content: bool = True) -> StoredDocument | None:
    options = [] if with_content else [defer(StoredDocument.content)]
    return session.get(StoredDocument, document_id, options=options)


def render(*, session: Session, request: DocumentRender) -> StoredDocument:
    """The intent's work: render the frozen snapshot and store it, unless it is stored already."""
    kind = DocumentKind(request.kind)
    stored = get_by_subject(session=session, seller_id=request.seller_id, kind=kind,
                            subject_type=request.subject_type, subject_id=request.subject_id)
    if stored is not None:
        return stored
    document = InvoiceDocument.from_json(request.snapshot)
    layout = Layout.from_json(request.layout, logo=request.logo, stationery=request.stationery)
    content = render_pdf(document, layout)
    stored = StoredDocument(
        id=uuid.uuid4(), seller_id=request.seller_id, kind=request.kind, subject_type=request.subject_type,
        subject_id=request.subject_id, customer_id=request.customer_id, language=request.language,
        filename=request.filename, content=content, sha256=hashlib.sha256(content).hexdigest(),
        byte_size=len(content))
    session.add(stored)
    session.flush()
    return stored


def list_page(*, session: Session, seller_id: uuid.UUID, page: PageRequest, kind: DocumentKind | None = None,
              subject_type: str | None = None, subject_id: uuid.UUID | None = None) -> Page[StoredDocument]:
    """The seller's documents without their bytes, newest first unless the page says otherwise."""
    statement = select(StoredDocument).options(defer(StoredDocument.content)).where(
        StoredDocument.seller_id == seller_id)
    if kind is not None:
        statement = statement.where(StoredDocument.kind == kind.value)
    if subject_id is not None:
        statement = statement.where(StoredDocument.subject_type == subject_type,
                                    StoredDocument.subject_id == subject_id)
    return paginate(session, statement, page, sort_column=StoredDocument.created_at, id_column=StoredDocument.id)
