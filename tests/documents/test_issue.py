"""Issuing a document: the render intent stores the PDF once; nothing afterwards changes its bytes."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import select, text

from comptoir.automation import intents
from comptoir.database.engine import session_scope
from comptoir.documents import layouts, service
from comptoir.documents.layout import AddressPosition
from comptoir.documents.model import DocumentKind
from comptoir.documents.models import DocumentRender, StoredDocument
from comptoir.documents.samples import sample_invoice
from comptoir.panel import branding
from comptoir.tenancy.context import Role, TenantContext
from tests.documents.support import issue, pdf_text, seller, staff, stored
from tests.panel.image_files import png


def test_issuing_writes_a_render_request_and_the_intent_stores_the_pdf_with_its_digest():
    # given
    actor = seller()
    # when
    subject = issue(actor, sample_invoice(language="en"))
    # then
    document = stored(actor, subject)
    assert document.filename == "invoice-F-2026-0001.pdf"
    assert document.sha256 == hashlib.sha256(document.content).hexdigest()
    assert document.content.startswith(b"%PDF-")
    assert "Invoice" in pdf_text(document.content)[0]


def test_a_second_issue_and_a_second_render_keep_the_first_bytes():
    actor = seller()
    subject = issue(actor, sample_invoice(language="en"))
    first = stored(actor, subject)
    # when: issued again with other content, and its request performed again
    with session_scope(staff(actor)) as session:
        request = service.issue_pdf(session, seller_id=actor.seller_id, kind=DocumentKind.INVOICE,
                                    subject_type="Invoice", subject_id=subject,
                                    document=sample_invoice(language="fr", number="OTHER"))
        request_id = request.id
    with session_scope(TenantContext(Role.SYSTEM, actor.seller_id)) as session:
        service.render(session=session, request=session.get(DocumentRender, request_id))
    assert intents.perform("document_render", actor.seller_id, request_id) == "done"
    # then
    assert stored(actor, subject).sha256 == first.sha256


def test_changing_branding_layout_customer_and_language_afterwards_changes_nothing_in_an_issued_pdf():
    # given: issued, but not yet rendered, with the stock look
    actor = seller()
    subject_id = uuid.uuid4()
    document = sample_invoice(language="en")
    with session_scope(staff(actor)) as session:
        request_id = service.issue_pdf(session, seller_id=actor.seller_id, kind=document.kind,
                                       subject_type="Invoice", subject_id=subject_id, document=document).id
    # when: everything changes before the worker renders it, and again after
    with session_scope(staff(actor)) as session:
        branding.update(session=session, seller_id=actor.seller_id, logo=png(120, 50), title_text="New name")
        layouts.update(session=session, seller_id=actor.seller_id, primary_colour="#aa0000", font="DejaVu Serif",
                       header_text="Changed", address_position=AddressPosition.CUSTOM,
                       address_top_mm=Decimal("60"), address_left_mm=Decimal("30"))
    assert intents.perform("document_render", actor.seller_id, request_id) == "done"
    first = stored(actor, subject_id)
    with session_scope(staff(actor)) as session:
        layouts.update(session=session, seller_id=actor.seller_id, footer_text="Other footer")
        service.issue_pdf(session, seller_id=actor.seller_id, kind=document.kind, subject_type="Invoice",
                          subject_id=subject_id, document=replace(
                              document, language="de", buyer=replace(document.buyer, name="Someone else")))
    # then: rendered from what was frozen at issue time, and stored once
    again = stored(actor, subject_id)
    assert again.sha256 == first.sha256 == hashlib.sha256(again.content).hexdigest()
    words = pdf_text(again.content)[0]
    assert "Invoice" in words and "Changed" not in words and "Rechnung" not in words


def test_a_stored_document_cannot_be_updated_or_deleted_by_the_seller_or_its_workers():
    actor = seller()
    subject = issue(actor, sample_invoice(language="en"))
    for role in (Role.RESELLER, Role.SYSTEM):
        with session_scope(TenantContext(role, actor.seller_id)) as session:
            assert session.execute(text("UPDATE documents SET content = 'x'")).rowcount == 0
            assert session.execute(text("DELETE FROM documents")).rowcount == 0
    assert stored(actor, subject).content.startswith(b"%PDF-")


def test_the_trigger_refuses_to_change_stored_bytes_even_for_the_owner(superuser_connection):
    actor = seller()
    issue(actor, sample_invoice(language="en"))
    with pytest.raises(Exception, match="never changes"):
        superuser_connection.execute("UPDATE documents SET content = 'x'::bytea, sha256 = repeat('0', 64)")


def test_a_customer_reads_its_invoices_but_not_its_schet_facturas():
    from comptoir.documents.samples import sample_schet_factura
    from tests import factories

    actor = seller()
    buyer = factories.customer(actor, "jonas")
    issue(actor, sample_invoice(language="en"), customer_id=buyer.customer_id)
    issue(actor, sample_schet_factura(), customer_id=buyer.customer_id)
    with session_scope(TenantContext(Role.CUSTOMER, actor.seller_id, customer_id=buyer.customer_id)) as session:
        kinds = session.scalars(select(StoredDocument.kind)).all()
    assert kinds == ["invoice"]


def test_deleting_the_customer_keeps_its_issued_documents(superuser_connection):
    from tests import factories

    actor = seller()
    buyer = factories.customer(actor, "jonas")
    subject = issue(actor, sample_invoice(language="en"), customer_id=buyer.customer_id)
    superuser_connection.execute("DELETE FROM customers WHERE id = %s", (buyer.customer_id,))
    kept = stored(actor, subject)
    assert kept.customer_id is None and kept.content.startswith(b"%PDF-")
