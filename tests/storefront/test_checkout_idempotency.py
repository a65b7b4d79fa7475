"""checkoutComplete's Idempotency-Key: concurrent requests, a request in flight, replays, rate limits."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import func, select

from comptoir.database.engine import session_scope
from comptoir.settings import get_settings
from comptoir.storefront.models import Order
from comptoir.tenancy.context import Role, TenantContext
from tests.storefront.test_checkout_api import COMPLETE, CREATE, ready_cart, seller_with_shop


def order_count(seller_id: Any) -> int:
    with session_scope(TenantContext(Role.SYSTEM, seller_id)) as session:
        return session.scalar(select(func.count()).select_from(Order))


async def test_twenty_concurrent_checkouts_with_one_key_make_one_order(client: Any) -> None:
    # given
    fixture = seller_with_shop()
    cart_id = await ready_cart(client, fixture)
    # when
    answers = await asyncio.gather(*(client.execute(COMPLETE, {"cart": cart_id, "key": "same"}) for _ in range(20)))
    # then every answer is the one order or "in progress", and a retry returns the order
    payloads = [a["data"]["checkoutComplete"] for a in answers]
    orders = {p["order"]["id"] for p in payloads if p["order"]}
    codes = {e["code"] for p in payloads for e in p["errors"]}
    assert len(orders) == 1 and codes <= {"IDEMPOTENCY_KEY_IN_PROGRESS"}
    retry = (await client.execute(COMPLETE, {"cart": cart_id, "key": "same"}))["data"]["checkoutComplete"]
    assert retry["order"]["id"] in orders
    assert order_count(fixture.seller_id) == 1


async def test_a_key_held_by_a_request_in_flight_is_answered_in_progress(client: Any, superuser_connection) -> None:  # type: ignore[no-untyped-def]
    fixture = seller_with_shop()
    cart_id = await ready_cart(client, fixture)
    with superuser_connection.transaction():  # stands for the first request, still running
        superuser_connection.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                                     (f"checkout:{fixture.store_id}:held",))
        busy = (await client.execute(COMPLETE, {"cart": cart_id, "key": "held"}))["data"]["checkoutComplete"]
    assert [e["code"] for e in busy["errors"]] == ["IDEMPOTENCY_KEY_IN_PROGRESS"] and busy["order"] is None
    done = (await client.execute(COMPLETE, {"cart": cart_id, "key": "held"}))["data"]["checkoutComplete"]
    assert done["errors"] == [] and done["order"]["status"] == "pending"


async def test_a_completed_cart_is_not_checked_out_again_with_a_new_key(client: Any) -> None:
    fixture = seller_with_shop()
    cart_id = await ready_cart(client, fixture)
    await client.execute(COMPLETE, {"cart": cart_id, "key": "first"})
    again = (await client.execute(COMPLETE, {"cart": cart_id, "key": "second"}))["data"]["checkoutComplete"]
    assert [e["code"] for e in again["errors"]] == ["CART_COMPLETED"]
    assert order_count(fixture.seller_id) == 1


async def test_cart_creation_is_rate_limited_per_client_address(client: Any, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    fixture = seller_with_shop()
    monkeypatch.setattr(get_settings(), "storefront_carts_per_address", 3)
    answers = [(await client.execute(CREATE, {"store": fixture.slug}))["data"]["cartCreate"] for _ in range(4)]
    assert [a["errors"] for a in answers[:3]] == [[], [], []]
    assert [e["code"] for e in answers[3]["errors"]] == ["RATE_LIMITED"]


async def test_checkouts_are_rate_limited_per_client_address_but_replays_are_not(client: Any, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    fixture = seller_with_shop()
    carts = [await ready_cart(client, fixture) for _ in range(3)]
    monkeypatch.setattr(get_settings(), "storefront_checkouts_per_address", 2)
    first = [(await client.execute(COMPLETE, {"cart": c, "key": f"k{n}"}))["data"]["checkoutComplete"]
             for n, c in enumerate(carts)]
    assert [bool(p["order"]) for p in first] == [True, True, False]
    assert [e["code"] for e in first[2]["errors"]] == ["RATE_LIMITED"]
    replay = (await client.execute(COMPLETE, {"cart": carts[0], "key": "k0"}))["data"]["checkoutComplete"]
    assert replay["order"]["id"] == first[0]["order"]["id"]


async def test_two_keys_racing_for_one_cart_make_one_order(client: Any) -> None:
    fixture = seller_with_shop()
    cart_id = await ready_cart(client, fixture)
    answers = await asyncio.gather(*(client.execute(COMPLETE, {"cart": cart_id, "key": f"key-{n}"}) for n in range(6)))
    payloads = [a["data"]["checkoutComplete"] for a in answers]
    assert len({p["order"]["id"] for p in payloads if p["order"]}) == 1
    assert {e["code"] for p in payloads for e in p["errors"]} <= {"CART_COMPLETED"}
    assert order_count(fixture.seller_id) == 1
