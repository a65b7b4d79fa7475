"""A customer lists its own orders (issue 9 item 8): status, lines as bought, totals; nobody else's."""

from __future__ import annotations

from typing import Any

from comptoir.database.engine import session_scope
from comptoir.schema.ids import encode_id, parse_id
from comptoir.storefront.models import Order as OrderModel
from comptoir.tenancy.context import Role, TenantContext
from tests import factories
from tests.storefront.test_checkout_api import COMPLETE, ready_cart, seller_with_shop

MY_ORDERS = """query($first: Int, $after: String) { myOrders(first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor }
  edges { node { id status currency total { minorUnits currencyCode formatted } lines customerId } } } }"""


async def buy(client: Any, fixture: Any, token: str, key: str) -> str:
    cart_id = await ready_cart(client, fixture)
    payload = (await client.execute(COMPLETE, {"cart": cart_id, "key": key}, token=token))["data"]["checkoutComplete"]
    assert payload["errors"] == [], payload
    return payload["order"]["id"]  # type: ignore[no-any-return]


async def my_orders(client: Any, token: str, **variables: Any) -> dict[str, Any]:
    answer = await client.execute(MY_ORDERS, variables, token=token)
    assert "errors" not in answer, answer
    return answer["data"]["myOrders"]  # type: ignore[no-any-return]


async def test_a_customer_sees_its_own_orders_newest_first_with_lines_and_totals(client: Any) -> None:
    # given two customers of Alpha who bought in its store: Ann twice, Bob once
    fixture = seller_with_shop()
    alpha = factories.Actor(fixture.seller_id, "alpha")
    ann, bob = factories.customer(alpha, "ann"), factories.customer(alpha, "bob")
    ann_token, bob_token = await client.login("ann", factories.PASSWORD), await client.login("bob", factories.PASSWORD)
    older = await buy(client, fixture, ann_token, "ann-1")
    newer = await buy(client, fixture, ann_token, "ann-2")
    await buy(client, fixture, bob_token, "bob-1")
    # when Ann lists her orders
    found = await my_orders(client, ann_token)
    # then hers only, newest first, as bought
    nodes = [edge["node"] for edge in found["edges"]]
    assert found["totalCount"] == 2 and [n["id"] for n in nodes] == [newer, older]
    assert {n["customerId"] for n in nodes} == {encode_id("Customer", ann.customer_id)}
    first = nodes[0]
    assert first["status"] == "pending" and first["currency"] == "EUR"
    # annual 99.00 + setup 5.00 + add-on annual 20.00
    assert first["total"] == {"minorUnits": 12400, "currencyCode": "EUR", "formatted": "€124.00"}
    assert len(first["lines"]) == 1 and "Gold hosting" in str(first["lines"][0])
    assert [e["node"]["customerId"] for e in (await my_orders(client, bob_token))["edges"]] == [
        encode_id("Customer", bob.customer_id)]


async def test_my_orders_pages_and_is_empty_for_a_customer_who_bought_nothing(client: Any) -> None:
    fixture = seller_with_shop()
    alpha = factories.Actor(fixture.seller_id, "alpha")
    factories.customer(alpha, "ann")
    factories.customer(alpha, "carl")
    token = await client.login("ann", factories.PASSWORD)
    bought = [await buy(client, fixture, token, f"k{n}") for n in range(3)]
    page = await my_orders(client, token, first=2)
    rest = await my_orders(client, token, first=2, after=page["pageInfo"]["endCursor"])
    assert page["pageInfo"]["hasNextPage"] and [e["node"]["id"] for e in page["edges"] + rest["edges"]] == bought[::-1]
    assert (await my_orders(client, await client.login("carl", factories.PASSWORD)))["edges"] == []


async def test_my_orders_filters_by_status_and_sorts_by_total(client: Any) -> None:
    fixture = seller_with_shop()
    alpha = factories.Actor(fixture.seller_id, "alpha")
    factories.customer(alpha, "ann")
    token = await client.login("ann", factories.PASSWORD)
    first, second = await buy(client, fixture, token, "k1"), await buy(client, fixture, token, "k2")
    with session_scope(TenantContext(Role.SYSTEM, fixture.seller_id)) as session:
        order = session.get_one(OrderModel, parse_id(second)[1])  # type: ignore[index]
        order.status, order.total = "paid", 1
    query = """query($status: OrderStatus, $field: MyOrderSortField!, $d: SortDirection!) {
      myOrders(filter: {status: $status}, sort: {field: $field, direction: $d}) { edges { node { id status } } } }"""

    async def ids(**variables: Any) -> list[str]:
        answer = await client.execute(query, {"status": None, "field": "CREATED_AT", "d": "DESC", **variables},
                                      token=token)
        return [e["node"]["id"] for e in answer["data"]["myOrders"]["edges"]]
    assert await ids(status="PAID") == [second] and await ids(status="PENDING") == [first]
    assert await ids(field="TOTAL", d="ASC") == [second, first]
