"""The UBL 2.1 export of an invoice or credit note, Peppol BIS Billing 3.0 (an EN 16931 CIUS).

The same document as the Factur-X XML (comptoir.documents.cii), in the other syntax EN 16931 allows.
"""

from __future__ import annotations

from datetime import date

from lxml import etree

from comptoir.documents.cii import EXEMPTION_CODES, amount, decimal_text
from comptoir.documents.model import DocumentKind, DocumentLine, InvoiceDocument, Party, TaxCategory

CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
ROOTS = {DocumentKind.INVOICE: ("Invoice", "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"),
         DocumentKind.CREDIT_NOTE: ("CreditNote", "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2")}
CUSTOMIZATION = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
UNIT = "C62"


def _el(parent: etree._Element, tag: str, text: str | None = None, **attributes: str) -> etree._Element:
    prefix, name = tag.split(":")
    element = etree.SubElement(parent, f"{{{CAC if prefix == 'cac' else CBC}}}{name}", attributes)
    if text is not None:
        element.text = text
    return element


def _money(parent: etree._Element, tag: str, minor: int, currency: str) -> None:
    _el(parent, tag, amount(minor, currency), currencyID=currency)


def _day(value: date) -> str:
    return value.isoformat()


def _party(parent: etree._Element, tag: str, party: Party) -> None:
    node = _el(_el(parent, tag), "cac:Party")
    if party.email:
        _el(node, "cbc:EndpointID", party.email, schemeID="EM")
    _el(_el(node, "cac:PartyName"), "cbc:Name", party.legal_name)
    address = _el(node, "cac:PostalAddress")
    for tag_name, text in zip(("cbc:StreetName", "cbc:AdditionalStreetName"), party.address_lines, strict=False):
        _el(address, tag_name, text)
    if party.city:
        _el(address, "cbc:CityName", party.city)
    if party.postal_code:
        _el(address, "cbc:PostalZone", party.postal_code)
    if party.region:
        _el(address, "cbc:CountrySubentity", party.region)
    _el(_el(address, "cac:Country"), "cbc:IdentificationCode", party.country.upper())
    if party.vat_id:
        scheme = _el(node, "cac:PartyTaxScheme")
        _el(scheme, "cbc:CompanyID", party.vat_id)
        _el(_el(scheme, "cac:TaxScheme"), "cbc:ID", "VAT")
    _el(_el(node, "cac:PartyLegalEntity"), "cbc:RegistrationName", party.legal_name)
    if party.email:
        _el(_el(node, "cac:Contact"), "cbc:ElectronicMail", party.email)


def _category(parent: etree._Element, tag: str, category: TaxCategory, rate: object, reason: str = "") -> None:
    node = _el(parent, tag)
    _el(node, "cbc:ID", category.value)
    if category is not TaxCategory.NOT_SUBJECT:
        _el(node, "cbc:Percent", decimal_text(rate))  # type: ignore[arg-type]
    if tag == "cac:TaxCategory" and category in EXEMPTION_CODES:
        _el(node, "cbc:TaxExemptionReasonCode", EXEMPTION_CODES[category])
    if reason:
        _el(node, "cbc:TaxExemptionReason", reason)
    _el(_el(node, "cac:TaxScheme"), "cbc:ID", "VAT")


def _line(parent: etree._Element, number: int, line: DocumentLine, document: InvoiceDocument) -> None:
    credit = document.kind is DocumentKind.CREDIT_NOTE
    node = _el(parent, "cac:CreditNoteLine" if credit else "cac:InvoiceLine")
    _el(node, "cbc:ID", str(number))
    sign = -1 if line.unit_price_minor < 0 else 1
    _el(node, "cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity", decimal_text(line.quantity * sign),
        unitCode=UNIT)
    _money(node, "cbc:LineExtensionAmount", line.net_minor, document.currency)
    if line.period_start and line.period_end:
        period = _el(node, "cac:InvoicePeriod")
        _el(period, "cbc:StartDate", _day(line.period_start))
        _el(period, "cbc:EndDate", _day(line.period_end))
    item = _el(node, "cac:Item")
    _el(item, "cbc:Name", line.description)
    _category(item, "cac:ClassifiedTaxCategory", line.tax_category, line.tax_rate)
    _money(_el(node, "cac:Price"), "cbc:PriceAmount", abs(line.unit_price_minor), document.currency)


def _taxes(root: etree._Element, document: InvoiceDocument) -> None:
    currency = document.currency
    total = _el(root, "cac:TaxTotal")
    _money(total, "cbc:TaxAmount", document.tax_total_minor, currency)
    for subtotal in document.breakdown:
        node = _el(total, "cac:TaxSubtotal")
        _money(node, "cbc:TaxableAmount", subtotal.taxable_minor, currency)
        _money(node, "cbc:TaxAmount", subtotal.tax_minor, currency)
        reason = subtotal.exemption_reason or (
            document.reverse_charge_mention if subtotal.category is TaxCategory.REVERSE_CHARGE else "")
        _category(node, "cac:TaxCategory", subtotal.category, subtotal.rate, reason)
    totals = _el(root, "cac:LegalMonetaryTotal")
    _money(totals, "cbc:LineExtensionAmount", document.net_total_minor, currency)
    _money(totals, "cbc:TaxExclusiveAmount", document.net_total_minor, currency)
    _money(totals, "cbc:TaxInclusiveAmount", document.total_minor, currency)
    if document.amount_paid_minor:
        _money(totals, "cbc:PrepaidAmount", document.amount_paid_minor, currency)
    _money(totals, "cbc:PayableAmount", document.balance_due_minor, currency)


def to_xml(document: InvoiceDocument) -> bytes:
    """The UBL XML (UTF-8 bytes) of an invoice or credit note."""
    name, namespace = ROOTS[document.kind]
    credit = document.kind is DocumentKind.CREDIT_NOTE
    root = etree.Element(f"{{{namespace}}}{name}", nsmap={None: namespace, "cac": CAC, "cbc": CBC})
    _el(root, "cbc:CustomizationID", CUSTOMIZATION)
    _el(root, "cbc:ProfileID", PROFILE)
    _el(root, "cbc:ID", document.number)
    _el(root, "cbc:IssueDate", _day(document.issue_date))
    if document.due_date and not credit:
        _el(root, "cbc:DueDate", _day(document.due_date))
    _el(root, "cbc:CreditNoteTypeCode" if credit else "cbc:InvoiceTypeCode", "381" if credit else "380")
    for note in filter(None, (document.notes, document.reverse_charge_mention if document.reverse_charge else "")):
        _el(root, "cbc:Note", note)
    _el(root, "cbc:DocumentCurrencyCode", document.currency)
    _el(root, "cbc:BuyerReference", document.number)  # Peppol wants a buyer reference or an order reference
    if document.preceding_invoice_number:
        _el(_el(_el(root, "cac:BillingReference"), "cac:InvoiceDocumentReference"), "cbc:ID",
            document.preceding_invoice_number)
    _party(root, "cac:AccountingSupplierParty", document.seller)
    _party(root, "cac:AccountingCustomerParty", document.buyer)
    if document.iban:
        means = _el(root, "cac:PaymentMeans")
        _el(means, "cbc:PaymentMeansCode", "58")
        _el(_el(means, "cac:PayeeFinancialAccount"), "cbc:ID", document.iban.replace(" ", ""))
    if document.payment_terms:
        _el(_el(root, "cac:PaymentTerms"), "cbc:Note", document.payment_terms)
    _taxes(root, document)
    for number, line in enumerate(document.lines, start=1):
        _line(root, number, line, document)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
