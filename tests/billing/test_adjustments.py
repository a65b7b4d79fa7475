"""Manual invoices, credit notes (their own numbers; the only correction of an issued invoice) and the
customer's statement with its running balance."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from comptoir.billing import adjustments, settlement
from comptoir.billing.errors import BillingError
from comptoir.billing.statement import statement
from comptoir.money import Money
from tests.billing.support import assert_books_consistent, seller_with_customers, system


def test_a_credit_note_reduces_what_an_invoice_owes_then_the_rest_becomes_credit_for_the_next_invoice() -> None:
    seller_id, (customer,) = seller_with_customers()
    with system(seller_id) as session:
        invoice = adjustments.create_manual_invoice(
            session, seller_id=seller_id, customer_id=customer, currency="EUR", issue_date=date(2027, 3, 1),
            lines=[adjustments.OneOffLine("Support hours", 4000, Decimal(3))])
        assert (invoice.number, invoice.total) == ("1", 12000)
        settlement.record_payment(session, seller_id=seller_id, customer_id=customer, amount=Money(10000, "EUR"),
                                  method="cheque", reference="CHQ 17", on=date(2027, 3, 5))
        note = adjustments.create_credit_note(session, invoice_id=invoice.id, amount_minor=5000, reason="One hour",
                                              issue_date=date(2027, 3, 6))
        assert (note.number, note.kind, invoice.status, invoice.amount_due) == ("CN-1", "credit_note", "paid", 0)
        assert settlement.credit_balance(session, seller_id=seller_id, customer_id=customer, currency="EUR") == 3000
        with pytest.raises(BillingError):
            adjustments.create_credit_note(session, invoice_id=invoice.id, amount_minor=7001, reason="too much",
                                           issue_date=date(2027, 3, 6))
        later = adjustments.create_manual_invoice(
            session, seller_id=seller_id, customer_id=customer, currency="EUR", issue_date=date(2027, 4, 1),
            lines=[adjustments.OneOffLine("Migration", 2000)])
        assert (later.number, later.status) == ("2", "paid")  # paid from the credit
        assert_books_consistent(session, seller_id)
        rows = statement(session, seller_id=seller_id, customer_id=customer, currency="EUR")
        assert [(r.kind, r.amount_minor, r.balance_minor) for r in rows] == [
            ("invoice", 12000, 12000), ("payment", -10000, 2000), ("credit_note", -5000, -3000),
            ("invoice", 2000, -1000)]
        assert rows[-1].balance_minor == -settlement.credit_balance(
            session, seller_id=seller_id, customer_id=customer, currency="EUR")


def test_crediting_an_unpaid_invoice_in_full_voids_it_and_buys_no_coverage() -> None:
    seller_id, (customer,) = seller_with_customers()
    with system(seller_id) as session:
        invoice = adjustments.create_manual_invoice(
            session, seller_id=seller_id, customer_id=customer, currency="EUR", issue_date=date(2027, 3, 1),
            lines=[adjustments.OneOffLine("Setup", 2500)])
        adjustments.create_credit_note(session, invoice_id=invoice.id, amount_minor=None, reason="Waived",
                                       issue_date=date(2027, 3, 2))
        assert (invoice.status, invoice.amount_due) == ("void", 0)
        assert settlement.credit_balance(session, seller_id=seller_id, customer_id=customer, currency="EUR") == 0
        assert_books_consistent(session, seller_id)
