"""The storefront role reads the store's published catalog and the cart it presents, nothing else."""

from __future__ import annotations

from sqlalchemy import func, select, text

from comptoir.database.engine import session_scope
from comptoir.storefront import access
from comptoir.storefront.models import Cart, CartLine, Offer, Order, Store
from comptoir.tenancy.context import Role, TenantContext
from comptoir.tenancy.models import Customer
from tests import factories
from tests.storefront.support import shop
from tests.storefront.test_checkout_api import CATALOG, ready_cart


def two_sellers():  # type: ignore[no-untyped-def]
    provider = factories.provider()
    alpha = factories.reseller(provider, "Alpha Hosting", "alpha")
    bravo = factories.reseller(provider, "Bravo Hosting", "bravo")
    return shop(alpha.seller_id, "alpha-shop"), shop(bravo.seller_id, "bravo-shop")


async def test_a_visitor_presenting_a_cart_reads_that_cart_and_its_order_only(client) -> None:  # type: ignore[no-untyped-def]
    # given two checked-out carts of one store
    alpha, _ = two_sellers()
    first, second = await ready_cart(client, alpha), await ready_cart(client, alpha)
    for number, cart_id in enumerate((first, second)):
        await client.execute('mutation($c: String!, $k: String!) { checkoutComplete(cartId: $c, idempotencyKey: $k)'
                              ' { errors { code } } }', {"c": cart_id, "k": f"k{number}"})
    token = access.CartToken.parse(first)
    # when the visitor of the first cart reads
    with session_scope(TenantContext(Role.STOREFRONT, alpha.seller_id)) as session:
        session.execute(text("SELECT set_config('comptoir.cart_token', :h, true)"), {"h": token.digest.hex()})
        carts = session.scalars(select(Cart.token_hash)).all()
        lines = session.scalar(select(func.count()).select_from(CartLine))
        orders = session.scalar(select(func.count()).select_from(Order))
        customers = session.scalar(select(func.count()).select_from(Customer))
    # then it sees its own cart, line and order, and no customer
    assert carts == [token.digest] and (lines, orders, customers) == (1, 1, 0)


def test_a_visitor_without_a_cart_sees_published_catalog_rows_of_its_store_seller_only() -> None:
    alpha, bravo = two_sellers()
    with session_scope(TenantContext(Role.STOREFRONT, alpha.seller_id)) as session:
        stores = session.scalars(select(Store.id)).all()
        offers = set(session.scalars(select(Offer.id)))
        carts = session.scalar(select(func.count()).select_from(Cart))
    assert stores == [alpha.store_id]
    assert offers == {alpha.plan_offer_id, alpha.addon_offer_id, alpha.hidden_offer_id}
    assert carts == 0


def test_an_unpublished_offer_is_invisible_to_visitors() -> None:
    alpha, _ = two_sellers()
    with session_scope(TenantContext(Role.SYSTEM, alpha.seller_id)) as session:
        session.get_one(Offer, alpha.addon_offer_id).published = False
    with session_scope(TenantContext(Role.STOREFRONT, alpha.seller_id)) as session:
        assert session.get(Offer, alpha.addon_offer_id) is None


async def test_the_slug_and_hostname_of_seller_b_never_show_seller_as_catalog(client) -> None:  # type: ignore[no-untyped-def]
    alpha, bravo = two_sellers()
    for key in (bravo.slug, bravo.hostname):
        front = (await client.execute(CATALOG, {"store": key}))["data"]["storefront"]
        assert front["name"] == "Shop bravo-shop"
        assert "Gold hosting" in [o["name"] for o in front["offers"]]
    with session_scope(TenantContext(Role.STOREFRONT, bravo.seller_id)) as session:
        assert session.get(Store, alpha.store_id) is None and session.get(Offer, alpha.plan_offer_id) is None
