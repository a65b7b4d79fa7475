"""The cart's domain choice, checked with the seller's default registrar for the TLD (as the store's visitor)."""

from __future__ import annotations

from typing import Any

from tests.domains.support import add_registrar
from tests.storefront.support import shop
from tests.storefront.test_cart_changes import LINES_ADD, line, new_cart
from tests.storefront.test_checkout_api import seller_with_shop

CHECK = """query($store: String!, $name: String!) { domainCheck(store: $store, name: $name) { name available availability } }"""


async def problems_for(client: Any, fixture: Any, action: str, name: str) -> set[str]:
    cart_id = await new_cart(client, fixture)
    added = (await client.execute(LINES_ADD, {"cart": cart_id, "lines": [
        line(fixture, domain={"action": action, "name": name})]}))["data"]["cartLinesAdd"]
    assert added["errors"] == [], added
    return {p["code"] for p in added["cart"]["problems"]} & {
        "DOMAIN_TAKEN", "TLD_NOT_SOLD", "DOMAIN_NOT_REGISTERED", "DOMAIN_INVALID", "TRANSFER_NOT_SUPPORTED"}


async def test_the_cart_checks_availability_through_the_default_registrar(client: Any) -> None:
    fixture = seller_with_shop()
    add_registrar(fixture.seller_id, tlds=["com", "net"])
    assert await problems_for(client, fixture, "register", "free-name.com") == set()
    assert await problems_for(client, fixture, "register", "taken-name.com") == {"DOMAIN_TAKEN"}
    assert await problems_for(client, fixture, "register", "free-name.de") == {"TLD_NOT_SOLD"}
    assert await problems_for(client, fixture, "transfer", "taken-name.com") == set()
    assert await problems_for(client, fixture, "transfer", "free-name.com") == {"DOMAIN_NOT_REGISTERED"}
    assert await problems_for(client, fixture, "use_own", "anything.de") == set()


async def test_without_a_registrar_no_tld_is_sold(client: Any) -> None:
    fixture = seller_with_shop()
    assert await problems_for(client, fixture, "register", "free-name.com") == {"TLD_NOT_SOLD"}


async def test_domain_check_answers_for_the_stores_seller_only(client: Any) -> None:
    fixture = seller_with_shop()
    add_registrar(fixture.seller_id, tlds=["com"])
    free = (await client.execute(CHECK, {"store": fixture.slug, "name": "Free-Name.com"}))["data"]["domainCheck"]
    taken = (await client.execute(CHECK, {"store": fixture.slug, "name": "taken.com"}))["data"]["domainCheck"]
    unsold = (await client.execute(CHECK, {"store": fixture.slug, "name": "free.io"}))["data"]["domainCheck"]
    assert free == {"name": "free-name.com", "available": True, "availability": "AVAILABLE"}
    assert (taken["available"], taken["availability"]) == (False, "TAKEN")
    assert unsold["availability"] == "TLD_NOT_SOLD"
    other = shop(fixture.seller_id, "other-shop", published=False)
    hidden = await client.execute(CHECK, {"store": other.slug, "name": "free-name.com"})
    assert hidden["data"]["domainCheck"] is None
