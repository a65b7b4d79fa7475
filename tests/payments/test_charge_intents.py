"""One charge intent = one gateway charge, whatever the workers do: concurrent performs, a worker dying
between the charge and its record, a gateway timing out; settlement that comes later is polled."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from comptoir.automation import intents
from comptoir.database.engine import session_scope
from comptoir.payments import charges
from comptoir.payments.drivers.sandbox_card import PROCESSOR, SandboxCardGateway
from comptoir.payments.models import PaymentSettings
from tests.payments import support


def _count_gateway_charges(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    original = SandboxCardGateway.charge
    lock = threading.Lock()

    def counting(self, settings, request):  # type: ignore[no-untyped-def]
        with lock:
            calls.append(request.idempotency_key)
        return original(self, settings, request)

    monkeypatch.setattr(SandboxCardGateway, "charge", counting)
    return calls


def test_twenty_concurrent_performs_of_one_charge_intent_charge_the_card_once(monkeypatch):
    # given
    shop = support.merchant()
    payment_id = support.charge(shop, support.save_card(shop, "4242424242424242"))
    intent_id = support.charge_intents(shop, payment_id)[0].id
    calls = _count_gateway_charges(monkeypatch)
    # when
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(lambda _: intents.perform("payment_charge", shop.seller_id, intent_id), range(20)))
    # then
    assert calls == [str(payment_id)]
    assert support.payment(shop, payment_id).status == "captured"
    assert set(results) <= {"done", "running"}
    assert len(PROCESSOR.charges) == 1


def test_a_worker_killed_after_the_gateway_charged_leaves_a_retry_that_asks_and_records_without_charging_again(
        monkeypatch):
    # given: the gateway charges, then the worker dies before recording anything
    shop = support.merchant()
    payment_id = support.charge(shop, support.save_card(shop, "4242424242424242"))
    calls = _count_gateway_charges(monkeypatch)

    def die(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise SystemExit("worker killed")

    monkeypatch.setattr(charges, "_finish", die)
    with pytest.raises(SystemExit):
        support.perform(shop, payment_id)
    monkeypatch.undo()
    calls = _count_gateway_charges(monkeypatch)
    assert support.payment(shop, payment_id).status == "pending"
    # when: the lease runs out and the relay hands the intent out again
    support.expire_lease(shop, payment_id)
    assert intents.relay(inline=True) >= 1
    # then
    paid = support.payment(shop, payment_id)
    assert (paid.status, paid.captured) == ("captured", 1990)
    assert calls == []  # asked, not charged
    assert len(PROCESSOR.charges) == 1


def test_a_gateway_timeout_is_queried_then_recorded_never_charged_twice(monkeypatch):
    shop = support.merchant()
    payment_id = support.charge(shop, support.save_card(shop, "4000000000000101"))
    calls = _count_gateway_charges(monkeypatch)
    # when: the gateway does not answer
    assert support.perform(shop, payment_id) == "pending"
    assert support.payment(shop, payment_id).status == "pending"
    # then: the next attempt asks what happened
    support.perform(shop, payment_id)
    assert support.payment(shop, payment_id).status == "captured"
    assert calls == [str(payment_id)]


def test_a_charge_that_settles_later_is_polled_until_it_settles():
    shop = support.merchant()
    payment_id = support.charge(shop, support.save_card(shop, "4000000000000077"))
    assert support.perform(shop, payment_id) == "pending"
    intent = support.charge_intents(shop, payment_id)[0]
    assert intent.checks == 1 and "settling" in intent.last_error
    with session_scope(shop.system()) as session:  # the next check is an hour later (the default)
        waited = session.scalar(intent.__table__.select().with_only_columns(
            intent.__table__.c.next_attempt_at - intent.__table__.c.updated_at))
    assert 59 * 60 <= waited.total_seconds() <= 61 * 60
    assert support.payment(shop, payment_id).status == "pending"
    support.perform(shop, payment_id)
    assert support.payment(shop, payment_id).status == "pending"
    support.perform(shop, payment_id)
    assert support.payment(shop, payment_id).status == "captured"


def test_a_charge_that_never_settles_is_an_error_after_the_sellers_number_of_checks():
    shop = support.merchant()
    with session_scope(shop.staff()) as session:
        session.add(PaymentSettings(seller_id=shop.seller_id, poll_max_checks=3, poll_interval_minutes=5))
    payment_id = support.charge(shop, support.save_card(shop, "4000000000000085"))
    results = [support.perform(shop, payment_id) for _ in range(3)]
    assert results == ["pending", "pending", "failed"]
    assert support.payment(shop, payment_id).status == "error"
