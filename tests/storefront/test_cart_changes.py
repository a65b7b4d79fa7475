"""Cart mutations: line checks, buyer details, domain choices, coupon, and the key purge."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from comptoir.database.engine import session_scope
from comptoir.schema.ids import encode_id
from comptoir.storefront import checkout
from comptoir.storefront.models import CheckoutKey
from comptoir.tenancy.context import Role, TenantContext
from tests.storefront.test_checkout_api import BUYER, COMPLETE, CREATE, ready_cart, seller_with_shop

LINES_ADD = """mutation($cart: String!, $lines: [CartLineInput!]!) {
  cartLinesAdd(cartId: $cart, lines: $lines) { cart { lines { id domainAction } problems { code } }
                                               errors { code field } }
}"""
LINES_UPDATE = """mutation($cart: String!, $lines: [CartLineUpdateInput!]!) {
  cartLinesUpdate(cartId: $cart, lines: $lines) { cart { lines { cycle } problems { code } } errors { code field } }
}"""
LINES_REMOVE = """mutation($cart: String!, $ids: [ID!]!) {
  cartLinesRemove(cartId: $cart, lineIds: $ids) { cart { lines { id } problems { code } } errors { code } }
}"""
COUPON = """mutation($cart: String!) { cartCouponApply(cartId: $cart, code: "SPRING-24") { cart { couponCode } errors { code } } }"""


def line(fixture: Any, **changes: Any) -> dict[str, Any]:
    return {"offerId": encode_id("Offer", fixture.plan_offer_id), "cycle": "MONTHLY",
            "domain": {"action": "use_own", "name": "site.example"}, **changes}


async def new_cart(client: Any, fixture: Any) -> str:
    return (await client.execute(CREATE, {"store": fixture.slug}))["data"]["cartCreate"]["cart"]["id"]


async def test_a_line_with_an_unsold_cycle_or_addon_is_refused_with_its_field(client: Any) -> None:
    fixture = seller_with_shop()
    cart_id = await new_cart(client, fixture)
    refused = (await client.execute(LINES_ADD, {"cart": cart_id, "lines": [
        line(fixture, cycle="TRIENNIAL"), line(fixture, addonOfferIds=[encode_id("Offer", fixture.hidden_offer_id)])]}
    ))["data"]["cartLinesAdd"]
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [
        ("CYCLE_NOT_OFFERED", "lines.0.cycle"), ("ADDON_NOT_COMPATIBLE", "lines.1.addonOfferIds")]
    assert refused["cart"] is None


async def test_registering_a_domain_no_registrar_sells_is_accepted_but_shown_as_a_problem(client: Any) -> None:
    fixture = seller_with_shop()
    cart_id = await new_cart(client, fixture)
    added = (await client.execute(LINES_ADD, {"cart": cart_id, "lines": [
        line(fixture, domain={"action": "register", "name": "new-name.example"})]}))["data"]["cartLinesAdd"]
    assert "TLD_NOT_SOLD" in {p["code"] for p in added["cart"]["problems"]}
    bad = (await client.execute(LINES_ADD, {"cart": cart_id, "lines": [
        line(fixture, domain={"action": "steal", "name": "x.example"})]}))["data"]["cartLinesAdd"]
    assert [e["field"] for e in bad["errors"]] == ["lines.0.domainAction"]


async def test_lines_are_updated_and_removed(client: Any) -> None:
    fixture = seller_with_shop()
    cart_id = await new_cart(client, fixture)
    added = (await client.execute(LINES_ADD, {"cart": cart_id, "lines": [line(fixture)]}))["data"]["cartLinesAdd"]
    line_id = added["cart"]["lines"][0]["id"]
    updated = (await client.execute(LINES_UPDATE, {"cart": cart_id, "lines": [{"id": line_id, "cycle": "ANNUAL"}]}
                                    ))["data"]["cartLinesUpdate"]
    assert updated["cart"]["lines"] == [{"cycle": "ANNUAL"}]
    removed = (await client.execute(LINES_REMOVE, {"cart": cart_id, "ids": [line_id]}))["data"]["cartLinesRemove"]
    assert removed["cart"]["lines"] == [] and "EMPTY" in {p["code"] for p in removed["cart"]["problems"]}


async def test_buyer_details_are_checked_field_by_field(client: Any) -> None:
    fixture = seller_with_shop()
    cart_id = await new_cart(client, fixture)
    refused = (await client.execute(BUYER, {"cart": cart_id, "buyer": {
        "email": "not-an-address", "country": "XX", "vatId": "12"}}))["data"]["cartBuyerIdentityUpdate"]
    assert {(e["field"], e["code"]) for e in refused["errors"]} == {
        ("email", "INVALID_EMAIL"), ("country", "INVALID_COUNTRY"), ("vatId", "VAT_ID_INVALID")}


async def test_a_coupon_code_is_recorded_on_the_cart(client: Any) -> None:
    fixture = seller_with_shop()
    cart_id = await new_cart(client, fixture)
    assert (await client.execute(COUPON, {"cart": cart_id}))["data"]["cartCouponApply"]["cart"] == {
        "couponCode": "SPRING-24"}


async def test_a_completed_cart_cannot_change(client: Any) -> None:
    fixture = seller_with_shop()
    cart_id = await ready_cart(client, fixture)
    await client.execute(COMPLETE, {"cart": cart_id, "key": "k"})
    refused = (await client.execute(COUPON, {"cart": cart_id}))["data"]["cartCouponApply"]
    assert [e["code"] for e in refused["errors"]] == ["CART_COMPLETED"]


async def test_keys_are_kept_a_day_at_least_then_purged(client: Any, superuser_connection: Any) -> None:
    fixture = seller_with_shop()
    for key in ("old", "young"):
        await client.execute(COMPLETE, {"cart": await ready_cart(client, fixture), "key": key})
    superuser_connection.execute("UPDATE checkout_keys SET created_at = now() - interval '49 hours' WHERE key = 'old'")
    with session_scope(TenantContext(Role.SYSTEM, fixture.seller_id)) as session:
        assert checkout.purge_keys(session=session, seller_id=fixture.seller_id) == 1
        assert session.scalars(select(CheckoutKey.key)).all() == ["young"]
        assert session.scalar(select(func.count()).select_from(CheckoutKey)) == 1
