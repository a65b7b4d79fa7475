"""The Stripe driver against response fixtures written from Stripe's API reference, replayed through
httpx's MockTransport: what it sends (idempotency keys, off-session renewals, the card only to
/v1/payment_methods) and how it reads each answer."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest

from comptoir.payments import signatures
from comptoir.payments.drivers import stripe
from comptoir.payments.drivers.base import (
    CardInput,
    ChargeRequest,
    GatewayTimeout,
    Outcome,
    WebhookRejected,
)

FIXTURES = Path(__file__).parent / "fixtures" / "stripe"
SETTINGS = stripe.StripeSettings(secret_key="sk_test_fixture", webhook_secret="whsec_fixture")
DRIVER = stripe.StripeGateway()


@pytest.fixture(autouse=True)
def clean_tables() -> Iterator[None]:
    yield


@pytest.fixture(autouse=True)
def sandbox_processor() -> Iterator[None]:
    yield


def fixture(name: str) -> dict:  # type: ignore[type-arg]
    return json.loads((FIXTURES / f"{name}.json").read_text())


@pytest.fixture
def stripe_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[dict[tuple[str, str], tuple[int, str]]], list[httpx.Request]]]:
    sent: list[httpx.Request] = []

    def install(routes: dict[tuple[str, str], tuple[int, str]]) -> list[httpx.Request]:
        def handle(request: httpx.Request) -> httpx.Response:
            sent.append(request)
            status, name = routes[(request.method, request.url.path)]
            return httpx.Response(status, json=fixture(name))
        monkeypatch.setattr(stripe, "transport", httpx.MockTransport(handle))
        return sent
    yield install


def _form(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}


def test_a_card_is_tokenised_into_a_customer_and_payment_method_authenticated_for_later(stripe_api):
    sent = stripe_api({("POST", "/v1/payment_methods"): (200, "payment_method"),
                       ("POST", "/v1/customers"): (200, "customer"),
                       ("POST", "/v1/setup_intents"): (200, "setup_intent")})
    card = DRIVER.tokenise(SETTINGS, CardInput("4242424242424242", 12, 2030, "123"), customer_present=True)
    assert (card.token, card.brand, card.last4, card.authenticated) == ("cus_QAbc123/pm_1QAbc123", "visa", "4242", True)
    assert [r.url.path for r in sent if b"4242424242424242" in r.content] == ["/v1/payment_methods"]
    assert _form(sent[2])["usage"] == "off_session"


def test_a_renewal_is_off_session_with_our_idempotency_key_and_succeeds(stripe_api):
    sent = stripe_api({("POST", "/v1/payment_intents"): (200, "payment_intent_succeeded")})
    result = DRIVER.charge(SETTINGS, ChargeRequest("KEY", 1990, "EUR", capture=True, token="cus_QAbc123/pm_1QAbc123",
                                                   customer_present=False))
    assert (result.outcome, result.reference, result.amount) == (Outcome.CAPTURED, "pi_3Q1x2y3z", 1990)
    form = _form(sent[0])
    assert (sent[0].headers["idempotency-key"], form["off_session"], form["currency"]) == ("KEY", "true", "eur")
    assert form["metadata[comptoir_key]"] == "KEY" and form["capture_method"] == "automatic"


@pytest.mark.parametrize(("name", "outcome", "code", "hard"), [
    ("card_declined_insufficient_funds", Outcome.DECLINED, "insufficient_funds", False),
    ("card_declined_stolen", Outcome.DECLINED, "stolen_card", True),
    ("authentication_required", Outcome.REQUIRES_ACTION, "authentication_required", False),
])
def test_card_errors_read_as_declines_or_authentication(stripe_api, name, outcome, code, hard):
    stripe_api({("POST", "/v1/payment_intents"): (402, name)})
    result = DRIVER.charge(SETTINGS, ChargeRequest("KEY", 1990, "EUR", capture=True, token="cus_1/pm_1",
                                                   customer_present=False))
    assert (result.outcome, result.code, result.hard) == (outcome, code, hard)


def test_authorise_capture_refund_and_void(stripe_api):
    stripe_api({("POST", "/v1/payment_intents"): (200, "payment_intent_requires_capture"),
                ("POST", "/v1/payment_intents/pi_3Q1x2y3z/capture"): (200, "payment_intent_captured"),
                ("POST", "/v1/payment_intents/pi_3Q1x2y3z/cancel"): (200, "payment_intent_canceled"),
                ("POST", "/v1/refunds"): (200, "refund")})
    authorised = DRIVER.charge(SETTINGS, ChargeRequest("K", 1990, "EUR", capture=False, token="cus_1/pm_1"))
    assert authorised.outcome is Outcome.AUTHORISED
    assert DRIVER.capture(SETTINGS, "pi_3Q1x2y3z", 1500).amount == 1500
    assert DRIVER.refund(SETTINGS, "pi_3Q1x2y3z", 500).reference == "re_3Q1x2y3z"
    assert DRIVER.void(SETTINGS, "pi_3Q1x2y3z").code == "canceled"


def test_a_server_error_is_an_unknown_outcome_and_the_query_finds_the_charge(stripe_api):
    stripe_api({("POST", "/v1/payment_intents"): (500, "api_error"),
                ("GET", "/v1/payment_intents/search"): (200, "search_found")})
    with pytest.raises(GatewayTimeout):
        DRIVER.charge(SETTINGS, ChargeRequest("KEY", 1990, "EUR", capture=True, token="cus_1/pm_1"))
    assert DRIVER.query(SETTINGS, "KEY").outcome is Outcome.CAPTURED


def test_a_query_that_finds_nothing_says_so(stripe_api):
    stripe_api({("GET", "/v1/payment_intents/search"): (200, "search_empty")})
    assert DRIVER.query(SETTINGS, "KEY").outcome is Outcome.NOT_FOUND


def test_webhooks_are_verified_with_the_stripe_signature_header():
    body = json.dumps(fixture("event_succeeded")).encode()
    now = datetime.now(UTC)
    header = signatures.header("whsec_fixture", int(time.time()), body)
    event = DRIVER.verify_webhook(SETTINGS, {"stripe-signature": header}, body, now)
    assert (event.event_id, event.reference, event.outcome, event.amount) == (
        "evt_3Q1x2y3z", "pi_3Q1x2y3z", Outcome.CAPTURED, 1990)
    with pytest.raises(WebhookRejected):
        DRIVER.verify_webhook(SETTINGS, {"stripe-signature": header.replace("v1=", "v1=0")}, body, now)
