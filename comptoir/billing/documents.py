"""An issued invoice's PDF: the `InvoiceDocument` built from the invoice's own frozen records (its
snapshots of both parties, its lines, tax breakdown and totals, in the invoice's language), handed to
`documents.issue_pdf` in the issuing transaction. The e-mail that announces the invoice references the
render request; its bytes are read at delivery, and a delivery before the render is a failed attempt
(retried later), never an e-mail without its PDF.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer

from comptoir import documents
from comptoir.billing.models import Invoice, InvoiceLine
from comptoir.database.intents import Intent, IntentStatus, backoff
from comptoir.documents.labels import labels_for
from comptoir.documents.model import (
    DocumentKind,
    DocumentLine,
    InvoiceDocument,
    Party,
    TaxCategory,
    TaxSubtotal,
)
from comptoir.documents.models import DocumentRender, StoredDocument
from comptoir.documents.service import get_by_subject, get_render
from comptoir.messaging.attachments import Attachment

SUBJECT_TYPE = "Invoice"
ATTACHMENT_KIND = "invoice_pdf"  # an e-mail attachment naming a render request; read once it is stored
_KINDS = {"invoice": DocumentKind.INVOICE, "credit_note": DocumentKind.CREDIT_NOTE}


class DocumentNotReady(Exception):
    """The invoice's PDF is not rendered yet: the e-mail waits (its attempt fails and is retried)."""

    def __init__(self, message: str, *, render_pending: bool = True) -> None:
        super().__init__(message)
        self.render_pending = render_pending


def email_waits(session: Session, email: Intent, error: Exception) -> None:
    """An e-mail delivered before its PDF is rendered: that attempt is given back while the render is
    still pending (the e-mail keeps waiting, retried after the same backoff); once the render has failed
    for good, attempts count again and the e-mail fails in turn."""
    if isinstance(error, DocumentNotReady) and error.render_pending and email.attempts > 0:
        email.attempts -= 1
        email.status, email.done_at = IntentStatus.PENDING.value, None
        email.next_attempt_at = func.now() + backoff(email.attempts + 1)


def kind_of(invoice: Invoice) -> DocumentKind:
    return _KINDS[invoice.kind]


def issue_pdf(session: Session, invoice: Invoice, lines: list[InvoiceLine]) -> DocumentRender:
    """Ask for the invoice's PDF, frozen as the invoice is now (call once it has its number)."""
    return documents.issue_pdf(session, seller_id=invoice.seller_id, kind=kind_of(invoice),
                               subject_type=SUBJECT_TYPE, subject_id=invoice.id,
                               document=document_of(session, invoice, lines), customer_id=invoice.customer_id)


def attachment(render: DocumentRender) -> Attachment:
    return Attachment(render.filename, "application/pdf", document_kind=ATTACHMENT_KIND, document_id=render.id)


def render_request(session: Session, invoice: Invoice) -> DocumentRender | None:
    if invoice.kind not in _KINDS:
        return None
    return get_render(session=session, seller_id=invoice.seller_id, kind=kind_of(invoice),
                      subject_type=SUBJECT_TYPE, subject_id=invoice.id)


def stored_pdf(session: Session, invoice: Invoice) -> StoredDocument | None:
    """The invoice's stored PDF (None until rendered)."""
    return get_by_subject(session=session, seller_id=invoice.seller_id, kind=kind_of(invoice),
                          subject_type=SUBJECT_TYPE, subject_id=invoice.id)


def stored_by_invoice(session: Session, invoice_ids: list[uuid.UUID]) -> dict[uuid.UUID, StoredDocument]:
    """The stored PDFs of these invoices and credit notes, without their bytes (one query)."""
    if not invoice_ids:
        return {}
    rows = session.scalars(select(StoredDocument).options(defer(StoredDocument.content)).where(
        StoredDocument.subject_type == SUBJECT_TYPE, StoredDocument.subject_id.in_(invoice_ids),
        StoredDocument.kind.in_([kind.value for kind in _KINDS.values()])))
    return {row.subject_id: row for row in rows}


def read_attachment(session: Session, render_id: uuid.UUID) -> bytes:
    """The stored bytes of the PDF a render request asked for (the e-mail reader of ATTACHMENT_KIND)."""
    request = session.get(DocumentRender, render_id)
    if request is None:
        raise DocumentNotReady(f"no render request {render_id}", render_pending=False)
    stored = get_by_subject(session=session, seller_id=request.seller_id, kind=DocumentKind(request.kind),
                            subject_type=request.subject_type, subject_id=request.subject_id)
    if stored is None:
        raise DocumentNotReady(f"the PDF of {request.filename} is not rendered yet",
                               render_pending=request.status != IntentStatus.FAILED.value)
    return stored.content


def document_of(session: Session, invoice: Invoice, lines: list[InvoiceLine]) -> InvoiceDocument:
    kind = kind_of(invoice)
    seller = _party(invoice.seller_snapshot, contact_key="name", company_key="company_name")
    buyer = _party(invoice.customer_snapshot, contact_key="contact_name", company_key="company_name")
    if not buyer.country:  # EN 16931 requires the buyer's country (BT-55)
        buyer = replace(buyer, country=seller.country)
    mention = invoice.tax_note if invoice.reverse_charge else ""
    if invoice.reverse_charge and not mention:
        mention = labels_for(invoice.language)["reverse_charge"]
    breakdown = tuple(_subtotal(item, mention) for item in invoice.tax_breakdown)
    preceding = ""
    if invoice.credited_invoice_id is not None:
        credited = session.get(Invoice, invoice.credited_invoice_id)
        preceding = (credited.number or "") if credited else ""
    assert invoice.number and invoice.issue_date, "only an issued invoice has a document"
    return InvoiceDocument(
        kind=kind, number=invoice.number, issue_date=invoice.issue_date, currency=invoice.currency,
        language=invoice.language, seller=seller, buyer=buyer, lines=tuple(_line(line) for line in lines),
        breakdown=breakdown, net_total_minor=invoice.net_total, tax_total_minor=invoice.tax_total,
        total_minor=invoice.total, due_date=invoice.due_date if kind is DocumentKind.INVOICE else None,
        amount_paid_minor=invoice.amount_paid, balance_due_minor=invoice.amount_due,
        reverse_charge=invoice.reverse_charge, reverse_charge_mention=mention,
        notes=invoice.tax_note if invoice.tax_note and not invoice.reverse_charge else "",
        preceding_invoice_number=preceding)


def _party(snapshot: dict[str, Any], *, contact_key: str, company_key: str) -> Party:
    def text(key: str) -> str:
        return str(snapshot.get(key) or "")

    return Party(name=text(contact_key), company=text(company_key),
                 address_lines=tuple(filter(None, (text("address_line1"), text("address_line2")))),
                 city=text("city"), postal_code=text("postal_code"), region=text("region"),
                 country=text("country").upper(), vat_id=text("vat_id"), email=text("email"))


def _line(line: InvoiceLine) -> DocumentLine:
    return DocumentLine(description=line.description, quantity=Decimal(line.quantity),
                        unit_price_minor=line.unit_price_minor, net_minor=line.net_minor,
                        tax_category=TaxCategory(line.tax_category), tax_rate=Decimal(line.tax_rate),
                        tax_minor=line.tax_minor, period_start=line.period_start, period_end=line.period_end)


def _subtotal(item: dict[str, Any], mention: str) -> TaxSubtotal:
    category = TaxCategory(item["category"])
    reason = mention if category is TaxCategory.REVERSE_CHARGE else str(item.get("exemption_reason") or "")
    return TaxSubtotal(category=category, rate=Decimal(item["rate"]), taxable_minor=item["taxable_minor"],
                       tax_minor=item["tax_minor"], exemption_reason=reason)
