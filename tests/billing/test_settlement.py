"""Payments, credit and coverage: allocation oldest first, overpayment to credit, credit applied to the
next invoice, a paid renewal extending the hosting subscription, issued invoices frozen, gap-free numbers."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from comptoir.billing import invoicing, listeners, services, settlement
from comptoir.billing.generation import generate_invoices
from comptoir.billing.models import BilledService
from comptoir.billing.rules import LineKind
from comptoir.hosting.models import Subscription
from comptoir.money import Money
from tests import factories
from tests.billing.support import (
    assert_books_consistent,
    at_once,
    invoices,
    seller_with_customers,
    start,
    system,
)


def test_a_payment_goes_to_the_oldest_open_invoices_and_the_rest_becomes_credit_used_by_the_next_invoice() -> None:
    seller_id, (customer,) = seller_with_customers()
    with system(seller_id) as session:
        service = start(session, seller_id, customer, date(2027, 1, 10))
        generate_invoices(session, seller_id=seller_id, today=date(2027, 2, 1))  # January and February
        january, february = invoices(session, seller_id)
        result = settlement.record_payment(session, seller_id=seller_id, customer_id=customer,
                                           amount=Money(7000, "EUR"), method="bank_transfer", reference="TR-1",
                                           on=date(2027, 2, 2))
        assert [(a.invoice_id, a.amount_minor) for a in result.allocations] == [(january.id, 3000), (february.id, 3000)]
        assert result.credited_minor == 1000
        assert (january.status, february.status) == ("paid", "paid")
        march = generate_invoices(session, seller_id=seller_id, today=date(2027, 3, 1)).issued[0]
        assert (march.status, march.amount_paid, march.amount_due) == ("partially_paid", 1000, 2000)
        assert settlement.credit_balance(session, seller_id=seller_id, customer_id=customer, currency="EUR") == 0
        assert service.paid_through == date(2027, 3, 10)
        assert_books_consistent(session, seller_id)


def test_paying_a_renewal_moves_the_subscriptions_expiration_so_the_expiry_check_leaves_it_alone(monkeypatch) -> None:
    monkeypatch.setattr(listeners, "_paid", [])
    provider = factories.provider()
    seller = factories.reseller(provider, "Hoster", "hoster")
    buyer = factories.customer(seller, "buyer")
    with system(seller.seller_id) as session:
        subscription = session.scalars(select(Subscription).where(Subscription.customer_id == buyer.customer_id)).one()
        service = start(session, seller.seller_id, buyer.customer_id, date(2027, 1, 31), subject_id=subscription.id)
        assert subscription.expiration_date == date(2027, 2, 28)  # the first period, as ordered
        services.issue_first_invoice(session, seller_id=seller.seller_id, service_ids=[service.id],
                                     today=date(2027, 1, 31))
        generate_invoices(session, seller_id=seller.seller_id, today=date(2027, 2, 18))
        paid: list[str] = []
        listeners.on_invoice_paid(lambda s, invoice: paid.append(invoice.number))
        settlement.record_payment(session, seller_id=seller.seller_id, customer_id=buyer.customer_id,
                                  amount=Money(6000, "EUR"), method="cash", reference="", on=date(2027, 2, 20))
        assert sorted(paid) == ["1", "2"]
        assert (service.paid_through, subscription.expiration_date) == (date(2027, 3, 31), date(2027, 3, 31))


def test_an_issued_invoice_refuses_changes_to_its_amounts_and_lines() -> None:
    seller_id, (customer,) = seller_with_customers()
    with system(seller_id) as session:
        invoice = invoicing.issue(session, invoicing.InvoiceRequest(
            seller_id=seller_id, customer_id=customer, currency="EUR", issue_date=date(2027, 1, 1),
            lines=[invoicing.DraftLine("Migration work", 12000, LineKind.ONE_OFF)]))
        invoice_id = invoice.id
    for statement in ("UPDATE invoices SET total = 1, net_total = 1 WHERE id = :id",
                      "UPDATE invoice_lines SET net_minor = 1 WHERE invoice_id = :id"):
        with pytest.raises(DBAPIError, match="never change"), system(seller_id) as session:
            session.execute(text(statement), {"id": invoice_id})


def test_fifty_concurrent_issues_take_fifty_consecutive_numbers() -> None:
    seller_id, (customer,) = seller_with_customers()
    with system(seller_id) as session:
        from comptoir.billing import settings

        settings.update(session, seller_id=seller_id, changes={"numbering_start": 1000})
    def issue_five() -> None:
        for _ in range(5):
            with system(seller_id) as session:
                invoicing.issue(session, invoicing.InvoiceRequest(
                    seller_id=seller_id, customer_id=customer, currency="EUR", issue_date=date(2027, 1, 1),
                    lines=[invoicing.DraftLine("Support hour", 5000, LineKind.ONE_OFF)]))

    at_once(issue_five, 10)
    with system(seller_id) as session:
        assert sorted(int(i.number) for i in invoices(session, seller_id)) == list(range(1000, 1050))


def test_a_rolled_back_issue_gives_its_number_back() -> None:
    seller_id, (customer,) = seller_with_customers()
    request = invoicing.InvoiceRequest(seller_id=seller_id, customer_id=customer, currency="EUR",
                                       issue_date=date(2027, 1, 1),
                                       lines=[invoicing.DraftLine("Hour", 5000, LineKind.ONE_OFF)])
    with pytest.raises(RuntimeError), system(seller_id) as session:
        invoicing.issue(session, request)
        raise RuntimeError("crash after issuing")
    with system(seller_id) as session:
        assert invoicing.issue(session, request).number == "1"


def test_manual_credit_pays_open_invoices_and_a_billed_service_is_billed_once_even_from_checkout_twice() -> None:
    seller_id, (customer,) = seller_with_customers()
    with system(seller_id) as session:
        service = start(session, seller_id, customer, date(2027, 5, 2))
        first = services.issue_first_invoice(session, seller_id=seller_id, service_ids=[service.id],
                                             today=date(2027, 5, 2))
        again = services.issue_first_invoice(session, seller_id=seller_id, service_ids=[service.id],
                                             today=date(2027, 5, 2))
        assert first is not None and again is None
        settlement.add_credit(session, seller_id=seller_id, customer_id=customer, amount=Money(5000, "EUR"),
                              kind="manual", on=date(2027, 5, 3), description="Goodwill")
        assert first.status == "paid"
        assert settlement.credit_balance(session, seller_id=seller_id, customer_id=customer, currency="EUR") == 2000
        assert session.get(BilledService, service.id).paid_through == date(2027, 6, 2)
        assert_books_consistent(session, seller_id)
