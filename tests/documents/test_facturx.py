"""Factur-X: the invoice PDF is PDF/A-3 with its CII XML embedded, valid against the EN 16931 XSD and
clean against the EN 16931 schematron business rules (run offline with Saxon)."""

from __future__ import annotations

import io

import facturx
import pypdf
import pytest

from comptoir.documents import cii
from comptoir.documents.layout import Layout
from comptoir.documents.model import DocumentKind
from comptoir.documents.render import render_pdf
from comptoir.documents.samples import sample_invoice
from tests.documents.validation import CII_XSD, cii_failures, xsd_errors

CASES = {
    "plain": {},
    "reverse charge": {"reverse_charge": True},
    "several VAT rates": {"several_rates": True},
    "coupon": {"coupon": True},
    "credit note": {"kind": DocumentKind.CREDIT_NOTE},
    "credit note with a coupon and two rates": {"kind": DocumentKind.CREDIT_NOTE, "coupon": True,
                                                 "several_rates": True},
}


@pytest.fixture(autouse=True)
def clean_tables():
    """Nothing is written here."""
    yield


@pytest.mark.parametrize("case", CASES)
def test_the_embedded_cii_xml_is_xsd_valid_and_schematron_clean(case):
    # given
    document = sample_invoice(language="fr", **CASES[case])
    # when
    pdf = render_pdf(document, Layout())
    filename, xml = facturx.get_xml_from_pdf(pdf, check_xsd=False)
    # then
    assert filename == "factur-x.xml"
    assert xsd_errors(xml, CII_XSD) == []
    assert cii_failures(xml) == []
    assert xml == cii.to_xml(document)


def test_the_pdf_declares_pdf_a_3_and_the_en16931_profile():
    pdf = render_pdf(sample_invoice(language="de"), Layout())
    metadata = pypdf.PdfReader(io.BytesIO(pdf)).xmp_metadata
    assert metadata is not None
    xmp = metadata.stream.get_data().decode()
    assert "<pdfaid:part>3</pdfaid:part>" in xmp
    assert "EN 16931" in xmp and "factur-x.xml" in xmp


def test_the_schematron_does_catch_a_broken_invoice():
    """The rules really run: totals that do not add up fail BR-CO-15."""
    xml = cii.to_xml(sample_invoice(language="en")).replace(
        b"<ram:GrandTotalAmount>", b"<ram:GrandTotalAmount>1")
    assert any(failure.startswith("BR-CO-15") for failure in cii_failures(xml))


def test_a_reverse_charge_invoice_carries_the_exemption_reason_and_no_tax():
    xml = cii.to_xml(sample_invoice(language="fr", reverse_charge=True)).decode()
    assert "<ram:CategoryCode>AE</ram:CategoryCode>" in xml
    assert "<ram:ExemptionReasonCode>VATEX-EU-AE</ram:ExemptionReasonCode>" in xml
    assert '<ram:TaxTotalAmount currencyID="EUR">0.00</ram:TaxTotalAmount>' in xml
