"""Issuing an invoice: discounts and taxes through their seams, a gap-free number, snapshots of both
parties, the ledger posting, the customer's credit applied, the "invoice issued" e-mail."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.billing import discounts as discount_seam
from comptoir.billing import documents as invoice_documents
from comptoir.billing import ledger, numbering, settlement, taxation
from comptoir.billing import settings as billing_settings
from comptoir.billing.errors import BillingError, BillingErrorCode
from comptoir.billing.models import Invoice, InvoiceLine
from comptoir.billing.numbering_rules import Series
from comptoir.billing.rules import PERIOD_KINDS, LineKind, Period
from comptoir.messaging import outbox
from comptoir.messaging.attachments import Attachment
from comptoir.money import Money
from comptoir.settings import get_settings
from comptoir.tenancy.models import Customer, Seller


@dataclass(frozen=True)
class DraftLine:
    """One line as priced, before discounts and taxes."""

    description: str
    amount_minor: int
    kind: LineKind
    service_id: uuid.UUID | None = None
    plan_id: uuid.UUID | None = None
    period: Period | None = None
    quantity: Decimal = Decimal(1)
    coupon_id: uuid.UUID | None = None


@dataclass
class InvoiceRequest:
    seller_id: uuid.UUID
    customer_id: uuid.UUID
    currency: str
    lines: list[DraftLine]
    issue_date: date
    store_id: uuid.UUID | None = None
    order_id: uuid.UUID | None = None
    extra_recipients: list[str] = field(default_factory=list)
    kind: str = "invoice"
    credited_invoice_id: uuid.UUID | None = None


def issue(session: Session, request: InvoiceRequest) -> Invoice:
    """Write and issue one invoice (or credit note) in the caller's transaction."""
    settings = billing_settings.get(session, seller_id=request.seller_id)
    lines, granted = _with_discounts(session, request)
    taxed = taxation.tax_invoice(session, seller_id=request.seller_id, customer_id=request.customer_id,
                                 store_id=request.store_id, currency=request.currency, issue_date=request.issue_date,
                                 lines=[taxation.TaxableLine(key, line.amount_minor, line.plan_id, line.kind.value)
                                        for key, line in enumerate(lines, start=1)])
    if taxed.total < 0:
        raise BillingError(BillingErrorCode.NEGATIVE_TOTAL, "An invoice cannot total less than zero; "
                           "give credit instead.", field="lines")
    customer = session.get_one(Customer, request.customer_id)
    invoice = Invoice(
        seller_id=request.seller_id, customer_id=request.customer_id, kind=request.kind, currency=request.currency,
        net_total=taxed.net_total, tax_total=taxed.tax_total, total=taxed.total, reverse_charge=taxed.reverse_charge,
        tax_note=taxed.note, tax_breakdown=[_subtotal_json(s) for s in taxed.breakdown],
        seller_snapshot=_seller_snapshot(session.get_one(Seller, request.seller_id)),
        customer_snapshot=_customer_snapshot(customer), recipients=[customer.email, *request.extra_recipients],
        language=customer.locale or "en", order_id=request.order_id, credited_invoice_id=request.credited_invoice_id)
    session.add(invoice)
    session.flush()
    by_key = {line.key: line for line in taxed.lines}
    rows = [_line_row(invoice, position, line, by_key[position]) for position, line in enumerate(lines, start=1)]
    session.add_all(rows)
    session.flush()
    series = Series.CREDIT_NOTE if request.kind == "credit_note" else Series.INVOICE
    invoice.number = numbering.take_number(session, settings=settings, series=series, issue_date=request.issue_date)
    invoice.status, invoice.issue_date, invoice.issued_at = "issued", request.issue_date, clock.now()
    invoice.due_date = request.issue_date + timedelta(days=settings.due_days)
    session.flush()
    if request.kind == "invoice":
        _post(session, invoice, lines, taxed)
        for service_id, granted_discounts in granted.items():
            discount_seam.discounts_applied(session, seller_id=invoice.seller_id, invoice_id=invoice.id,
                                            service_id=service_id, discounts=granted_discounts)
        settlement.apply_credit(session, invoice=invoice)
        settlement.settle(session, invoice=invoice)
    render = invoice_documents.issue_pdf(session, invoice, rows)
    if request.kind == "invoice":
        _announce(session, invoice, customer.contact_name, [invoice_documents.attachment(render)])
    return invoice


def _with_discounts(session: Session, request: InvoiceRequest) -> tuple[list[DraftLine], dict[uuid.UUID, list[Any]]]:
    lines: list[DraftLine] = []
    granted: dict[uuid.UUID, list[Any]] = {}
    for line in request.lines:
        lines.append(line)
        if line.service_id is None or line.kind.value not in PERIOD_KINDS or line.period is None:
            continue
        found = discount_seam.discounts_for(
            session, seller_id=request.seller_id, customer_id=request.customer_id, service_id=line.service_id,
            plan_id=line.plan_id, currency=request.currency, period_start=line.period.start,
            amount_minor=line.amount_minor)
        for discount in found:
            lines.append(DraftLine(discount.description, -discount.amount_minor, LineKind.DISCOUNT,
                                   service_id=line.service_id, plan_id=line.plan_id, coupon_id=discount.coupon_id))
        if found:
            granted.setdefault(line.service_id, []).extend(found)
    return lines, granted


def _line_row(invoice: Invoice, position: int, line: DraftLine, taxed: taxation.TaxedLine) -> InvoiceLine:
    tax = (Decimal(taxed.net_minor) * taxed.tax_rate / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return InvoiceLine(
        seller_id=invoice.seller_id, invoice_id=invoice.id, customer_id=invoice.customer_id, position=position,
        service_id=line.service_id, period_start=line.period.start if line.period else None,
        period_end=line.period.last_day if line.period else None, description=line.description[:500],
        quantity=line.quantity, unit_price_minor=int(Decimal(taxed.net_minor) / line.quantity) if line.quantity else 0,
        net_minor=taxed.net_minor, kind=line.kind.value, tax_category=taxed.tax_category, tax_rate=taxed.tax_rate,
        tax_minor=int(tax), coupon_id=line.coupon_id)


def _post(session: Session, invoice: Invoice, lines: list[DraftLine], taxed: taxation.TaxedInvoice) -> None:
    """Receivable (net + tax) and coupon cost against revenue (before discounts) and tax payable per rate."""
    by_key = {line.key: line for line in taxed.lines}
    discount = sum(by_key[k].net_minor for k, line in enumerate(lines, start=1) if line.kind is LineKind.DISCOUNT)
    legs = [ledger.Leg(ledger.RECEIVABLES, invoice.total, invoice.customer_id),
            ledger.Leg(ledger.COUPON_EXPENSE, -discount, invoice.customer_id),
            ledger.Leg(ledger.REVENUE, -(invoice.net_total - discount), invoice.customer_id),
            *(ledger.Leg(ledger.tax_payable(s.category, s.rate), -s.tax_minor, invoice.customer_id)
              for s in taxed.breakdown)]
    ledger.post(session, seller_id=invoice.seller_id, currency=invoice.currency, legs=legs,
                posted_on=invoice.issue_date or clock.today(), invoice_id=invoice.id, memo=f"Invoice {invoice.number}")


def resend(session: Session, invoice: Invoice) -> int:
    """E-mail the issued invoice again to its recipients, with its stored PDF (the same bytes); how many."""
    render = invoice_documents.render_request(session, invoice)
    if invoice.kind != "invoice" or invoice.status in ("draft", "void") or render is None:
        raise BillingError(BillingErrorCode.NOT_ISSUED, "Only an issued invoice is sent.", field="invoiceId")
    name = str(invoice.customer_snapshot.get("contact_name") or "")
    return _announce(session, invoice, name, [invoice_documents.attachment(render)])


def _announce(session: Session, invoice: Invoice, name: str, attachments: list[Attachment]) -> int:
    total = Money(invoice.total, invoice.currency)
    due = Money(invoice.amount_due, invoice.currency)
    for address in invoice.recipients:
        outbox.enqueue(session=session, seller_id=invoice.seller_id, customer_id=invoice.customer_id,
                       to_address=address, template="invoice_issued", language=invoice.language,
                       attachments=attachments, variables={
                           "name": name, "number": invoice.number,
                           "invoice_number": invoice.number, "link": _invoice_link(invoice),
                           "total": total.formatted(invoice.language), "amount_due": due.formatted(invoice.language),
                           "issue_date": invoice.issue_date.isoformat() if invoice.issue_date else "",
                           "due_date": invoice.due_date.isoformat() if invoice.due_date else ""})
    return len(invoice.recipients)


def _invoice_link(invoice: Invoice) -> str:
    return f"{get_settings().public_url.rstrip('/')}/invoices/{invoice.id}"


def _subtotal_json(subtotal: taxation.TaxSubtotal) -> dict[str, Any]:
    return {"category": subtotal.category, "rate": str(subtotal.rate), "taxable_minor": subtotal.taxable_minor,
            "tax_minor": subtotal.tax_minor}


def _seller_snapshot(seller: Seller) -> dict[str, Any]:
    return {"name": seller.name, "company_name": seller.company_name, "email": seller.email, "phone": seller.phone,
            "country": seller.country}


def _customer_snapshot(customer: Customer) -> dict[str, Any]:
    return {name: getattr(customer, name) for name in (
        "contact_name", "company_name", "email", "phone", "address_line1", "address_line2", "city", "region",
        "postal_code", "country")}


def lines_of(session: Session, invoice_id: uuid.UUID) -> list[InvoiceLine]:
    return list(session.scalars(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice_id)
                                .order_by(InvoiceLine.position)))
