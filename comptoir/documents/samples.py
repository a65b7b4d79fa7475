"""Sample documents: what the layout preview renders, and what tests, the guide and the benchmark use."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from comptoir.documents import rules
from comptoir.documents.labels import labels_for
from comptoir.documents.model import (
    DocumentKind,
    DocumentLine,
    InvoiceDocument,
    Party,
    Signatories,
    TaxCategory,
)

SELLER = Party(name="Claire Martin", company="Hébergement Martin SARL", address_lines=("12 rue des Lilas",),
               city="Lyon", postal_code="69003", country="FR", vat_id="FR40123456824",
               email="factures@hebergement-martin.example")
BUYER = Party(name="Jonas Weber", company="Weber Design GmbH", address_lines=("Hauptstraße 5",),
              city="Berlin", postal_code="10115", country="DE", vat_id="DE136695976",
              email="buchhaltung@weber-design.example")


def _line(description: str, quantity: str, unit_price_minor: int, rate: str = "20",
          category: TaxCategory = TaxCategory.STANDARD, month: int = 1) -> DocumentLine:
    net = rules.line_net_minor(Decimal(quantity), unit_price_minor)
    tax_rate = Decimal(rate)
    return DocumentLine(description=description, quantity=Decimal(quantity), unit_price_minor=unit_price_minor,
                        net_minor=net, tax_category=category, tax_rate=tax_rate,
                        tax_minor=rules.tax_minor(net, tax_rate) if category is TaxCategory.STANDARD else 0,
                        period_start=date(2026, month, 1), period_end=date(2026, month, 28))


def sample_invoice(*, language: str = "en", kind: DocumentKind = DocumentKind.INVOICE, line_count: int = 3,
                   reverse_charge: bool = False, several_rates: bool = False, coupon: bool = False,
                   number: str = "F-2026-0001") -> InvoiceDocument:
    """A plausible invoice of a hosting seller; reverse charge makes every line AE at 0 %."""
    category, rate = (TaxCategory.REVERSE_CHARGE, "0") if reverse_charge else (TaxCategory.STANDARD, "20")
    names = ("Web hosting Pro", "Domain example.org", "SSL certificate", "Extra mailbox")
    lines = [_line(f"{names[i % len(names)]} #{i + 1}", "1" if i % 3 else "2", 1250 + 10 * (i % 7), rate,
                   category, month=1 + i % 12) for i in range(line_count)]
    if several_rates:
        lines.append(_line("Printed manual", "1", 1900, "5.5"))
    if coupon:
        lines.append(_line("Coupon WELCOME10", "1", -500, rate, category))
    mention = labels_for(language)["reverse_charge"] if reverse_charge else ""
    totals = rules.totals(lines, {TaxCategory.REVERSE_CHARGE: mention} if reverse_charge else None)
    document = InvoiceDocument(
        kind=kind, number=number, issue_date=date(2026, 3, 2), due_date=date(2026, 4, 1), currency="EUR",
        language=language, seller=SELLER, buyer=BUYER, lines=tuple(lines), breakdown=totals.breakdown,
        net_total_minor=totals.net_minor, tax_total_minor=totals.tax_minor, total_minor=totals.total_minor,
        balance_due_minor=totals.total_minor, reverse_charge=reverse_charge, reverse_charge_mention=mention,
        payment_terms="30 days net", iban="FR76 3000 6000 0112 3456 7890 189", bic="AGRIFRPP",
    )
    if kind is DocumentKind.CREDIT_NOTE:
        document = replace(document, preceding_invoice_number="F-2025-0099", due_date=None, payment_terms="",
                           balance_due_minor=totals.total_minor)
    return document


def sample_schet_factura() -> InvoiceDocument:
    seller = Party(name="Иванов Иван", company="ООО «Хостинг Плюс»", address_lines=("ул. Ленина, д. 1",),
                   city="Москва", postal_code="101000", country="RU", vat_id="7707083893")
    buyer = Party(name="Петров Пётр", company="ООО «Ромашка»", address_lines=("пр. Мира, д. 10",),
                  city="Санкт-Петербург", postal_code="190000", country="RU", vat_id="7812014560")
    lines = [_line("Виртуальный хостинг «Бизнес»", "3", 99000), _line("Регистрация домена", "1", 59900)]
    totals = rules.totals(lines)
    return InvoiceDocument(
        kind=DocumentKind.SCHET_FACTURA, number="СФ-2026-17", issue_date=date(2026, 3, 2), currency="RUB",
        language="ru", seller=seller, buyer=buyer, lines=tuple(lines), breakdown=totals.breakdown,
        net_total_minor=totals.net_minor, tax_total_minor=totals.tax_minor, total_minor=totals.total_minor,
        balance_due_minor=totals.total_minor,
        signatories=Signatories(director="Иванов И. И.", chief_accountant="Сидорова А. П."))
