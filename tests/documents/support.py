"""Helpers of the document tests: issuing through the real service, performing the render intent,
reading PDFs back."""

from __future__ import annotations

import io
import uuid

import pypdf

from comptoir.automation import intents
from comptoir.database.engine import session_scope
from comptoir.documents import service
from comptoir.documents.model import InvoiceDocument
from comptoir.documents.models import StoredDocument
from comptoir.tenancy.context import Role, TenantContext
from tests import factories


def seller() -> factories.Actor:
    return factories.reseller(factories.provider(), "Hébergement Martin", "martin")


def staff(actor: factories.Actor) -> TenantContext:
    return TenantContext(Role.RESELLER, actor.seller_id)


def issue(actor: factories.Actor, document: InvoiceDocument, *, subject_id: uuid.UUID | None = None,
          customer_id: uuid.UUID | None = None) -> uuid.UUID:
    """Issue as the seller's staff, then perform the render intent as a worker; returns the request id."""
    subject = subject_id or uuid.uuid4()
    with session_scope(staff(actor)) as session:
        request = service.issue_pdf(session, seller_id=actor.seller_id, kind=document.kind,
                                    subject_type="Invoice", subject_id=subject, document=document,
                                    customer_id=customer_id)
        request_id = request.id
    assert intents.perform("document_render", actor.seller_id, request_id) == "done"
    return subject


def stored(actor: factories.Actor, subject_id: uuid.UUID, kind: str = "invoice") -> StoredDocument:
    from comptoir.documents.model import DocumentKind

    with session_scope(staff(actor)) as session:
        found = service.get_by_subject(session=session, seller_id=actor.seller_id, kind=DocumentKind(kind),
                                       subject_type="Invoice", subject_id=subject_id)
        assert found is not None
        session.expunge(found)
        return found


def pdf_text(content: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages]
