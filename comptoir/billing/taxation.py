"""The seam invoice issue calls: the tax of an invoice's lines for its seller, buyer, store and date.

Every line of one invoice gets the buyer's treatment (tax_rules.treatment); amounts are gross when the
store's prices include tax, else net. The rounding is EN 16931's (see tax_rules).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.billing import tax_rules
from comptoir.billing.tax_models import CustomerTaxProfile, StoreTaxSettings
from comptoir.billing.taxes import zones_of
from comptoir.tenancy.models import Customer, Seller


@dataclass(frozen=True)
class TaxableLine:
    key: int
    amount_minor: int
    plan_id: uuid.UUID | None
    kind: str


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
    """The invoice's lines taxed as of `issue_date` (rates in force that day)."""
    seller_country = session.scalar(select(Seller.country).where(Seller.id == seller_id)) or ""
    treatment = tax_rules.treatment(seller_country=seller_country, buyer=buyer_of(session, customer_id),
                                    zones=zones_of(session, seller_id=seller_id), day=issue_date)
    return taxed(lines, treatment, prices_include_tax=prices_include_tax(session, store_id=store_id))


def taxed(lines: list[TaxableLine], treatment: tax_rules.Treatment, *, prices_include_tax: bool) -> TaxedInvoice:
    """Pure: the lines under one treatment, with the (category, rate) breakdown and totals."""
    computed = tax_rules.compute([line.amount_minor for line in lines], treatment,
                                 prices_include_tax=prices_include_tax)
    category, rate = treatment.category.value, treatment.percent
    taxed_lines = [TaxedLine(line.key, net, category, rate) for line, net in zip(lines, computed.nets)]
    subtotal = computed.subtotal
    breakdown = [TaxSubtotal(category, rate, subtotal.taxable_minor, subtotal.tax_minor)] if lines else []
    net_total = sum(s.taxable_minor for s in breakdown)
    tax_total = sum(s.tax_minor for s in breakdown)
    return TaxedInvoice(taxed_lines, breakdown, net_total, tax_total, net_total + tax_total,
                        treatment.reverse_charge, treatment.note)


def buyer_of(session: Session, customer_id: uuid.UUID) -> tax_rules.Buyer:
    row = session.execute(select(Customer.country, Customer.region).where(Customer.id == customer_id)).one()
    profile = session.get(CustomerTaxProfile, customer_id)
    if profile is None:
        return tax_rules.Buyer(country=row.country, region=row.region)
    return tax_rules.Buyer(country=row.country, region=row.region, b2b=profile.b2b, vat_id=profile.vat_id,
                           exempt=profile.exempt, exemption_reason=profile.exemption_reason)


def prices_include_tax(session: Session, *, store_id: uuid.UUID | None) -> bool:
    """A store's price mode; invoices without a store (manual ones) and stores never set: exclusive."""
    if store_id is None:
        return False
    settings = session.get(StoreTaxSettings, store_id)
    return bool(settings and settings.prices_include_tax)
