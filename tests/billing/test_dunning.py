"""Dunning (SPEC §10) by calling the daily events with dates: overdue notices once per threshold, the
suspension for BILLING at the final threshold, payment then reactivation in one unsuspension run, the
cancellation after the further threshold; only billing suspensions are ever lifted."""

from __future__ import annotations

from datetime import date, timedelta

from comptoir.billing import dunning, settlement
from comptoir.billing.models import BilledService, InvoiceLine
from comptoir.database.engine import session_scope
from comptoir.hosting import subscription_lifecycle
from comptoir.hosting.models import Subscription
from comptoir.hosting.subscription_lifecycle import SuspensionReason
from comptoir.money import Money
from tests.billing import queue_support as q

ISSUED = date(2027, 1, 10)
DUE = date(2027, 1, 20)


def _day(shop, n: int, event=dunning.process_suspensions) -> dict:
    with session_scope(shop.system()) as session:
        return event(session, seller_id=shop.seller_id, today=DUE + timedelta(days=n))


def _subscription(shop) -> Subscription:
    with session_scope(shop.system()) as session:
        row = session.get(Subscription, q.subscription_id(shop))
        session.expunge(row)
        return row


def _pay(shop, invoice_id) -> None:
    with session_scope(shop.system()) as session:
        settlement.record_payment(session, seller_id=shop.seller_id, customer_id=shop.customer.customer_id,
                                  amount=Money(3000, "EUR"), method="bank_transfer", reference="T-1",
                                  invoice_ids=[invoice_id], on=DUE + timedelta(days=15))


def test_notices_then_suspension_then_payment_then_reactivation_within_one_unsuspension_run() -> None:
    shop = q.shop(None, overdue_notice_days=[1, 7], suspension_days=14, cancellation_days=45)
    invoice_id = q.invoice(shop, ISSUED)
    assert _day(shop, 0)["notified"] == 0  # on its due date an invoice is not late yet
    assert q.invoice_row(shop, invoice_id).status == "issued"
    assert _day(shop, 1)["notified"] == 1
    assert q.invoice_row(shop, invoice_id).status == "overdue"
    assert _day(shop, 2)["notified"] == 0  # once per threshold
    assert _day(shop, 7)["notified"] == 1
    (first, second) = q.emails(shop, "overdue_notice")
    assert q.invoice_row(shop, invoice_id).number in first.body_text
    assert _day(shop, 13)["suspended"] == 0
    assert _subscription(shop).status == "active"
    assert _day(shop, 14)["suspended"] == 1
    suspended = _subscription(shop)
    assert (suspended.status, suspended.suspension_reason) == ("suspended", "billing")
    assert len(q.emails(shop, "suspension")) == 1
    assert _day(shop, 15, dunning.process_unsuspensions) == {"reactivated": 0}  # still unpaid
    _pay(shop, invoice_id)
    assert _day(shop, 15, dunning.process_unsuspensions) == {"reactivated": 1}
    assert (_subscription(shop).status, _subscription(shop).suspension_reason) == ("active", "")
    assert len(q.emails(shop, "reactivation")) == 1
    assert _day(shop, 60)["cancelled"] == 0  # paid: nothing more happens


def test_a_payment_by_the_queue_also_lifts_the_billing_suspension() -> None:
    shop = q.shop(q.OK, suspension_days=14)
    q.invoice(shop, ISSUED)
    _day(shop, 14)
    assert _subscription(shop).suspension_reason == "billing"
    q.run(shop, q.generate(shop, DUE + timedelta(days=14)).queue_id)
    _day(shop, 14, dunning.process_unsuspensions)
    assert _subscription(shop).status == "active"


def test_only_subscriptions_suspended_for_billing_are_reactivated() -> None:
    shop = q.shop(None)
    q.invoice(shop, ISSUED, subscribed=False)  # an unpaid invoice that does not concern the subscription
    with session_scope(shop.system()) as session:
        subscription_lifecycle.suspend(session=session, subscription_id=q.subscription_id(shop),
                                       reason=SuspensionReason.MANUAL)
    assert _day(shop, 30, dunning.process_unsuspensions) == {"reactivated": 0}
    assert (_subscription(shop).status, _subscription(shop).suspension_reason) == ("suspended", "manual")
    with session_scope(shop.system()) as session:
        subscription_lifecycle.suspend(session=session, subscription_id=q.subscription_id(shop),
                                       reason=SuspensionReason.EXPIRED)
    _day(shop, 31, dunning.process_unsuspensions)
    assert _subscription(shop).suspension_reason == "expired"


def test_a_manual_suspension_is_not_turned_into_a_billing_one() -> None:
    shop = q.shop(None, suspension_days=14)
    q.invoice(shop, ISSUED)
    with session_scope(shop.system()) as session:
        subscription_lifecycle.suspend(session=session, subscription_id=q.subscription_id(shop),
                                       reason=SuspensionReason.MANUAL)
    assert _day(shop, 14)["suspended"] == 0
    assert _subscription(shop).suspension_reason == "manual"


def test_an_unpaid_subscription_is_cancelled_after_the_further_threshold() -> None:
    shop = q.shop(None, suspension_days=14, cancellation_days=45)
    invoice_id = q.invoice(shop, ISSUED)
    _day(shop, 14)
    assert _day(shop, 44)["cancelled"] == 0
    assert _day(shop, 45)["cancelled"] == 1
    assert _day(shop, 46)["cancelled"] == 0
    with session_scope(shop.system()) as session:
        service = session.query(BilledService).join(InvoiceLine, InvoiceLine.service_id == BilledService.id).filter(
            InvoiceLine.invoice_id == invoice_id).one()
        assert (service.status, service.ends_on) == ("cancelled", DUE + timedelta(days=45))
    (email,) = q.emails(shop, "cancellation")
    assert _subscription(shop).domain_name in email.body_text
