"""Invoice.pdf and invoiceResend through GraphQL: staff and the invoice's customer see the stored PDF with
a signed link to the same bytes; resending queues the invoice e-mail again with that PDF."""

from __future__ import annotations

import hashlib
from datetime import date
from urllib.parse import urlsplit

import pytest

from comptoir.automation import intents
from comptoir.billing import adjustments
from comptoir.billing import documents as invoice_documents
from comptoir.database.engine import session_scope
from comptoir.schema.ids import encode_id
from comptoir.tenancy.context import Role, TenantContext
from tests import factories
from tests.tenancy.support import cheap_password_hashing, free_port, smtp_server  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

INVOICES = """{ invoices { edges { node { id number pdf { sha256 filename downloadUrl } } } } }"""
RESEND = """mutation Resend($input: InvoiceResendInput!) {
  invoiceResend(input: $input) { sent invoice { number pdf { sha256 } } errors { code field } } }"""


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    staff = factories.reseller(factories.provider("root"), "Alpha Hosting", "alpha_admin")
    customer = factories.customer(staff, "camille")
    with session_scope(TenantContext(Role.RESELLER, staff.seller_id)) as session:
        invoice = adjustments.create_manual_invoice(
            session, seller_id=staff.seller_id, customer_id=customer.customer_id, currency="EUR",
            issue_date=date(2026, 3, 2), lines=[adjustments.OneOffLine("Setup", 5000)])
        session.flush()
        session.expunge(invoice)
    return staff, customer, invoice


def _render(staff, invoice) -> str:  # type: ignore[no-untyped-def]
    with session_scope(TenantContext(Role.SYSTEM, staff.seller_id)) as session:
        request_id = invoice_documents.render_request(session, invoice).id
    assert intents.perform("document_render", staff.seller_id, request_id) == "done"
    with session_scope(TenantContext(Role.SYSTEM, staff.seller_id)) as session:
        return invoice_documents.stored_pdf(session, invoice).sha256  # type: ignore[union-attr]


async def test_the_pdf_is_null_until_rendered_then_staff_and_the_customer_download_the_same_bytes(client, world):
    staff, customer, invoice = world
    staff_token = await client.login("alpha_admin", factories.PASSWORD)
    before = await client.execute(INVOICES, token=staff_token)
    assert [e["node"]["pdf"] for e in before["data"]["invoices"]["edges"]] == [None]
    # when
    sha256 = _render(staff, invoice)
    # then
    customer_token = await client.login("camille", factories.PASSWORD)
    for token in (staff_token, customer_token):
        [edge] = (await client.execute(INVOICES, token=token))["data"]["invoices"]["edges"]
        pdf = edge["node"]["pdf"]
        assert pdf["sha256"] == sha256 and pdf["filename"] == f"invoice-{invoice.number}.pdf"
        parts = urlsplit(pdf["downloadUrl"])
        response = await client.http.get(f"{parts.path}?{parts.query}")
        assert response.status_code == 200 and hashlib.sha256(response.content).hexdigest() == sha256


async def test_invoice_resend_emails_the_stored_pdf_again(client, world, smtp_server, published_intents):
    staff, _, invoice = world
    sha256 = _render(staff, invoice)
    token = await client.login("alpha_admin", factories.PASSWORD)
    # when
    result = await client.execute(RESEND, {"input": {"invoiceId": encode_id("Invoice", invoice.id)}}, token=token)
    # then
    payload = result["data"]["invoiceResend"]
    assert payload["errors"] == [] and payload["sent"] == 1 and payload["invoice"]["pdf"]["sha256"] == sha256
    for seller_id, email_id in published_intents["email"]:
        intents.perform("email", seller_id, email_id)
    assert len(smtp_server.messages) == 2
    for message in smtp_server.messages:
        [part] = list(message.iter_attachments())
        assert hashlib.sha256(part.get_content()).hexdigest() == sha256


async def test_resending_something_that_is_no_invoice_is_a_user_error(client, world):
    token = await client.login("alpha_admin", factories.PASSWORD)
    result = await client.execute(RESEND, {"input": {"invoiceId": encode_id("Invoice", world[0].seller_id)}},
                                  token=token)
    assert result["data"]["invoiceResend"]["errors"][0]["field"] == "invoiceId"
