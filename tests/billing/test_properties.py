"""Laws of the books over random histories (hypothesis, against PostgreSQL): sign-ups, generation runs
(repeated, late, on any day), payments and credits in any order never bill a period twice, leave no gap in
a paid service's coverage, keep totals = Σ lines, the ledger balanced, receivables consistent and the
numbering gap-free."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from comptoir.billing import services, settlement
from comptoir.billing import settings as billing_settings
from comptoir.billing.generation import generate_invoices
from comptoir.billing.models import BilledService, Invoice, InvoiceLine
from comptoir.billing.rules import Cycle
from comptoir.money import Money
from tests.billing.support import assert_books_consistent, seller_with_customers, start, system

DAY0 = date(2027, 12, 20)

sign_up = st.tuples(st.just("sign_up"), st.integers(0, 1), st.integers(0, 40), st.sampled_from(list(Cycle)),
                    st.booleans())
run = st.tuples(st.just("run"), st.integers(0, 70))
pay = st.tuples(st.just("pay"), st.integers(0, 1), st.integers(1, 20000))
credit = st.tuples(st.just("credit"), st.integers(0, 1), st.integers(1, 5000))
histories = st.lists(st.one_of(sign_up, run, pay, credit), min_size=1, max_size=12)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(history=histories, monthly=st.booleans())
def test_random_histories_keep_the_books_straight(history, monthly) -> None:
    seller_id, customers = seller_with_customers(2)
    today = DAY0
    with system(seller_id) as session:
        if monthly:
            billing_settings.update(session, seller_id=seller_id, changes={"mode": "monthly"})
        for step in history:
            if step[0] == "sign_up":
                _, who, offset, cycle, prorate = step
                service = start(session, seller_id, customers[who], today + timedelta(days=offset % 5),
                                cycle=cycle, prorate=prorate)
                services.issue_first_invoice(session, seller_id=seller_id, service_ids=[service.id], today=today)
            elif step[0] == "run":
                today += timedelta(days=step[1])
                generate_invoices(session, seller_id=seller_id, today=today)
                assert generate_invoices(session, seller_id=seller_id, today=today).issued == []  # rerun: nothing
            elif step[0] == "pay":
                settlement.record_payment(session, seller_id=seller_id, customer_id=customers[step[1]],
                                          amount=Money(step[2], "EUR"), method="card", reference="", on=today)
            else:
                settlement.add_credit(session, seller_id=seller_id, customer_id=customers[step[1]],
                                      amount=Money(step[2], "EUR"), kind="manual", on=today)
        assert_books_consistent(session, seller_id)
        for service in session.scalars(select(BilledService)):
            starts = session.scalars(select(InvoiceLine.period_start).where(
                InvoiceLine.service_id == service.id, InvoiceLine.kind.in_(("recurring", "proration")))).all()
            assert len(starts) == len(set(starts))  # no period billed twice
            assert service.paid_through == settlement.paid_through(session, service)
        # paying everything covers every billed period without a gap
        for customer_id in customers:
            due = sum(i.amount_due for i in session.scalars(select(Invoice).where(Invoice.customer_id == customer_id)))
            if due:
                settlement.record_payment(session, seller_id=seller_id, customer_id=customer_id,
                                          amount=Money(due, "EUR"), method="card", reference="", on=today)
        for service in session.scalars(select(BilledService)):
            assert service.paid_through == service.billed_through
        assert_books_consistent(session, seller_id)
