"""The payment queue (SPEC §6): each setting's effect, through the sandbox card gateway's test cards and
real charge intents; card payments naming invoices settle them."""

from __future__ import annotations

from datetime import date

from comptoir.billing import payment_outcomes, payment_queue
from comptoir.billing.models import PaymentAllocation
from comptoir.billing.queue_rules import Candidate, QueueSettings, customer_order
from comptoir.database.engine import session_scope
from comptoir.payments.models import Payment
from comptoir.security import secrets
from tests.billing import queue_support as q

JAN_10 = date(2027, 1, 10)  # issued; due on January 20
DUE = date(2027, 1, 20)


def test_the_queue_charges_the_default_card_and_the_paid_invoice_is_paid_with_its_coverage() -> None:
    shop = q.shop()
    invoice_id = q.invoice(shop, JAN_10)
    generated = q.generate(shop, DUE)
    q.run(shop, generated.queue_id)
    paid = q.invoice_row(shop, invoice_id)
    assert (paid.status, paid.amount_paid) == ("paid", 3000)
    (payment,) = q.payments(shop)
    assert (payment.status, payment.initiator, payment.action) == ("captured", "merchant", "capture")
    assert [r.status for r in q.rows(shop)] == ["paid"]
    (email,) = q.emails(shop, "payment_received")
    assert paid.number in email.body_text


def test_authorise_only_leaves_the_invoice_unpaid_with_an_authorisation_to_capture() -> None:
    shop = q.shop(queue_card_action="authorise")
    invoice_id = q.invoice(shop, JAN_10)
    q.run(shop, q.generate(shop, DUE).queue_id)
    (payment,) = q.payments(shop)
    assert (payment.status, payment.action) == ("authorised", "authorise")
    assert q.invoice_row(shop, invoice_id).status == "issued"
    assert [r.status for r in q.rows(shop)] == ["authorised"]


def _three_invoices(shop) -> list:  # oldest the largest: 4000, 3000, 1500 on a card that covers 5000
    return [q.invoice(shop, date(2027, 1, day), price) for day, price in ((8, 4000), (9, 3000), (10, 1500))]


def test_trying_lower_amounts_pays_the_smallest_invoices_the_card_covers() -> None:
    shop = q.shop(q.BALANCE, queue_try_lower_amounts=True)
    big, middle, small = _three_invoices(shop)
    q.run(shop, q.generate(shop, DUE).queue_id)
    statuses = [q.invoice_row(shop, i).status for i in (big, middle, small)]
    assert statuses == ["issued", "paid", "paid"]  # 1500 + 3000 paid; 4000 declined


def test_without_lower_amounts_the_oldest_goes_first_and_the_customer_stops_at_its_first_failure() -> None:
    shop = q.shop(q.BALANCE, queue_try_lower_amounts=False)
    big, middle, small = _three_invoices(shop)
    q.run(shop, q.generate(shop, DUE).queue_id)
    assert [q.invoice_row(shop, i).status for i in (big, middle, small)] == ["paid", "issued", "issued"]
    assert [r.status for r in q.rows(shop)] == ["paid", "failed", "skipped"]
    assert len(q.payments(shop)) == 2  # the smallest was never tried


def test_a_hard_decline_is_never_tried_again() -> None:
    shop = q.shop(q.HARD)
    invoice_id = q.invoice(shop, JAN_10)
    q.run(shop, q.generate(shop, DUE).queue_id)
    assert [(r.status, r.message) for r in q.rows(shop)] == [("failed", "stolen_card (hard decline)")]
    later = q.generate(shop, date(2027, 3, 1))
    assert later.rows == []
    assert q.invoice_row(shop, invoice_id).status == "issued"
    assert len(q.emails(shop, "payment_failed")) == 1


def test_a_soft_decline_is_tried_again_only_after_the_retry_delay() -> None:
    shop = q.shop(q.SOFT, queue_retry_delay_days=3)
    invoice_id = q.invoice(shop, JAN_10)
    q.run(shop, q.generate(shop, DUE).queue_id)
    assert q.generate(shop, date(2027, 1, 22)).rows == []  # two days later: too soon
    again = q.generate(shop, date(2027, 1, 23))
    assert [r.invoice_id for r in again.rows] == [invoice_id]


def test_soft_declines_are_not_retried_when_the_setting_says_no() -> None:
    shop = q.shop(q.SOFT, queue_retry_declined=False)
    q.invoice(shop, JAN_10)
    q.run(shop, q.generate(shop, DUE).queue_id)
    assert q.generate(shop, date(2027, 2, 20)).rows == []


def test_an_invoice_needing_authentication_waits_for_the_customer_and_is_not_retried() -> None:
    shop = q.shop(q.AUTHENTICATE)
    invoice_id = q.invoice(shop, JAN_10)
    q.run(shop, q.generate(shop, DUE).queue_id)
    assert q.invoice_row(shop, invoice_id).status == "action_required"
    assert [r.status for r in q.rows(shop)] == ["action_required"]
    assert q.generate(shop, date(2027, 2, 1)).rows == []


def test_charge_only_on_the_due_date_versus_n_days_before() -> None:
    early = q.shop(queue_due_date_only=False, queue_days_before_due=2)
    q.invoice(early, JAN_10)
    assert q.generate(early, date(2027, 1, 17)).rows == []
    assert len(q.generate(early, date(2027, 1, 18)).rows) == 1  # two days before the due date
    on_due = q.shop(queue_due_date_only=True)
    q.invoice(on_due, JAN_10)
    assert q.generate(on_due, date(2027, 1, 19)).rows == []
    assert len(q.generate(on_due, DUE).rows) == 1


def test_new_invoices_are_left_out_when_the_queue_does_not_process_them() -> None:
    shop = q.shop(queue_process_new=False)
    q.invoice(shop, JAN_10)
    assert q.generate(shop, DUE).rows == []


def test_clearing_the_queue_first_drops_what_the_previous_queue_did_not_charge() -> None:
    cleared = q.shop()
    q.invoice(cleared, JAN_10)
    q.generate(cleared, DUE)
    q.generate(cleared, DUE)
    assert sorted(r.status for r in q.rows(cleared)) == ["cleared", "queued"]
    kept = q.shop(queue_clear_first=False)
    q.invoice(kept, JAN_10)
    q.generate(kept, DUE)
    q.generate(kept, DUE)
    assert [r.status for r in q.rows(kept)] == ["queued", "queued"]  # the invoice is in both queues


def test_in_passphrase_mode_the_queue_is_skipped_and_says_why() -> None:
    shop = q.shop()
    q.invoice(shop, JAN_10)
    with session_scope(shop.staff()) as session:
        secrets.enable_passphrase(session, shop.seller_id, "a long passphrase for the data")
    try:
        result = q.generate(shop, DUE)
        assert result.rows == [] and "passphrase" in result.skipped_reason
        with session_scope(shop.system()) as session:
            summary = payment_queue.process(session, seller_id=shop.seller_id, today=DUE)
        assert summary["skipped"] == payment_queue.PASSPHRASE_MODE and summary["rows"] == 0
    finally:
        secrets.forget_keys()


def test_a_card_payment_naming_an_invoice_is_recorded_on_it_once() -> None:
    shop = q.shop()
    invoice_id = q.invoice(shop, JAN_10)
    q.run(shop, q.generate(shop, DUE).queue_id)
    with session_scope(shop.system()) as session:
        payment = session.get(Payment, q.payments(shop)[0].id)
        payment_outcomes.on_succeeded(session, payment)  # the same news again
        allocations = session.query(PaymentAllocation).filter(PaymentAllocation.invoice_id == invoice_id).all()
        assert [(a.amount_minor, a.payment_id, a.method) for a in allocations] == [(3000, payment.id, "card")]


def test_the_order_rule_smallest_first_or_oldest_first() -> None:
    a, b, c = (Candidate(i, amount, date(2027, 1, day), str(day)) for i, amount, day in (
        (1, 500, 3), (2, 100, 2), (3, 900, 1)))
    assert [x.invoice_id for x in customer_order([a, b, c], QueueSettings(try_lower_amounts=True))] == [2, 1, 3]
    assert [x.invoice_id for x in customer_order([a, b, c], QueueSettings(try_lower_amounts=False))] == [3, 2, 1]
