"""Invoice generation against PostgreSQL: idempotent, catching up, grouping, splitting, concurrent."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from comptoir.billing import services, settings
from comptoir.billing.generation import generate_invoices
from comptoir.billing.rules import Cycle, ServiceKind
from comptoir.messaging.models import OutboundEmail
from tests.billing.support import (
    assert_books_consistent,
    at_once,
    invoices,
    period_lines,
    seller_with_customers,
    start,
    system,
)


def test_running_generation_twice_the_same_day_issues_nothing_the_second_time() -> None:
    seller_id, (customer,) = seller_with_customers()
    with system(seller_id) as session:
        service = start(session, seller_id, customer, date(2027, 1, 15))
        services.issue_first_invoice(session, seller_id=seller_id, service_ids=[service.id], today=date(2027, 1, 15))
    with system(seller_id) as session:
        first = generate_invoices(session, seller_id=seller_id, today=date(2027, 2, 5))
    with system(seller_id) as session:
        second = generate_invoices(session, seller_id=seller_id, today=date(2027, 2, 5))
        assert (len(first.issued), len(second.issued)) == (1, 0)
        assert period_lines(session, service.id) == [
            (date(2027, 1, 15), date(2027, 2, 14), 3000, "recurring"),
            (date(2027, 2, 15), date(2027, 3, 14), 3000, "recurring")]
        assert_books_consistent(session, seller_id)


def test_a_late_run_catches_up_every_missed_period_and_only_those() -> None:
    seller_id, (customer,) = seller_with_customers()
    with system(seller_id) as session:
        service = start(session, seller_id, customer, date(2027, 1, 31))
        # when nobody ran generation for four months (the order's invoice was not issued either)
        result = generate_invoices(session, seller_id=seller_id, today=date(2027, 5, 20))
        # then every period due by then, each on its own invoice (anniversary), clamped to month ends
        assert [(line[0], line[1]) for line in period_lines(session, service.id)] == [
            (date(2027, 1, 31), date(2027, 2, 27)), (date(2027, 2, 28), date(2027, 3, 30)),
            (date(2027, 3, 31), date(2027, 4, 29)), (date(2027, 4, 30), date(2027, 5, 30))]
        assert len(result.issued) == 4
        assert generate_invoices(session, seller_id=seller_id, today=date(2027, 5, 20)).issued == []


def test_dry_run_says_what_would_be_issued_and_issues_nothing() -> None:
    seller_id, (customer,) = seller_with_customers()
    with system(seller_id) as session:
        start(session, seller_id, customer, date(2027, 3, 1))
        dry = generate_invoices(session, seller_id=seller_id, today=date(2027, 3, 25), dry_run=True)
        assert [(p.total_minor, len(p.items)) for p in dry.planned] == [(3000, 1), (3000, 1)]
        assert dry.issued == [] and invoices(session, seller_id) == []


def test_monthly_mode_groups_one_invoice_per_customer_per_period_and_max_items_splits_it() -> None:
    seller_id, (alice, bob) = seller_with_customers(2)
    with system(seller_id) as session:
        settings.update(session, seller_id=seller_id, changes={"mode": "monthly", "threshold_day": 20})
        for day in (3, 10, 12):
            service = start(session, seller_id, alice, date(2027, 6, day))
            services.issue_first_invoice(session, seller_id=seller_id, service_ids=[service.id], today=date(2027, 6, day))
        service = start(session, seller_id, bob, date(2027, 6, 5), price=1000)
        services.issue_first_invoice(session, seller_id=seller_id, service_ids=[service.id], today=date(2027, 6, 5))
        # a domain follows anniversary rules even in monthly mode: its own invoice
        start(session, seller_id, alice, date(2027, 6, 7), cycle=Cycle.ANNUAL, kind=ServiceKind.DOMAIN, price=1500)
        result = generate_invoices(session, seller_id=seller_id, today=date(2027, 6, 22))
        renewals = [i for i in result.issued]
        # alice's three hosting services for July on one invoice, bob's on another, the domain alone (first year)
        assert sorted(i.total for i in renewals) == [1000, 1500, 9000]
        settings.update(session, seller_id=seller_id, changes={"max_items_per_invoice": 2})
        august = generate_invoices(session, seller_id=seller_id, today=date(2027, 7, 22))
        assert sorted(i.total for i in august.issued) == [1000, 3000, 6000]
        assert_books_consistent(session, seller_id)


def test_each_issued_invoice_is_emailed_once() -> None:
    seller_id, (customer,) = seller_with_customers()
    with system(seller_id) as session:
        start(session, seller_id, customer, date(2027, 3, 1))
        issued = generate_invoices(session, seller_id=seller_id, today=date(2027, 3, 25)).issued
        mails = session.scalars(select(OutboundEmail).where(OutboundEmail.template == "invoice_issued")).all()
        assert sorted(m.subject for m in mails) == sorted(f"Invoice {i.number}" for i in issued)


def test_two_generation_runs_at_once_issue_what_one_run_issues() -> None:
    seller_id, customers = seller_with_customers(3)
    with system(seller_id) as session:
        for n, customer in enumerate(customers):
            start(session, seller_id, customer, date(2027, 1, 5 + n))
    counts: list[int] = []

    def run() -> None:
        with system(seller_id) as session:
            counts.append(len(generate_invoices(session, seller_id=seller_id, today=date(2027, 3, 1)).issued))

    at_once(run, 2)
    with system(seller_id) as session:
        assert sorted(counts) == [0, 9] and len(invoices(session, seller_id)) == 9  # Jan, Feb, March each
        assert_books_consistent(session, seller_id)
