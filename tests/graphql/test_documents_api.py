"""Documents through GraphQL: the staff's list with signed download links served by a plain route, the
invoice layout (with a stationery upload) and its preview."""

from __future__ import annotations

import base64
import hashlib
import io
from urllib.parse import parse_qsl, urlencode, urlsplit

import pypdf
import pytest
from weasyprint import HTML

from comptoir.documents.model import DocumentKind
from comptoir.documents.samples import sample_invoice, sample_schet_factura
from comptoir.schema.ids import encode_id
from tests import factories
from tests.documents.support import issue, stored
from tests.http.test_uploads import _multipart
from tests.tenancy.support import cheap_password_hashing  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

DOCUMENTS = """query Documents($filter: DocumentFilterInput) {
  documents(filter: $filter) { totalCount edges { node {
    id kind filename language sha256 byteSize subjectId createdAt downloadUrl } } } }"""
LAYOUT = """{ invoiceLayout { primaryColour accentColour font headerText footerText addressPosition
  addressTopMm addressLeftMm hasStationery fonts } }"""
LAYOUT_UPDATE = """mutation Layout($input: InvoiceLayoutUpdateInput!) {
  invoiceLayoutUpdate(input: $input) {
    invoiceLayout { primaryColour font headerText addressPosition addressTopMm addressLeftMm hasStationery }
    errors { code field message } } }"""
PREVIEW = """mutation Preview($input: InvoiceLayoutPreviewInput!) {
  invoiceLayoutPreview(input: $input) { pdfDataUrl errors { code field } } }"""


@pytest.fixture
def alpha() -> factories.Actor:
    return factories.reseller(factories.provider("root"), "Alpha Hosting", "alpha_admin")


@pytest.fixture
async def alpha_token(client, alpha) -> str:
    return await client.login("alpha_admin", factories.PASSWORD)


def one_page_pdf(pages: int = 1) -> bytes:
    return HTML(string="<p style='page-break-after: always'>x</p>" * pages).write_pdf()


async def download(client, url: str):
    parts = urlsplit(url)
    return await client.http.get(f"{parts.path}?{parts.query}")


async def test_staff_list_their_documents_and_download_the_stored_bytes(client, alpha, alpha_token):
    # given
    invoice_subject = issue(alpha, sample_invoice(language="fr"))
    issue(alpha, sample_schet_factura())
    # when
    result = await client.execute(DOCUMENTS, {"filter": {"kind": "INVOICE"}}, token=alpha_token)
    # then
    connection = result["data"]["documents"]
    assert connection["totalCount"] == 1
    node = connection["edges"][0]["node"]
    assert node["kind"] == "INVOICE" and node["filename"] == "invoice-F-2026-0001.pdf"
    assert node["subjectId"] == encode_id("Invoice", invoice_subject)
    assert node["downloadUrl"].startswith("https://panel.example.test/documents/")
    response = await download(client, node["downloadUrl"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert 'filename="invoice-F-2026-0001.pdf"' in response.headers["content-disposition"]
    assert hashlib.sha256(response.content).hexdigest() == node["sha256"] == stored(alpha, invoice_subject).sha256


async def test_documents_filter_by_subject(client, alpha, alpha_token):
    subject = issue(alpha, sample_invoice(language="en"))
    issue(alpha, sample_invoice(language="en", number="F-2"))
    result = await client.execute(DOCUMENTS, {"filter": {"subjectId": encode_id("Invoice", subject)}},
                                  token=alpha_token)
    assert [edge["node"]["subjectId"] for edge in result["data"]["documents"]["edges"]] == [
        encode_id("Invoice", subject)]


async def test_a_tampered_or_expired_link_is_refused(client, alpha, alpha_token):
    issue(alpha, sample_invoice(language="en"))
    url = (await client.execute(DOCUMENTS, token=alpha_token))["data"]["documents"]["edges"][0]["node"]["downloadUrl"]
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    later = {**query, "expires": str(int(query["expires"]) + 3600)}
    expired = {**query, "expires": "1000"}
    for changed in (later, expired, {**query, "signature": "0" * 64}, {**query, "seller": str(alpha.seller_id)[::-1]}):
        response = await client.http.get(f"{parts.path}?{urlencode(changed)}")
        assert response.status_code == 403
    other = await client.http.get(f"/documents/{query['seller']}?{parts.query}")
    assert other.status_code == 403


async def test_another_seller_sees_none_of_the_documents(client, alpha, alpha_token):
    issue(alpha, sample_invoice(language="en"))
    factories.reseller(factories.provider("root2"), "Bravo Hosting", "bravo_admin")
    bravo_token = await client.login("bravo_admin", factories.PASSWORD)
    result = await client.execute(DOCUMENTS, token=bravo_token)
    assert result["data"]["documents"]["totalCount"] == 0


async def test_the_stock_layout_until_staff_change_it(client, alpha_token):
    layout = (await client.execute(LAYOUT, token=alpha_token))["data"]["invoiceLayout"]
    assert layout["addressPosition"] == "DIN_5008_B" and layout["addressTopMm"] == "45"
    assert layout["fonts"] == ["DejaVu Sans", "DejaVu Serif"] and layout["hasStationery"] is False


async def test_every_refused_layout_field_is_reported_and_nothing_is_stored(client, alpha_token):
    result = await client.execute(LAYOUT_UPDATE, {"input": {
        "primaryColour": "red", "font": "Comic Sans", "addressTopMm": "300", "headerText": "x" * 1001}},
        token=alpha_token)
    payload = result["data"]["invoiceLayoutUpdate"]
    assert sorted((e["code"], e["field"]) for e in payload["errors"]) == [
        ("INVALID_COLOUR", "primaryColour"), ("INVALID_FONT", "font"), ("INVALID_OFFSET", "addressTopMm"),
        ("TEXT_TOO_LONG", "headerText")]
    assert (await client.execute(LAYOUT, token=alpha_token))["data"]["invoiceLayout"]["primaryColour"] == "#1f3a5f"


async def test_staff_change_the_layout_and_upload_a_one_page_stationery(client, alpha_token):
    # when
    response = await _multipart(client, alpha_token, LAYOUT_UPDATE, {"input": {
        "primaryColour": "#AA0000", "font": "DejaVu Serif", "headerText": "Since 1999",
        "addressPosition": "CUSTOM", "addressTopMm": "50.5", "addressLeftMm": "25", "stationery": None}},
        {"0": (["variables.input.stationery"], "paper.pdf", one_page_pdf())})
    # then
    payload = response.json()["data"]["invoiceLayoutUpdate"]
    assert payload["errors"] == []
    assert payload["invoiceLayout"] == {
        "primaryColour": "#aa0000", "font": "DejaVu Serif", "headerText": "Since 1999", "addressPosition": "CUSTOM",
        "addressTopMm": "50.5", "addressLeftMm": "25.0", "hasStationery": True}


async def test_a_stationery_of_two_pages_or_not_a_pdf_is_refused(client, alpha_token):
    for content in (one_page_pdf(2), b"not a pdf"):
        response = await _multipart(client, alpha_token, LAYOUT_UPDATE, {"input": {"stationery": None}},
                                    {"0": (["variables.input.stationery"], "paper.pdf", content)})
        errors = response.json()["data"]["invoiceLayoutUpdate"]["errors"]
        assert [(e["code"], e["field"]) for e in errors] == [("INVALID_STATIONERY", "stationery")]


async def test_the_preview_renders_sample_data_in_the_current_layout(client, alpha_token):
    await client.execute(LAYOUT_UPDATE, {"input": {"headerText": "Preview header"}}, token=alpha_token)
    result = await client.execute(PREVIEW, {"input": {"kind": "CREDIT_NOTE", "language": "de"}}, token=alpha_token)
    url = result["data"]["invoiceLayoutPreview"]["pdfDataUrl"]
    assert url.startswith("data:application/pdf;base64,")
    text = pypdf.PdfReader(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).pages[0].extract_text()
    assert "Gutschrift" in text and "Preview header" in text


def test_document_kinds_are_the_model_kinds():
    assert {kind.name for kind in DocumentKind} == {"INVOICE", "CREDIT_NOTE", "STATEMENT", "SCHET_FACTURA"}


NODE = """query Node($id: ID!) { node(id: $id) { ... on Document { kind filename sha256 downloadUrl } } }"""


async def test_a_customer_fetches_its_invoice_by_id_but_never_a_schet_factura(client, alpha, superuser_connection):
    # given
    buyer = factories.customer(alpha, "jonas")
    invoice = issue(alpha, sample_invoice(language="en"), customer_id=buyer.customer_id)
    schet = issue(alpha, sample_schet_factura(), customer_id=buyer.customer_id)
    ids = {kind: superuser_connection.execute("SELECT id FROM documents WHERE subject_id = %s", (subject,)).fetchone()[0]
           for kind, subject in (("invoice", invoice), ("schet", schet))}
    token = await client.login("jonas", factories.PASSWORD)
    # when
    own = (await client.execute(NODE, {"id": encode_id("Document", ids["invoice"])}, token=token))["data"]["node"]
    hidden = (await client.execute(NODE, {"id": encode_id("Document", ids["schet"])}, token=token))["data"]["node"]
    # then
    assert own["kind"] == "INVOICE" and hidden is None
    response = await download(client, own["downloadUrl"])
    assert hashlib.sha256(response.content).hexdigest() == own["sha256"]
