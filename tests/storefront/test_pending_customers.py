"""Pending customers: the store's fraud policy decides at checkout, the seller reviews; records stay."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from comptoir.database.engine import session_scope
from comptoir.schema.ids import encode_id
from comptoir.storefront.models import Order
from comptoir.storefront.rules import FraudPolicy
from comptoir.tenancy.context import Role, TenantContext
from comptoir.tenancy.models import Customer
from tests import factories
from tests.storefront.support import shop
from tests.storefront.test_checkout_api import BUYER, COMPLETE, ready_cart

PENDING = "{ pendingCustomers { id status email } orders { id status review fraudFindings customerId } }"
DECIDE = """mutation($id: ID!) {
  pendingCustomer%s(id: $id) { customer { id status } errors { code } }
}"""


def seller(policy: FraudPolicy) -> tuple[Any, Any]:
    provider = factories.provider()
    alpha = factories.reseller(provider, "Alpha Hosting", "alpha")
    return alpha, shop(alpha.seller_id, "alpha-shop", policy=policy)


async def checkout(client: Any, fixture: Any, *, email: str = "buyer@example.org") -> dict[str, Any]:
    cart_id = await ready_cart(client, fixture)
    await client.execute(BUYER, {"cart": cart_id, "buyer": {"email": email}})
    return (await client.execute(COMPLETE, {"cart": cart_id, "key": "k"}))["data"]["checkoutComplete"]["order"]


def customer_status(seller_id: Any, customer_global_id: str) -> str:
    with session_scope(TenantContext(Role.SYSTEM, seller_id)) as session:
        return session.scalars(select(Customer.status)).one()


async def test_a_clean_order_on_an_automatic_store_activates_its_customer(client: Any) -> None:
    alpha, fixture = seller(FraudPolicy())
    order = await checkout(client, fixture)
    assert order["review"] == "automatic" and order["fraudFindings"] == []
    assert customer_status(alpha.seller_id, order["id"]) == "active"


async def test_a_disposable_address_holds_the_customer_for_review(client: Any) -> None:
    alpha, fixture = seller(FraudPolicy())
    order = await checkout(client, fixture, email="someone@yopmail.com")
    assert order["review"] == "manual" and order["fraudFindings"] == ["DISPOSABLE_EMAIL".lower()]
    assert customer_status(alpha.seller_id, order["id"]) == "pending"


async def test_the_seller_sees_pending_customers_and_activates_one(client: Any) -> None:
    # given
    alpha, fixture = seller(FraudPolicy(manual_review=True))
    await checkout(client, fixture)
    token = await client.login("alpha", factories.PASSWORD)
    listing = (await client.execute(PENDING, token=token))["data"]
    customer_id = listing["pendingCustomers"][0]["id"]
    # when
    done = (await client.execute(DECIDE % "Activate", {"id": customer_id}, token=token))["data"]
    # then
    assert done["pendingCustomerActivate"]["customer"]["status"] == "active"
    assert (await client.execute(PENDING, token=token))["data"]["pendingCustomers"] == []


async def test_cancelling_or_marking_fraudulent_keeps_the_record_and_cancels_its_orders(client: Any) -> None:
    alpha, fixture = seller(FraudPolicy(manual_review=True))
    await checkout(client, fixture)
    token = await client.login("alpha", factories.PASSWORD)
    customer_id = (await client.execute(PENDING, token=token))["data"]["pendingCustomers"][0]["id"]
    fraud = (await client.execute(DECIDE % "MarkFraudulent", {"id": customer_id}, token=token))["data"]
    assert fraud["pendingCustomerMarkFraudulent"]["customer"]["status"] == "fraudulent"
    again = (await client.execute(DECIDE % "Cancel", {"id": customer_id}, token=token))["data"]
    assert [e["code"] for e in again["pendingCustomerCancel"]["errors"]] == ["CUSTOMER_NOT_REVIEWABLE"]
    with session_scope(TenantContext(Role.SYSTEM, alpha.seller_id)) as session:
        assert session.scalars(select(Customer.status)).all() == ["fraudulent"]
        assert session.scalars(select(Order.status)).all() == ["cancelled"]


async def test_only_an_activated_customer_can_log_in(client: Any) -> None:
    # given a customer with a log-in, pending review
    provider = factories.provider()
    alpha = factories.reseller(provider, "Alpha Hosting", "alpha")
    buyer = factories.customer(alpha, "newbuyer")
    with session_scope(TenantContext(Role.SYSTEM, alpha.seller_id)) as session:
        session.get_one(Customer, buyer.customer_id).status = "pending"
    login = "mutation { sessionCreate(input: {username: \"newbuyer\", password: \"%s\"}) { token errors { code } } }"
    refused = (await client.execute(login % factories.PASSWORD))["data"]["sessionCreate"]
    assert refused["token"] is None and refused["errors"]
    # when the seller activates it
    staff = await client.login("alpha", factories.PASSWORD)
    await client.execute(DECIDE % "Activate", {"id": encode_id("Customer", buyer.customer_id)}, token=staff)
    # then it logs in
    assert (await client.execute(login % factories.PASSWORD))["data"]["sessionCreate"]["token"]
