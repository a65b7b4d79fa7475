"""Invoice generation as an idempotent computation (Kill Bill's invoice generator): for every billed
service, the periods that should have been invoiced by `today` (each its lead days ahead) minus the
periods invoice lines already cover; only the difference is issued. Running it twice, concurrently
(one seller-wide lock), after a crash (nothing half-written survives a rollback) or late (every missed
period is still missing) never bills a period twice nor skips one; the unique index on period lines is
the last guard. Monthly mode groups one invoice per customer, currency and period; anniversary services
get one invoice each. "Max items per invoice" splits a group."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import or_, select, text
from sqlalchemy.orm import Session

from comptoir.billing import invoicing
from comptoir.billing import settings as billing_settings
from comptoir.billing.models import BilledService, BillingSettings, Invoice, InvoiceLine
from comptoir.billing.rules import (
    PERIOD_KINDS,
    BillingMode,
    Cycle,
    LineKind,
    Period,
    ServiceTerms,
    due_periods,
)


@dataclass(frozen=True)
class PlannedItem:
    service: BilledService
    period: Period


@dataclass(frozen=True)
class PlannedInvoice:
    customer_id: uuid.UUID
    currency: str
    items: list[PlannedItem]

    @property
    def total_minor(self) -> int:
        return sum(item.period.amount_minor for item in self.items)


@dataclass(frozen=True)
class GenerationResult:
    planned: list[PlannedInvoice]
    issued: list[Invoice]


def lock_seller(session: Session, seller_id: uuid.UUID) -> None:
    """One biller per seller at a time (released when the transaction ends)."""
    session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended('comptoir.billing:' || :seller, 0))"),
                    {"seller": str(seller_id)})


def terms_of(service: BilledService, settings: BillingSettings) -> ServiceTerms:
    return ServiceTerms(started_on=service.started_on, cycle=Cycle(service.cycle), price_minor=service.price_minor,
                        mode=BillingMode(settings.mode), prorate=service.prorate, anchor_day=service.anchor_day,
                        threshold_day=settings.threshold_day)


def missing_periods(session: Session, service: BilledService, settings: BillingSettings, today: date) -> list[Period]:
    """What should have been billed for `service` by `today` and was not."""
    due = due_periods(terms_of(service, settings), today=today, until=service.ends_on,
                      lead_days=billing_settings.lead_days(settings, service.kind))
    billed = set(session.scalars(select(InvoiceLine.period_start).where(
        InvoiceLine.service_id == service.id, InvoiceLine.kind.in_(PERIOD_KINDS))))
    return [period for period in due if period.start not in billed]


def generate_invoices(session: Session, *, seller_id: uuid.UUID, today: date, dry_run: bool = False) -> GenerationResult:
    """Issue every invoice due by `today` (or, with dry_run, only say which would be)."""
    lock_seller(session, seller_id)
    settings = billing_settings.get(session, seller_id=seller_id)
    horizon = today + timedelta(days=max(settings.lead_days_hosting, settings.lead_days_domain,
                                         settings.lead_days_certificate))
    services = session.scalars(select(BilledService).where(
        BilledService.seller_id == seller_id, BilledService.status == "active",
        or_(BilledService.billed_through.is_(None), BilledService.billed_through <= horizon))
        .order_by(BilledService.customer_id, BilledService.started_on, BilledService.id))
    planned = plan(session, list(services), settings, today)
    if dry_run:
        return GenerationResult(planned, [])
    return GenerationResult(planned, [issue_planned(session, invoice, today) for invoice in planned])


def plan(session: Session, services: list[BilledService], settings: BillingSettings, today: date) -> list[PlannedInvoice]:
    groups: dict[tuple[object, ...], list[PlannedItem]] = defaultdict(list)
    for service in services:
        grouped = BillingMode(settings.mode) is BillingMode.MONTHLY and service.prorate
        for period in missing_periods(session, service, settings, today):
            key: tuple[object, ...] = ((service.customer_id, service.currency, period.start) if grouped
                                       else (service.id, period.start))
            groups[key].append(PlannedItem(service, period))
    limit = settings.max_items_per_invoice or None
    planned = []
    for items in groups.values():
        size = limit or len(items)
        for first in range(0, len(items), size):
            chunk = items[first:first + size]
            planned.append(PlannedInvoice(chunk[0].service.customer_id, chunk[0].service.currency, chunk))
    return planned


def issue_planned(session: Session, planned: PlannedInvoice, today: date, *,
                  order_id: uuid.UUID | None = None, extra: list[invoicing.DraftLine] | None = None) -> Invoice:
    first = planned.items[0].service
    lines = [line_for(item) for item in planned.items] + (extra or [])
    invoice = invoicing.issue(session, invoicing.InvoiceRequest(
        seller_id=first.seller_id, customer_id=planned.customer_id, currency=planned.currency, lines=lines,
        issue_date=today, store_id=first.store_id, order_id=order_id))
    for item in planned.items:
        billed = item.service.billed_through
        item.service.billed_through = max(billed, item.period.end) if billed else item.period.end
    session.flush()
    return invoice


def line_for(item: PlannedItem) -> invoicing.DraftLine:
    period, service = item.period, item.service
    span = f"{period.start.isoformat()} – {period.last_day.isoformat()}"
    prefix = "Prorated: " if period.kind is LineKind.PRORATION else ""
    return invoicing.DraftLine(f"{prefix}{service.description} ({span})", period.amount_minor, period.kind,
                               service_id=service.id, plan_id=service.plan_id, period=period)

