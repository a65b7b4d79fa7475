"""Runs every example of docs/payments.md, in order, against a fresh demo database (the reseller `alpha`
and its customer `alice.martin`), letting the worker perform charges before each example; then runs
the guide's webhook-signing snippet and posts its callback."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

from comptoir import demo
from comptoir.automation import intents
from comptoir.database.engine import session_scope
from comptoir.payments import service
from comptoir.payments.models import Payment
from comptoir.tenancy.context import Role, TenantContext
from tests.docs.test_hosting_guide import STEP, dig, no_user_errors, substitute

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "payments.md"
SNIPPET = re.compile(r"```python\n(?P<code>.*?)```", re.S)


def _work(published: dict[str, list[tuple[Any, Any]]]) -> None:
    """What the worker does after each request: perform the charges it was told about."""
    for seller_id, intent_id in published["payment_charge"]:
        intents.perform("payment_charge", seller_id, intent_id)


async def test_every_example_of_the_payments_guide_runs_and_its_webhook_snippet_signs_a_valid_callback(
        client: Any, published_intents: dict[str, list[tuple[Any, Any]]], superuser_connection: Any) -> None:
    credentials = {c.username: c.password for c in demo.load()}
    text = GUIDE.read_text(encoding="utf-8")
    examples = [m.groupdict() for m in STEP.finditer(text)]
    assert len(examples) >= 10, "the guide lost its examples"
    saved: dict[str, str] = {}
    tokens: dict[str, str] = {}
    answers = []
    for number, step in enumerate(examples, 1):
        _work(published_intents)
        who = step["who"]
        if who not in tokens:
            tokens[who] = await client.login(who, credentials[who])
        variables = json.loads(substitute(step["variables"], saved)) if step["variables"] else None
        result = await client.execute(substitute(step["query"], saved), variables, token=tokens[who])
        assert "errors" not in result, f"example {number}: {result['errors']}"
        assert no_user_errors(result["data"]) == [], f"example {number}: {result['data']}"
        answers.append(result["data"])
        for assignment in filter(None, (step["save"] or "").split(";")):
            name, _, path = (part.strip() for part in assignment.partition("="))
            saved[name] = str(dig(result, path))
    # the captured phone order was partly refunded; the authorisation was captured by paymentCaptureAll
    listed = [e["node"] for e in next(a for a in reversed(answers) if "payments" in a)["payments"]["edges"]]
    assert [(p["status"], p["amount"]["formatted"], p["refunded"]["amount"]) for p in listed] == [
        ("PARTIALLY_REFUNDED", "€49.90", "9.90"), ("CAPTURED", "€15.00", "0.00")]
    assert "sk_test_alpha_secret" not in json.dumps(answers)

    # webhooks: an external payment, confirmed by the callback the guide's snippet signs
    config_id = uuid.UUID(saved["webhookPath"].rsplit("/", 1)[1])
    seller_id = superuser_connection.execute("SELECT seller_id FROM gateway_configs WHERE id = %s",
                                             (config_id,)).fetchone()[0]
    with session_scope(TenantContext(Role.SYSTEM, seller_id)) as session:
        payment = service.start_external(session, seller_id=seller_id, new=service.NewPayment(
            gateway_config_id=config_id, amount=2500, currency="EUR", idempotency_key="order-77"),
            return_url="https://shop.alpha.example/paid", cancel_url="https://shop.alpha.example/cart")
        payment_id, reference = payment.id, payment.gateway_reference
    scope: dict[str, Any] = {"reference": reference, "secret": "whsec_alpha_docs"}
    exec(SNIPPET.search(text)["code"], scope)  # noqa: S102 -- the guide's own snippet, run as documented
    first = await client.http.post(saved["webhookPath"], content=scope["body"], headers=scope["headers"])
    again = await client.http.post(saved["webhookPath"], content=scope["body"], headers=scope["headers"])
    forged = await client.http.post(saved["webhookPath"], content=scope["body"].replace(b"2500", b"9999"),
                                    headers=scope["headers"])
    assert (first.status_code, first.json()) == (200, {"outcome": "captured"})
    assert (again.status_code, again.json()) == (200, {"outcome": "duplicate"})
    assert forged.status_code == 400
    with session_scope(TenantContext(Role.SYSTEM, seller_id)) as session:
        assert session.get(Payment, payment_id).status == "captured"
