"""The seam between invoicing and taxes (the taxes helper replaces `tax_invoice`'s body).

Invoicing hands every line of a draft invoice to `tax_invoice` and writes back what it returns: each
line's net amount (a tax-inclusive store may turn a gross price into a net one), tax category and rate,
the per-rate breakdown, the totals, whether the invoice is reverse-charged and the legal note to print.
Rates are percentages (Decimal("20") is 20 %). Categories follow EN 16931 (S, Z, E, AE, K, G, O).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

NOT_SUBJECT = "O"  # EN 16931: services outside the scope of tax


@dataclass(frozen=True)
class TaxableLine:
    key: int  # the line's position on the invoice
    amount_minor: int  # the line's amount as priced (discount lines negative)
    plan_id: uuid.UUID | None
    kind: str  # comptoir.billing.rules.LineKind value


@dataclass(frozen=True)
class TaxedLine:
    key: int
    net_minor: int
    tax_category: str
    tax_rate: Decimal


@dataclass(frozen=True)
class TaxSubtotal:
    category: str
    rate: Decimal
    taxable_minor: int
    tax_minor: int


@dataclass(frozen=True)
class TaxedInvoice:
    lines: list[TaxedLine]
    breakdown: list[TaxSubtotal]
    net_total: int
    tax_total: int
    total: int
    reverse_charge: bool
    note: str


def tax_invoice(session: Session, *, seller_id: uuid.UUID, customer_id: uuid.UUID, store_id: uuid.UUID | None,
                currency: str, issue_date: date, lines: list[TaxableLine]) -> TaxedInvoice:
    """Tax the lines of one invoice. Neutral until the taxes issue lands: no tax (category O, rate 0)."""
    taxed = [TaxedLine(line.key, line.amount_minor, NOT_SUBJECT, Decimal(0)) for line in lines]
    net = sum(line.net_minor for line in taxed)
    breakdown = [TaxSubtotal(NOT_SUBJECT, Decimal(0), net, 0)] if taxed else []
    return TaxedInvoice(lines=taxed, breakdown=breakdown, net_total=net, tax_total=0, total=net,
                        reverse_charge=False, note="")
