"""UBL 2.1 (Peppol BIS Billing 3.0) export: valid against the UBL XSD and the EN 16931 UBL rules."""

from __future__ import annotations

import pytest
from lxml import etree

from comptoir.documents import ubl
from comptoir.documents.model import DocumentKind
from comptoir.documents.samples import sample_invoice
from tests.documents.test_facturx import CASES
from tests.documents.validation import UBL_XSDS, ubl_failures, xsd_errors


@pytest.fixture(autouse=True)
def clean_tables():
    """Nothing is written here."""
    yield


@pytest.mark.parametrize("case", CASES)
def test_the_ubl_export_is_xsd_valid_and_schematron_clean(case):
    document = sample_invoice(language="fr", **CASES[case])
    xml = ubl.to_xml(document)
    root = etree.QName(etree.fromstring(xml)).localname
    assert root == ("CreditNote" if document.kind is DocumentKind.CREDIT_NOTE else "Invoice")
    assert xsd_errors(xml, UBL_XSDS[root]) == []
    assert ubl_failures(xml) == []


def test_the_ubl_export_carries_the_peppol_identifiers_and_the_totals():
    xml = ubl.to_xml(sample_invoice(language="en", several_rates=True)).decode()
    assert ubl.CUSTOMIZATION in xml and ubl.PROFILE in xml
    assert '<cbc:PayableAmount currencyID="EUR">' in xml and "<cbc:Percent>5.5</cbc:Percent>" in xml
