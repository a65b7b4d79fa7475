"""Each sandbox test card through a charge intent: the payment ends where the card says, the listeners
hear it, and a hard decline is marked so that nothing retries it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from comptoir.payments import listeners
from comptoir.payments.models import Payment
from tests.payments import support


@pytest.fixture
def heard() -> Iterator[list[tuple[str, str]]]:
    events: list[tuple[str, str]] = []
    callbacks = {
        "succeeded": listeners.on_payment_succeeded(lambda s, p: events.append(("succeeded", p.status))),
        "failed": listeners.on_payment_failed(lambda s, p: events.append(("failed", p.decline))),
        "action": listeners.on_action_required(lambda s, p: events.append(("action_required", p.action_url))),
        "authorised": listeners.on_payment_authorised(lambda s, p: events.append(("authorised", p.status))),
    }
    yield events
    for callback in callbacks.values():
        listeners.remove(callback)


@pytest.mark.parametrize(("number", "status", "failure", "decline"), [
    ("4242424242424242", "captured", "", ""),
    ("5555555555554444", "captured", "", ""),
    ("4000000000009995", "failed", "insufficient_funds", "soft"),
    ("4000000000009979", "failed", "stolen_card", "hard"),
    ("4000000000000119", "failed", "processing_error", ""),
    ("4000002760003184", "requires_action", "", ""),
])
def test_a_test_card_ends_the_payment_where_its_behaviour_says(number, status, failure, decline, heard):
    # given
    shop = support.merchant()
    card = support.save_card(shop, number)
    payment_id = support.charge(shop, card)
    # when
    support.perform(shop, payment_id)
    # then
    paid = support.payment(shop, payment_id)
    assert (paid.status, paid.failure_code, paid.decline) == (status, failure, decline)
    assert paid.captured == (1990 if status == "captured" else 0)
    assert len(heard) == 1
    assert support.charge_intents(shop, payment_id)[0].status == "done"


def test_authorise_only_leaves_an_authorisation_to_capture(heard):
    shop = support.merchant()
    payment_id = support.charge(shop, support.save_card(shop, "4242424242424242"), authorise_only=True)
    support.perform(shop, payment_id)
    assert support.payment(shop, payment_id).status == "authorised"
    assert heard == [("authorised", "authorised")]


def test_the_limited_balance_card_pays_what_it_can_cover_and_declines_the_rest():
    shop = support.merchant()
    card = support.save_card(shop, "4000000000005126")
    first, second, third = (support.charge(shop, card, amount) for amount in (3000, 3000, 2000))
    for payment_id in (first, second, third):
        support.perform(shop, payment_id)
    statuses = [support.payment(shop, p) for p in (first, second, third)]
    assert [(p.status, p.failure_code) for p in statuses] == [
        ("captured", ""), ("failed", "insufficient_funds"), ("captured", "")]


def test_the_same_idempotency_key_gives_the_same_payment_and_one_charge():
    shop = support.merchant()
    card = support.save_card(shop, "4242424242424242")
    first = support.charge(shop, card, key="renewal-42")
    again = support.charge(shop, card, key="renewal-42")
    assert first == again
    assert len(support.charge_intents(shop, first)) == 1


def test_a_listener_writes_in_the_same_transaction_as_the_outcome():
    shop = support.merchant()
    payment_id = support.charge(shop, support.save_card(shop, "4242424242424242"))

    def boom(session, payment: Payment) -> None:
        raise RuntimeError("billing broke")

    listeners.on_payment_succeeded(boom)
    try:
        with pytest.raises(RuntimeError):
            support.perform(shop, payment_id)
    finally:
        listeners.remove(boom)
    # nothing was recorded: the retry will ask the gateway (which remembers the charge) and record it then
    assert support.payment(shop, payment_id).status == "pending"
    assert support.perform(shop, payment_id) == "running"  # until its lease ends, the charge is someone's
    support.expire_lease(shop, payment_id)
    support.perform(shop, payment_id)
    assert support.payment(shop, payment_id).status == "captured"
