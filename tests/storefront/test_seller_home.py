"""The seller home through GraphQL: overview counts and the setup checklist (SPEC §8)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from comptoir.database.engine import session_scope
from comptoir.settings import get_settings
from comptoir.storefront import todos
from comptoir.storefront.rules import FraudPolicy
from comptoir.tenancy.context import Role, TenantContext
from comptoir.tenancy.models import Seller
from tests import factories
from tests.storefront.support import shop
from tests.storefront.test_checkout_api import BUYER, COMPLETE, ready_cart

HOME = """{ sellerHome {
  overview { pendingCustomers customers subscriptions orders invoices openTodoItems }
  setupChecklist { id done } setupComplete } }"""
STEPS = ["company_details", "store", "payment_method", "plan_on_sale", "email_settings"]


@pytest.fixture
def smtp_host(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("COMPTOIR_SMTP_HOST", "mail.alpha.test")
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("COMPTOIR_SMTP_HOST")
    get_settings.cache_clear()


async def home(client: Any, username: str) -> dict[str, Any]:
    token = await client.login(username, factories.PASSWORD)
    answer = await client.execute(HOME, token=token)
    assert "errors" not in answer, answer
    return answer["data"]["sellerHome"]  # type: ignore[no-any-return]


def checklist(found: dict[str, Any]) -> dict[str, bool]:
    assert [step["id"] for step in found["setupChecklist"]] == STEPS  # stable ids, stable order
    return {step["id"]: step["done"] for step in found["setupChecklist"]}


async def test_a_new_seller_has_everything_to_set_up_and_nothing_to_count(client: Any) -> None:
    provider = factories.provider()
    factories.reseller(provider, "Alpha Hosting", "alpha")
    found = await home(client, "alpha")
    assert found["overview"] == {"pendingCustomers": 0, "customers": 0, "subscriptions": 0, "orders": 0,
                                 "invoices": 0, "openTodoItems": 0}
    assert checklist(found) == dict.fromkeys(STEPS, False) and found["setupComplete"] is False


async def test_a_store_with_a_payment_method_and_an_offer_checks_three_steps(client: Any) -> None:
    provider = factories.provider()
    alpha = factories.reseller(provider, "Alpha Hosting", "alpha")
    shop(alpha.seller_id, "alpha-shop")
    assert checklist(await home(client, "alpha")) == {
        "company_details": False, "store": True, "payment_method": True, "plan_on_sale": True,
        "email_settings": False}


async def test_an_unpublished_store_puts_no_plan_on_sale(client: Any) -> None:
    provider = factories.provider()
    alpha = factories.reseller(provider, "Alpha Hosting", "alpha")
    shop(alpha.seller_id, "alpha-shop", published=False)
    steps = checklist(await home(client, "alpha"))
    assert steps["store"] is True and steps["plan_on_sale"] is False


async def test_company_details_and_an_smtp_server_complete_the_checklist(client: Any, smtp_host: None) -> None:
    provider = factories.provider()
    alpha = factories.reseller(provider, "Alpha Hosting", "alpha")
    shop(alpha.seller_id, "alpha-shop")
    with session_scope(TenantContext(Role.SYSTEM, alpha.seller_id)) as session:
        seller = session.get_one(Seller, alpha.seller_id)
        seller.company_name, seller.country = "Alpha Hosting SARL", "FR"
    found = await home(client, "alpha")
    assert checklist(found) == dict.fromkeys(STEPS, True) and found["setupComplete"] is True


async def test_the_overview_counts_this_sellers_business_only(client: Any) -> None:
    # given Alpha: a customer with its subscription, a buyer awaiting review with its order, a to-do item
    provider = factories.provider()
    alpha = factories.reseller(provider, "Alpha Hosting", "alpha")
    factories.customer(alpha, "alpha_cust")
    fixture = shop(alpha.seller_id, "alpha-shop", policy=FraudPolicy(manual_review=True))
    cart_id = await ready_cart(client, fixture)
    await client.execute(BUYER, {"cart": cart_id, "buyer": {"email": "buyer@example.org"}})
    assert (await client.execute(COMPLETE, {"cart": cart_id, "key": "k"}))["data"]["checkoutComplete"]["order"]
    with session_scope(TenantContext(Role.SYSTEM, alpha.seller_id)) as session:
        todos.create(session, seller_id=alpha.seller_id, todo=todos.NewTodo(kind="check_dns", title="Check DNS"))
    # and Bravo, with a customer of its own
    bravo = factories.reseller(provider, "Bravo Hosting", "bravo")
    factories.customer(bravo, "bravo_cust")
    # then
    assert (await home(client, "alpha"))["overview"] == {
        "pendingCustomers": 1, "customers": 1, "subscriptions": 1, "orders": 1, "invoices": 0, "openTodoItems": 1}
    assert (await home(client, "bravo"))["overview"] == {
        "pendingCustomers": 0, "customers": 1, "subscriptions": 1, "orders": 0, "invoices": 0, "openTodoItems": 0}
    # the provider's home is about its own business, not its resellers'
    assert (await home(client, "admin"))["overview"]["customers"] == 0
