"""Plan changes and cancellation (SPEC §9.1), prorated by days like Stripe: the unused part of the current
period on the old price comes back, the rest of the period on the new price is charged. An upgrade is
invoiced at once (new remainder − old unused); a downgrade becomes credit, applied to the next invoices.
Later periods are billed at the new price. Cancelling at once may give the unused part back as credit (a
seller setting); cancelling at the period's end stops billing after what is already invoiced."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.billing import invoicing, settlement
from comptoir.billing import settings as billing_settings
from comptoir.billing.errors import BillingError, BillingErrorCode
from comptoir.billing.generation import lock_seller
from comptoir.billing.models import BilledService, Invoice, InvoiceLine
from comptoir.billing.rules import PERIOD_KINDS, LineKind, Period, unused_minor
from comptoir.money import Money


@dataclass(frozen=True)
class PlanChange:
    invoice: Invoice | None  # an upgrade's invoice
    credited_minor: int  # a downgrade's credit


def current_period(session: Session, service: BilledService, on: date) -> tuple[Period, int] | None:
    """The billed period holding `on` and the amount billed for it."""
    row = session.execute(select(InvoiceLine.period_start, InvoiceLine.period_end, InvoiceLine.net_minor).where(
        InvoiceLine.service_id == service.id, InvoiceLine.kind.in_(PERIOD_KINDS), InvoiceLine.period_start <= on,
        InvoiceLine.period_end >= on)).first()
    if row is None:
        return None
    start, last_day, amount = row
    return Period(start, date.fromordinal(last_day.toordinal() + 1)), amount


def change_plan(session: Session, *, service_id: uuid.UUID, plan_id: uuid.UUID | None, price_minor: int,
                description: str, on: date) -> PlanChange:
    lock_seller(session, _seller_of(session, service_id))
    service = _locked(session, service_id)
    if service.status != "active" or price_minor < 0:
        raise BillingError(BillingErrorCode.INVALID, "Only an active service changes plan, to a price ≥ 0.",
                           field="price")
    found = current_period(session, service, on)
    old_price = service.price_minor
    service.plan_id, service.price_minor, service.description = plan_id, price_minor, description[:255]
    if found is None:  # nothing billed covers today: the next invoice simply uses the new price
        session.flush()
        return PlanChange(None, 0)
    period, billed = found
    old_back = unused_minor(billed, period, on)
    new_due = _new_share(old_back, old_price, price_minor, period, on)
    difference = new_due - old_back
    if difference > 0:
        invoice = invoicing.issue(session, invoicing.InvoiceRequest(
            seller_id=service.seller_id, customer_id=service.customer_id, currency=service.currency,
            issue_date=on, store_id=service.store_id, lines=[
                invoicing.DraftLine(f"Remaining time on {service.description} ({on} – {period.last_day})", new_due,
                                    LineKind.ONE_OFF, service_id=service.id, plan_id=plan_id),
                invoicing.DraftLine(f"Unused time on the previous plan ({on} – {period.last_day})", -old_back,
                                    LineKind.CREDIT, service_id=service.id)]))
        return PlanChange(invoice, 0)
    if difference < 0:
        settlement.add_credit(session, seller_id=service.seller_id, customer_id=service.customer_id,
                              amount=Money(-difference, service.currency), kind="downgrade", on=on,
                              description=f"Downgrade of {service.description}")
    return PlanChange(None, -difference)


def _new_share(old_back: int, old_price: int, new_price: int, period: Period, on: date) -> int:
    """The new price's part of the rest of the period, in the old one's proportion (so a prorated first
    period stays prorated the same way)."""
    if old_price <= 0:
        return unused_minor(new_price, period, on)
    return int((Decimal(old_back) * new_price / old_price).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def cancel(session: Session, *, service_id: uuid.UUID, at_period_end: bool, on: date) -> BilledService:
    """Stop billing at once (credit for the unused part when the seller's setting says so), or after what
    is already invoiced (ProcessCancellation then closes it)."""
    service = _locked(session, service_id)
    if service.status != "active":
        raise BillingError(BillingErrorCode.INVALID, "The service is already cancelled.", field="id")
    if at_period_end:
        service.cancel_at_period_end, service.ends_on = True, service.billed_through or on
        session.flush()
        return service
    service.status, service.ends_on = "cancelled", on
    settings = billing_settings.get(session, seller_id=service.seller_id)
    found = current_period(session, service, on)
    if settings.credit_on_immediate_cancel and found is not None:
        back = unused_minor(found[1], found[0], on)
        if back:
            settlement.add_credit(session, seller_id=service.seller_id, customer_id=service.customer_id,
                                  amount=Money(back, service.currency), kind="cancellation", on=on,
                                  description=f"Cancellation of {service.description}")
    session.flush()
    return service


def process_cancellations(session: Session, *, seller_id: uuid.UUID, today: date) -> list[uuid.UUID]:
    """Daily: close the services cancelled at the end of their period once it has ended."""
    due = list(session.scalars(select(BilledService).where(
        BilledService.seller_id == seller_id, BilledService.status == "active", BilledService.cancel_at_period_end,
        BilledService.ends_on <= today).with_for_update(skip_locked=True)))
    for service in due:
        service.status = "cancelled"
    session.flush()
    return [service.id for service in due]


def _seller_of(session: Session, service_id: uuid.UUID) -> uuid.UUID:
    seller_id = session.scalar(select(BilledService.seller_id).where(BilledService.id == service_id))
    if seller_id is None:
        raise BillingError(BillingErrorCode.NOT_FOUND, "No such service.", field="id")
    return seller_id


def _locked(session: Session, service_id: uuid.UUID) -> BilledService:
    service = session.scalars(select(BilledService).where(BilledService.id == service_id).with_for_update()).first()
    if service is None:
        raise BillingError(BillingErrorCode.NOT_FOUND, "No such service.", field="id")
    return service
