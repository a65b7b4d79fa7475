"""An issued invoice's PDF: rendered from the invoice's frozen records in its language, e-mailed with the
"invoice issued" e-mail (which waits for it), resent with the same bytes whatever changed since."""

from __future__ import annotations

import hashlib
import io
import uuid
from datetime import date
from decimal import Decimal as D

import facturx
import pypdf
import pytest

from comptoir.automation import intents
from comptoir.billing import adjustments, invoicing, taxes
from comptoir.billing import documents as invoice_documents
from comptoir.billing.models import Invoice
from comptoir.database.engine import session_scope
from comptoir.documents.labels import labels_for
from comptoir.documents.models import StoredDocument
from comptoir.messaging import outbox
from comptoir.messaging.models import OutboundEmail
from comptoir.tenancy.models import Customer, Seller
from tests.billing.tax_support import Shop, buyer, shop
from tests.documents.validation import CII_XSD, xsd_errors
from tests.tenancy.support import free_port, smtp_server  # noqa: F401

ISSUED = date(2026, 3, 2)


@pytest.fixture
def alpha() -> Shop:
    made = shop("FR", name="Hébergement Alpha", prefix=f"a{uuid.uuid4().hex[:6]}")
    with session_scope(made.reseller) as session:
        france = taxes.create_zone(session, seller_id=made.seller_id, name="France", areas=["FR"])
        taxes.create_rate(session, zone_id=france.id, category="S", rate=D("20"), valid_from=date(2014, 1, 1))
    return made


def _customer(made: Shop, *, language: str = "fr") -> uuid.UUID:
    customer_id = buyer(made, "FR", name="Camille Durand")
    with session_scope(made.system) as session:
        customer = session.get_one(Customer, customer_id)
        customer.locale, customer.company_name = language, "Boulangerie Durand"
        customer.address_line1, customer.postal_code, customer.city = "12 rue des Lilas", "69003", "Lyon"
    return customer_id


def _issue(made: Shop, customer_id: uuid.UUID) -> Invoice:
    """A manual invoice (staff): 1 250,00 € net, 20 % VAT."""
    with session_scope(made.reseller) as session:
        invoice = adjustments.create_manual_invoice(
            session, seller_id=made.seller_id, customer_id=customer_id, currency="EUR", issue_date=ISSUED,
            lines=[adjustments.OneOffLine("Migration de site", 125000)])
        session.flush()
        session.expunge(invoice)
        return invoice


def _render(made: Shop, invoice: Invoice) -> StoredDocument:
    with session_scope(made.system) as session:
        request_id = invoice_documents.render_request(session, invoice).id
    assert intents.perform("document_render", made.seller_id, request_id) == "done"
    with session_scope(made.system) as session:
        stored = invoice_documents.stored_pdf(session, invoice)
        assert stored is not None
        session.expunge(stored)
        return stored


def _emails(made: Shop) -> list[uuid.UUID]:
    with session_scope(made.system) as session:
        return list(session.scalars(OutboundEmail.__table__.select().with_only_columns(OutboundEmail.id)
                                    .where(OutboundEmail.template == "invoice_issued")
                                    .order_by(OutboundEmail.created_at)))


def _text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def _attached_pdf(message) -> bytes:  # type: ignore[no-untyped-def]
    [part] = [p for p in message.iter_attachments() if p.get_content_type() == "application/pdf"]
    return part.get_content()  # type: ignore[no-any-return]


def test_an_issued_french_invoice_renders_in_french_with_its_number_customer_and_totals(alpha):
    # given
    invoice = _issue(alpha, _customer(alpha, language="fr"))
    # when
    stored = _render(alpha, invoice)
    # then
    words = _text(stored.content).replace("\u202f", " ").replace("\u00a0", " ")
    french = labels_for("fr")
    assert invoice.number and invoice.number in words
    assert "Facture" in words and french["total"] in words and french["due_date"] in words
    assert "Invoice" not in words
    assert "Boulangerie Durand" in words and "Lyon" in words and "Hébergement Alpha" in words
    assert "1 250,00" in words and "250,00" in words and "1 500,00" in words  # net, VAT, total
    assert stored.sha256 == hashlib.sha256(stored.content).hexdigest()
    assert stored.filename == f"invoice-{invoice.number}.pdf"


def test_the_embedded_factur_x_xml_is_xsd_valid_and_carries_the_tax(alpha):
    # given
    invoice = _issue(alpha, _customer(alpha))
    # when
    stored = _render(alpha, invoice)
    # then
    filename, xml = facturx.get_xml_from_pdf(stored.content, check_xsd=False)
    assert filename == "factur-x.xml"
    assert xsd_errors(xml, CII_XSD) == []
    assert b"<ram:RateApplicablePercent>20" in xml and b">250.00<" in xml and b">1500.00<" in xml


def test_the_invoice_email_waits_for_the_pdf_then_carries_it(alpha, smtp_server):
    # given: issued; the render has not run yet
    invoice = _issue(alpha, _customer(alpha))
    [email_id] = _emails(alpha)
    # when: delivered before the render, then after it
    first = intents.perform("email", alpha.seller_id, email_id)
    stored = _render(alpha, invoice)
    second = intents.perform("email", alpha.seller_id, email_id)
    # then: no e-mail without its PDF; once rendered, it carries those bytes
    assert first == "pending" and second == "done"
    [message] = smtp_server.messages
    attached = _attached_pdf(message)
    assert hashlib.sha256(attached).hexdigest() == stored.sha256
    assert message["Content-Language"] == "fr"


def test_an_email_waits_for_its_pdf_longer_than_its_attempts_while_the_render_is_pending(alpha, smtp_server):
    # given
    invoice = _issue(alpha, _customer(alpha))
    [email_id] = _emails(alpha)
    # when: more deliveries than an e-mail has attempts, all before the render
    early = [intents.perform("email", alpha.seller_id, email_id) for _ in range(outbox.MAX_ATTEMPTS + 2)]
    _render(alpha, invoice)
    # then
    assert set(early) == {"pending"} and smtp_server.messages == []
    assert intents.perform("email", alpha.seller_id, email_id) == "done"
    assert len(smtp_server.messages) == 1


def test_changing_seller_customer_and_language_after_issue_then_resending_sends_identical_bytes(
        alpha, smtp_server):
    # given: issued, rendered, e-mailed
    customer_id = _customer(alpha)
    invoice = _issue(alpha, customer_id)
    stored = _render(alpha, invoice)
    [email_id] = _emails(alpha)
    assert intents.perform("email", alpha.seller_id, email_id) == "done"
    # when: everything changes, the PDF is asked for again, and the invoice is resent
    with session_scope(alpha.system) as session:
        session.get_one(Seller, alpha.seller_id).name = "Renamed Hosting"
        customer = session.get_one(Customer, customer_id)
        customer.address_line1, customer.city, customer.locale = "1 Other Street", "Berlin", "de"
    with session_scope(alpha.reseller) as session:
        again = session.get_one(Invoice, invoice.id)
        invoice_documents.issue_pdf(session, again, invoicing.lines_of(session, again.id))
        assert invoicing.resend(session, again) == 1
    [_, resent_id] = _emails(alpha)
    assert intents.perform("email", alpha.seller_id, resent_id) == "done"
    # then
    first, second = smtp_server.messages
    assert _attached_pdf(first) == _attached_pdf(second)
    assert hashlib.sha256(_attached_pdf(second)).hexdigest() == stored.sha256 == _render(alpha, invoice).sha256
    assert "Renamed" not in _text(_attached_pdf(second)) and "Berlin" not in _text(_attached_pdf(second))


def test_a_credit_note_gets_its_own_pdf_naming_the_invoice_it_corrects(alpha):
    # given
    invoice = _issue(alpha, _customer(alpha))
    # when
    with session_scope(alpha.reseller) as session:
        note = adjustments.create_credit_note(session, invoice_id=invoice.id, amount_minor=25000, reason="Geste",
                                              issue_date=ISSUED)
        session.flush()
        session.expunge(note)
    stored = _render(alpha, note)
    # then
    words = _text(stored.content)
    assert "Avoir" in words and note.number in words and invoice.number in words
    assert stored.kind == "credit_note" and stored.filename.startswith("credit-note-")
