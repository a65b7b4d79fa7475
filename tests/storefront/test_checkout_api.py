"""The storefront's whole path through GraphQL: catalog → cart → checkout → order, as an anonymous visitor."""

from __future__ import annotations

from typing import Any

from comptoir.database.engine import session_scope
from comptoir.schema.ids import encode_id
from comptoir.tenancy.context import Role, TenantContext
from comptoir.tenancy.models import Customer
from tests import factories
from tests.storefront.support import ShopFixture, shop

CATALOG = """query($store: String!, $locale: String, $language: String) {
  storefront(store: $store, locale: $locale, language: $language) {
    name currency language terms { version body }
    offers { id name description prices { cycle price { amount minorUnits currencyCode formatted } }
             setupFee { formatted } addons { id name } }
  }
}"""
CART_FIELDS = """cart { id status total { minorUnits formatted } problems { code }
  lines { id name cycle total { minorUnits } } buyerIdentity { email country vatId } orderId }
  errors { code field message }"""
CREATE = "mutation($store: String!) { cartCreate(input: {store: $store}) { %s } }" % CART_FIELDS
ADD = """mutation($cart: String!, $offer: ID!, $addon: ID!) {
  cartLinesAdd(cartId: $cart, lines: [{offerId: $offer, cycle: ANNUAL, addonOfferIds: [$addon],
                                       domain: {action: "use_own", name: "example.org"}}]) { %s } }""" % CART_FIELDS
BUYER = """mutation($cart: String!, $buyer: BuyerIdentityInput!) {
  cartBuyerIdentityUpdate(cartId: $cart, buyerIdentity: $buyer) { %s } }""" % CART_FIELDS
PAY = """mutation($cart: String!) { cartPaymentMethodSelect(cartId: $cart, paymentMethod: "bank_transfer") { %s } }""" % CART_FIELDS
TERMS = """mutation($cart: String!, $v: Int!) { cartTermsAccept(cartId: $cart, version: $v) { %s } }""" % CART_FIELDS
COMPLETE = """mutation($cart: String!, $key: String!) {
  checkoutComplete(cartId: $cart, idempotencyKey: $key) {
    order { id status total { minorUnits currencyCode } review fraudFindings }
    errors { code field message }
  }
}"""
BUYER_DETAILS = {"email": "buyer@example.org", "name": "Ada Buyer", "country": "FR"}


def seller_with_shop(slug: str = "alpha-shop") -> ShopFixture:
    provider = factories.provider()
    alpha = factories.reseller(provider, "Alpha Hosting", "alpha")
    return shop(alpha.seller_id, slug)


async def ready_cart(client: Any, fixture: ShopFixture, store_key: str | None = None) -> str:
    created = (await client.execute(CREATE, {"store": store_key or fixture.slug}))["data"]["cartCreate"]
    assert created["errors"] == [], created
    cart_id = created["cart"]["id"]
    offer, addon = encode_id("Offer", fixture.plan_offer_id), encode_id("Offer", fixture.addon_offer_id)
    for query, variables in ((ADD, {"offer": offer, "addon": addon}), (BUYER, {"buyer": BUYER_DETAILS}),
                             (PAY, {}), (TERMS, {"v": 1})):
        answer = await client.execute(query, {"cart": cart_id, **variables})
        payload = next(iter(answer["data"].values()))
        assert payload["errors"] == [], payload
    return cart_id


async def test_catalog_lists_published_offers_localized_with_prices_formatted_for_the_locale(client: Any) -> None:
    # given
    fixture = seller_with_shop()
    # when
    answer = await client.execute(CATALOG, {"store": fixture.slug, "locale": "fr_FR", "language": "fr"})
    # then
    front = answer["data"]["storefront"]
    assert front["language"] == "fr" and front["terms"]["version"] == 1
    assert [o["name"] for o in front["offers"]] == ["Hébergement Or"]  # the hidden offer is not listed
    annual = next(p for p in front["offers"][0]["prices"] if p["cycle"] == "ANNUAL")["price"]
    assert annual["amount"] == "99.00" and annual["minorUnits"] == 9900
    assert annual["formatted"] == "99,00\u00a0€"
    assert front["offers"][0]["addons"][0]["name"] == "Sauvegarde quotidienne"


async def test_catalog_is_found_by_custom_hostname_and_unpublished_stores_are_not(client: Any) -> None:
    fixture = seller_with_shop()
    found = await client.execute(CATALOG, {"store": fixture.hostname.upper()})
    assert found["data"]["storefront"]["name"] == "Shop alpha-shop"
    hidden = shop(fixture.seller_id, "closed-shop", published=False)
    assert (await client.execute(CATALOG, {"store": hidden.slug}))["data"]["storefront"] is None


async def test_a_new_cart_lists_its_problems_until_it_is_ready(client: Any) -> None:
    fixture = seller_with_shop()
    created = (await client.execute(CREATE, {"store": fixture.slug}))["data"]["cartCreate"]["cart"]
    assert {p["code"] for p in created["problems"]} == {
        "EMPTY", "BUYER_DETAILS_MISSING", "PAYMENT_METHOD_MISSING", "TERMS_NOT_ACCEPTED"}
    cart_id = await ready_cart(client, fixture)
    cart = (await client.execute("query($id: String!) { cart(id: $id) { problems { code } total { minorUnits } } }",
                                  {"id": cart_id}))["data"]["cart"]
    assert cart == {"problems": [], "total": {"minorUnits": 9900 + 2000 + 500}}


async def test_checkout_creates_a_pending_order_and_the_same_key_returns_it(client: Any) -> None:
    # given
    fixture = seller_with_shop()
    cart_id = await ready_cart(client, fixture)
    # when
    first = (await client.execute(COMPLETE, {"cart": cart_id, "key": "key-1"}))["data"]["checkoutComplete"]
    again = (await client.execute(COMPLETE, {"cart": cart_id, "key": "key-1"}))["data"]["checkoutComplete"]
    # then
    assert first["errors"] == [] and first["order"]["status"] == "pending"
    assert first["order"]["total"] == {"minorUnits": 12400, "currencyCode": "EUR"}
    assert again["order"]["id"] == first["order"]["id"]


async def test_the_same_key_with_another_cart_is_refused(client: Any) -> None:
    fixture = seller_with_shop()
    first, second = await ready_cart(client, fixture), await ready_cart(client, fixture)
    assert (await client.execute(COMPLETE, {"cart": first, "key": "k"}))["data"]["checkoutComplete"]["errors"] == []
    refused = (await client.execute(COMPLETE, {"cart": second, "key": "k"}))["data"]["checkoutComplete"]
    assert refused["order"] is None
    assert [e["code"] for e in refused["errors"]] == ["IDEMPOTENCY_KEY_REUSED"]


async def test_a_cart_with_problems_is_not_checked_out(client: Any) -> None:
    fixture = seller_with_shop()
    cart_id = (await client.execute(CREATE, {"store": fixture.slug}))["data"]["cartCreate"]["cart"]["id"]
    refused = (await client.execute(COMPLETE, {"cart": cart_id, "key": "k"}))["data"]["checkoutComplete"]
    assert [e["code"] for e in refused["errors"]] == ["CART_HAS_PROBLEMS"]


async def test_a_cart_of_seller_a_is_not_reachable_through_a_made_up_id(client: Any) -> None:
    fixture = seller_with_shop()
    cart_id = await ready_cart(client, fixture)
    forged = cart_id[:-4] + ("AAAA" if not cart_id.endswith("AAAA") else "BBBB")
    assert (await client.execute("query($id: String!) { cart(id: $id) { id } }", {"id": forged}))["data"]["cart"] is None


async def test_a_logged_in_customer_buys_more_without_giving_its_details_again(client: Any) -> None:
    # given a customer of the store's seller, logged in
    provider = factories.provider()
    alpha = factories.reseller(provider, "Alpha Hosting", "alpha")
    fixture = shop(alpha.seller_id, "alpha-shop")
    known = factories.customer(alpha, "carol")
    with session_scope(TenantContext(Role.SYSTEM, alpha.seller_id)) as session:
        session.get_one(Customer, known.customer_id).country = "BE"
    token = await client.login("carol", factories.PASSWORD)
    cart_id = (await client.execute(CREATE, {"store": fixture.slug}, token=token))["data"]["cartCreate"]["cart"]["id"]
    offer, addon = encode_id("Offer", fixture.plan_offer_id), encode_id("Offer", fixture.addon_offer_id)
    for query, variables in ((ADD, {"offer": offer, "addon": addon}), (PAY, {}), (TERMS, {"v": 1})):
        await client.execute(query, {"cart": cart_id, **variables}, token=token)
    # when it checks out without a buyer identity
    order = (await client.execute(COMPLETE, {"cart": cart_id, "key": "more"}, token=token))["data"]["checkoutComplete"]
    # then the order is its own, and no new customer was made
    assert order["errors"] == [] and order["order"]["review"] == "automatic"
    staff = await client.login("alpha", factories.PASSWORD)
    orders = (await client.execute("{ orders { customerId } pendingCustomers { id } }", token=staff))["data"]
    assert orders == {"orders": [{"customerId": encode_id("Customer", known.customer_id)}], "pendingCustomers": []}
