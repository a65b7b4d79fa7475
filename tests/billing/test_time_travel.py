"""A year of billing through the sandbox clock (SPEC §10): the daily ProcessInvoices event issues every
invoice on the day the rules say, for the periods and amounts they say. Two sellers (anniversary and
monthly mode), sign-ups on the 1st, 15th and 28th–31st, around February 2028 (a leap year), mixed
cycles and a yearly domain invoiced 30 days ahead."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, text

from comptoir import clock
from comptoir.automation import events, sandbox
from comptoir.automation.intents import system_context
from comptoir.billing import settings as billing_settings
from comptoir.billing import settlement
from comptoir.billing.generation import terms_of
from comptoir.billing.models import BilledService, Invoice, InvoiceLine
from comptoir.billing.rules import Cycle, ServiceKind, due_periods, invoice_date
from comptoir.database.engine import session_scope
from comptoir.money import Money
from comptoir.settings import get_settings
from tests import factories
from tests.billing.support import assert_books_consistent, start

BEGIN = datetime(2027, 12, 1, 0, 30, tzinfo=UTC)
END = datetime(2029, 1, 20, 0, 30, tzinfo=UTC)
SIGN_UPS = [  # (day, cycle, kind)
    (date(2027, 12, 1), Cycle.MONTHLY, ServiceKind.HOSTING),
    (date(2027, 12, 15), Cycle.QUARTERLY, ServiceKind.HOSTING),
    (date(2027, 12, 28), Cycle.MONTHLY, ServiceKind.HOSTING),
    (date(2027, 12, 29), Cycle.SEMI_ANNUAL, ServiceKind.HOSTING),
    (date(2027, 12, 30), Cycle.MONTHLY, ServiceKind.HOSTING),
    (date(2027, 12, 31), Cycle.MONTHLY, ServiceKind.HOSTING),
    (date(2028, 1, 31), Cycle.ANNUAL, ServiceKind.HOSTING),
    (date(2028, 2, 29), Cycle.ANNUAL, ServiceKind.DOMAIN),
    (date(2028, 1, 15), Cycle.ANNUAL, ServiceKind.DOMAIN),
]


@pytest.fixture
def sandbox_mode(monkeypatch):
    monkeypatch.setattr(get_settings(), "sandbox", True)
    # Only the events this story is about run on the way (the others cost a year of ticks for nothing).
    monkeypatch.setattr(events, "_kinds", {name: kind for name, kind in events._kinds.items()
                                           if name in ("process_invoices", "intent_relay")})
    yield
    clock.set_offset(timedelta(0))


def _jump(provider_id, moment: datetime) -> None:
    with session_scope(system_context(provider_id)) as session:
        ahead = session.execute(text("SELECT comptoir_clock_advance_to(:to)"), {"to": moment}).scalar_one()
    clock.set_offset(ahead)


@pytest.mark.slow
def test_thirteen_months_of_daily_invoicing_follow_the_rules_in_both_modes(sandbox_mode) -> None:
    provider = factories.provider()
    sellers = {mode: factories.reseller(provider, f"{mode} Co", f"{mode}_admin") for mode in ("anniversary", "monthly")}
    customers = {mode: [factories.customer(seller, f"{mode}{n}", subscribed=False).customer_id for n in range(3)]
                 for mode, seller in sellers.items()}
    _jump(provider.seller_id, BEGIN)
    for mode, seller in sellers.items():
        with session_scope(system_context(seller.seller_id)) as session:
            billing_settings.update(session, seller_id=seller.seller_id, changes={"mode": mode, "threshold_day": 20})
            for n, (day, cycle, kind) in enumerate(SIGN_UPS):
                start(session, seller.seller_id, customers[mode][n % 3], day, cycle=cycle, kind=kind, price=3000 + n)
    # when the clock runs day by day for thirteen and a half months
    sandbox.advance(provider_seller_id=provider.seller_id, to=END)
    # then every period due by the end was invoiced once, on its invoicing day, at the rules' amount
    last_day = END.date()
    for mode, seller in sellers.items():
        with session_scope(system_context(seller.seller_id)) as session:
            settings = billing_settings.get(session, seller_id=seller.seller_id)
            for service in session.scalars(select(BilledService)):
                terms = terms_of(service, settings)
                lead = billing_settings.lead_days(settings, service.kind)
                expected = [(p.start, p.last_day, p.amount_minor, p.kind.value,
                             invoice_date(p, lead_days=lead, started_on=service.started_on))
                            for p in due_periods(terms, today=last_day, lead_days=lead)]
                billed = session.execute(select(
                    InvoiceLine.period_start, InvoiceLine.period_end, InvoiceLine.net_minor, InvoiceLine.kind,
                    Invoice.issue_date).join(Invoice, Invoice.id == InvoiceLine.invoice_id).where(
                    InvoiceLine.service_id == service.id).order_by(InvoiceLine.period_start)).all()
                assert [tuple(row) for row in billed] == expected, (mode, service.started_on, service.cycle)
            _spot_checks(session, mode)
            for customer_id in customers[mode]:
                total_due = sum(i.amount_due for i in session.scalars(
                    select(Invoice).where(Invoice.customer_id == customer_id)))
                settlement.record_payment(session, seller_id=seller.seller_id, customer_id=customer_id,
                                          amount=Money(total_due, "EUR"), method="cash", reference="", on=last_day)
            for service in session.scalars(select(BilledService)):
                assert service.paid_through == service.billed_through  # no gap in a paid service's coverage
            assert_books_consistent(session, seller.seller_id)


def _spot_checks(session, mode: str) -> None:
    """A few rows written out, so a wrong rule cannot hide behind its own calendar."""
    def periods_of(day: date) -> list[tuple[date, date]]:
        service = session.scalars(select(BilledService).where(BilledService.started_on == day)).one()
        return [(row[0], row[1]) for row in session.execute(select(InvoiceLine.period_start, InvoiceLine.period_end)
                .where(InvoiceLine.service_id == service.id).order_by(InvoiceLine.period_start))]

    if mode == "anniversary":
        assert periods_of(date(2027, 12, 31))[1:4] == [
            (date(2028, 1, 31), date(2028, 2, 28)), (date(2028, 2, 29), date(2028, 3, 30)),
            (date(2028, 3, 31), date(2028, 4, 29))]
        assert periods_of(date(2028, 2, 29)) == [(date(2028, 2, 29), date(2029, 2, 27))]  # domain, yearly
    else:
        # the 28th is on/after the threshold: the rest of December and January on the first invoice
        assert periods_of(date(2027, 12, 28))[:3] == [
            (date(2027, 12, 28), date(2027, 12, 31)), (date(2028, 1, 1), date(2028, 1, 31)),
            (date(2028, 2, 1), date(2028, 2, 29))]
        # the quarterly plan signed on the 15th (before the threshold) pays the rest of December only
        assert periods_of(date(2027, 12, 15))[:2] == [
            (date(2027, 12, 15), date(2027, 12, 31)), (date(2028, 1, 1), date(2028, 3, 31))]
