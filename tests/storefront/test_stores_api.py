"""Seller-side stores and offers through GraphQL: create, addresses unique instance-wide, currency lock."""

from __future__ import annotations

from typing import Any

from comptoir.schema.ids import encode_id
from tests import factories
from tests.hosting import support as hosting
from tests.storefront.support import shop
from tests.storefront.test_checkout_api import CATALOG, COMPLETE, ready_cart, seller_with_shop

STORE_CREATE = """mutation($input: StoreInput!) {
  storeCreate(input: $input) { store { id slug hostnames currency published fraudPolicy { manualReview } }
                               errors { code field } }
}"""
STORE_UPDATE = """mutation($input: StoreUpdateInput!) {
  storeUpdate(input: $input) { store { id currency } errors { code field } }
}"""
OFFER_CREATE = """mutation($input: OfferCreateInput!) {
  offerCreate(input: $input) { offer { id kind names prices { cycle minorUnits } hidden } errors { code field } }
}"""
TERMS = """mutation($id: ID!, $body: String!) {
  storeTermsPublish(input: {storeId: $id, body: $body}) { store { terms { version body } } errors { code } }
}"""


def new_store(slug: str, **extra: Any) -> dict[str, Any]:
    return {"name": "My shop", "slug": slug, "currency": "EUR", "languages": ["en"],
            "paymentMethods": ["bank_transfer"], **extra}


async def test_a_seller_creates_a_store_sells_a_plan_and_publishes_terms(client: Any) -> None:
    provider = factories.provider()
    alpha = factories.reseller(provider, "Alpha Hosting", "alpha")
    plan_id = hosting.plan(alpha.seller_id, "Gold")
    token = await client.login("alpha", factories.PASSWORD)
    made = (await client.execute(STORE_CREATE, {"input": new_store(
        "my-shop", hostnames=["Shop.Alpha.test."], published=True, fraudPolicy={"manualReview": True})},
        token=token))["data"]["storeCreate"]
    assert made["errors"] == [] and made["store"]["hostnames"] == ["shop.alpha.test"]
    assert made["store"]["fraudPolicy"]["manualReview"] is True
    store_id = made["store"]["id"]
    offer = (await client.execute(OFFER_CREATE, {"input": {
        "storeId": store_id, "planId": encode_id("Plan", plan_id), "names": [{"language": "en", "text": "Gold"}],
        "prices": [{"cycle": "MONTHLY", "minorUnits": 500}, {"cycle": "TRIENNIAL", "minorUnits": 15000}]}},
        token=token))["data"]["offerCreate"]
    assert offer["errors"] == [] and offer["offer"]["kind"] == "service"
    assert [p["cycle"] for p in offer["offer"]["prices"]] == ["MONTHLY", "TRIENNIAL"]
    for version in (1, 2):
        terms = (await client.execute(TERMS, {"id": store_id, "body": f"v{version}"}, token=token))["data"]
    assert terms["storeTermsPublish"]["store"]["terms"] == {"version": 2, "body": "v2"}
    front = (await client.execute(CATALOG, {"store": "shop.alpha.test"}))["data"]["storefront"]
    assert [o["name"] for o in front["offers"]] == ["Gold"] and front["terms"]["version"] == 2


async def test_slugs_and_hostnames_are_unique_across_sellers(client: Any) -> None:
    provider = factories.provider()
    factories.reseller(provider, "Alpha Hosting", "alpha")
    factories.reseller(provider, "Bravo Hosting", "bravo")
    alpha = await client.login("alpha", factories.PASSWORD)
    bravo = await client.login("bravo", factories.PASSWORD)
    first = await client.execute(STORE_CREATE, {"input": new_store("shop", hostnames=["shop.test"])}, token=alpha)
    assert first["data"]["storeCreate"]["errors"] == []
    slug = (await client.execute(STORE_CREATE, {"input": new_store("shop")}, token=bravo))["data"]["storeCreate"]
    host = (await client.execute(STORE_CREATE, {"input": new_store("other", hostnames=["shop.test"])},
                                 token=bravo))["data"]["storeCreate"]
    assert [e["code"] for e in slug["errors"]] == ["SLUG_TAKEN"]
    assert [e["code"] for e in host["errors"]] == ["HOSTNAME_TAKEN"]


async def test_invalid_store_input_reports_every_field(client: Any) -> None:
    provider = factories.provider()
    factories.reseller(provider, "Alpha Hosting", "alpha")
    token = await client.login("alpha", factories.PASSWORD)
    bad = (await client.execute(STORE_CREATE, {"input": new_store("Bad Slug!", currency="EURO")},
                                token=token))["data"]["storeCreate"]
    assert {e["field"] for e in bad["errors"]} == {"slug", "currency"}


async def test_the_currency_is_fixed_once_the_store_has_an_order(client: Any) -> None:
    fixture = seller_with_shop()
    await client.execute(COMPLETE, {"cart": await ready_cart(client, fixture), "key": "k"})
    token = await client.login("alpha", factories.PASSWORD)
    changed = (await client.execute(STORE_UPDATE, {"input": {"id": encode_id("Store", fixture.store_id),
                                                             "currency": "USD"}}, token=token))["data"]["storeUpdate"]
    assert [e["code"] for e in changed["errors"]] == ["CURRENCY_LOCKED"]


async def test_an_offer_cannot_sell_another_sellers_plan(client: Any) -> None:
    provider = factories.provider()
    alpha = factories.reseller(provider, "Alpha Hosting", "alpha")
    bravo = factories.reseller(provider, "Bravo Hosting", "bravo")
    fixture = shop(alpha.seller_id, "alpha-shop")
    token = await client.login("alpha", factories.PASSWORD)

    async def offer(plan_id: Any) -> dict[str, Any]:
        return (await client.execute(OFFER_CREATE, {"input": {
            "storeId": encode_id("Store", fixture.store_id), "planId": encode_id("Plan", plan_id),
            "names": [{"language": "en", "text": "X"}], "prices": [{"cycle": "MONTHLY", "minorUnits": 1}]}},
            token=token))["data"]["offerCreate"]

    assert (await offer(hosting.plan(alpha.seller_id, "Own")))["errors"] == []
    assert [e["code"] for e in (await offer(hosting.plan(bravo.seller_id, "Theirs")))["errors"]] == ["PLAN_NOT_FOUND"]


async def test_a_hidden_offer_is_orderable_by_a_direct_link(client: Any) -> None:
    fixture = seller_with_shop()
    query = 'query($s: String!, $o: ID!) { storefront(store: $s, offerId: $o) { offers { name } } }'
    direct = await client.execute(query, {"s": fixture.slug, "o": encode_id("Offer", fixture.hidden_offer_id)})
    assert direct["data"]["storefront"]["offers"] == [{"name": "Secret plan"}]


async def test_a_custom_hostname_serves_the_sellers_branding_for_its_log_in_page(client: Any) -> None:
    fixture = seller_with_shop()
    token = await client.login("alpha", factories.PASSWORD)
    await client.execute('mutation { brandingUpdate(input: {titleText: "Alpha Panel"}) { errors { code } } }',
                         token=token)
    query = 'query($h: String!) { panelBranding(hostname: $h) { storeName branding { titleText } } }'
    found = (await client.execute(query, {"h": fixture.hostname}))["data"]["panelBranding"]
    assert found == {"storeName": "Shop alpha-shop", "branding": {"titleText": "Alpha Panel"}}
    assert (await client.execute(query, {"h": "unknown.example"}))["data"]["panelBranding"] is None


async def test_on_a_custom_hostname_only_that_sellers_users_log_in(client: Any) -> None:
    # given alpha's store answering on its hostname, and a customer of each seller
    provider = factories.provider()
    alpha = factories.reseller(provider, "Alpha Hosting", "alpha")
    bravo = factories.reseller(provider, "Bravo Hosting", "bravo")
    fixture = shop(alpha.seller_id, "alpha-shop")
    factories.customer(alpha, "alice")
    factories.customer(bravo, "bob")
    login = """mutation($u: String!, $h: String) {
      sessionCreate(input: {username: $u, password: "%s", hostname: $h}) { token errors { code } } }
    """ % factories.PASSWORD
    # when each logs in on alpha's hostname
    alice = (await client.execute(login, {"u": "alice", "h": fixture.hostname}))["data"]["sessionCreate"]
    bob = (await client.execute(login, {"u": "bob", "h": fixture.hostname}))["data"]["sessionCreate"]
    # then alpha's customer is in; bravo's is refused as if its password were wrong, and logs in elsewhere
    assert alice["token"] and bob["token"] is None and [e["code"] for e in bob["errors"]] == ["INVALID_CREDENTIALS"]
    assert (await client.execute(login, {"u": "bob", "h": None}))["data"]["sessionCreate"]["token"]
