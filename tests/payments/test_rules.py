"""Pure payment rules: the state machine ignores stale news, card checks, expiry arithmetic."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comptoir.payments.rules import Status, advance, card_expired, expires_within, luhn_valid, refund_status


@pytest.fixture(autouse=True)
def clean_tables() -> Iterator[None]:
    yield


@pytest.fixture(autouse=True)
def sandbox_processor() -> Iterator[None]:
    yield


def test_a_capture_arriving_before_its_authorisation_wins_and_the_late_authorisation_is_ignored():
    status = advance(Status.PENDING, Status.CAPTURED)
    assert status is Status.CAPTURED
    assert advance(status, Status.AUTHORISED) is None


@given(st.sampled_from(list(Status)), st.lists(st.sampled_from(list(Status)), max_size=8))
def test_a_final_state_never_moves_and_a_repeated_event_never_applies_twice(start, events):
    status = start
    for event in events:
        moved = advance(status, event)
        if status in (Status.REFUNDED, Status.FAILED, Status.VOIDED):
            assert moved is None
        if moved is not None and moved is not Status.PARTIALLY_REFUNDED:
            assert advance(moved, moved) is None  # the same news twice changes nothing the second time
        status = moved or status


def test_a_failed_payment_is_not_revived_by_a_late_success_but_an_error_is():
    assert advance(Status.FAILED, Status.CAPTURED) is None
    assert advance(Status.ERROR, Status.CAPTURED) is Status.CAPTURED


def test_refunds_are_partial_until_everything_captured_came_back():
    assert refund_status(1000, 400) is Status.PARTIALLY_REFUNDED
    assert refund_status(1000, 1000) is Status.REFUNDED


def test_card_numbers_are_checked_with_luhn():
    assert luhn_valid("4242424242424242")
    assert not luhn_valid("4242424242424241")
    assert not luhn_valid("4242")


def test_a_card_is_valid_through_the_end_of_its_expiry_month():
    assert not card_expired(11, 2026, date(2026, 11, 30))
    assert card_expired(10, 2026, date(2026, 11, 1))
    assert expires_within(12, 2026, date(2026, 12, 1), 30)
    assert not expires_within(2, 2027, date(2026, 12, 1), 30)
    assert not expires_within(1, 2027, date(2026, 12, 15), 30)  # the 31st of January is 47 days away
    assert expires_within(1, 2027, date(2027, 1, 5), 30)
