"""Plan changes and cancellation, prorated by days: an upgrade invoiced at once, a downgrade as credit,
later periods at the new price; cancelling at once with credit, or at the period's end."""

from __future__ import annotations

from datetime import date

from comptoir.billing import changes, services, settlement
from comptoir.billing.generation import generate_invoices
from comptoir.billing.rules import Period, unused_minor
from comptoir.money import Money
from tests.billing.support import (
    assert_books_consistent,
    invoices,
    period_lines,
    seller_with_customers,
    start,
    system,
)


def test_unused_share_is_prorated_by_days_half_up() -> None:
    april = Period(date(2027, 4, 1), date(2027, 5, 1))
    assert [unused_minor(3000, april, day) for day in (date(2027, 4, 1), date(2027, 4, 16), date(2027, 5, 1))] == [
        3000, 1500, 0]
    assert unused_minor(1000, april, date(2027, 4, 30)) == 33  # 1000 × 1/30 = 33.3


def test_an_upgrade_mid_period_is_invoiced_at_once_and_later_periods_cost_the_new_price() -> None:
    seller_id, (customer,) = seller_with_customers()
    with system(seller_id) as session:
        service = start(session, seller_id, customer, date(2027, 4, 1), price=3000)
        services.issue_first_invoice(session, seller_id=seller_id, service_ids=[service.id], today=date(2027, 4, 1))
        change = changes.change_plan(session, service_id=service.id, plan_id=None, price_minor=6000,
                                     description="Hosting Pro", on=date(2027, 4, 16))
        # 15 of 30 days left: 3000 back for the new 6000 × 15/30 = 3000 due (net 1500 = 3000 − 1500)
        assert change.invoice is not None and change.invoice.total == 1500
        generate_invoices(session, seller_id=seller_id, today=date(2027, 4, 25))
        assert period_lines(session, service.id)[-1] == (date(2027, 5, 1), date(2027, 5, 31), 6000, "recurring")
        assert_books_consistent(session, seller_id)


def test_a_downgrade_becomes_credit_that_pays_the_next_invoice() -> None:
    seller_id, (customer,) = seller_with_customers()
    with system(seller_id) as session:
        service = start(session, seller_id, customer, date(2027, 4, 1), price=6000)
        services.issue_first_invoice(session, seller_id=seller_id, service_ids=[service.id], today=date(2027, 4, 1))
        settlement.record_payment(session, seller_id=seller_id, customer_id=customer, amount=Money(6000, "EUR"),
                                  method="cash", reference="", on=date(2027, 4, 2))
        change = changes.change_plan(session, service_id=service.id, plan_id=None, price_minor=3000,
                                     description="Hosting Lite", on=date(2027, 4, 16))
        assert (change.invoice, change.credited_minor) == (None, 1500)
        may = generate_invoices(session, seller_id=seller_id, today=date(2027, 4, 25)).issued[0]
        assert (may.total, may.amount_paid, may.status) == (3000, 1500, "partially_paid")
        assert_books_consistent(session, seller_id)


def test_cancelling_at_once_credits_the_unused_days_and_at_period_end_stops_after_what_is_invoiced() -> None:
    seller_id, (alice, bob) = seller_with_customers(2)
    with system(seller_id) as session:
        now = start(session, seller_id, alice, date(2027, 4, 1), price=3000)
        later = start(session, seller_id, bob, date(2027, 4, 1), price=3000)
        generate_invoices(session, seller_id=seller_id, today=date(2027, 4, 1))
        changes.cancel(session, service_id=now.id, at_period_end=False, on=date(2027, 4, 11))
        changes.cancel(session, service_id=later.id, at_period_end=True, on=date(2027, 4, 11))
        # alice's unpaid April invoice is reduced by the 20 unused days (2000)
        assert [i.amount_due for i in invoices(session, seller_id) if i.customer_id == alice] == [1000]
        generate_invoices(session, seller_id=seller_id, today=date(2027, 6, 1))
        assert len(invoices(session, seller_id)) == 2  # nothing after April for either
        assert changes.process_cancellations(session, seller_id=seller_id, today=date(2027, 4, 30)) == []
        assert changes.process_cancellations(session, seller_id=seller_id, today=date(2027, 5, 1)) == [later.id]
        assert_books_consistent(session, seller_id)
