"""Domains through GraphQL: a customer sees its own domains only; registrar settings stay the seller's."""

from __future__ import annotations

from typing import Any

from tests import factories
from tests.domains.support import seller_with_registrar
from tests.domains.test_domain_step import perform, start

DOMAINS = "{ domains { totalCount edges { node { name status customerId } } } }"
ACCOUNTS = "{ registrarAccounts { name settings } }"


async def test_a_customer_sees_its_own_domains_and_staff_the_sellers(client: Any) -> None:
    fixture = seller_with_registrar()
    other = factories.customer(fixture.seller, "other_cust")
    perform(fixture, start(fixture, "mine.com"))
    with_other = type(fixture)(fixture.seller, other, fixture.account_id, fixture.username)
    perform(with_other, start(with_other, "theirs.com"))
    mine = (await client.execute(DOMAINS, token=await client.login("alpha_cust", factories.PASSWORD)))["data"]
    assert [e["node"]["name"] for e in mine["domains"]["edges"]] == ["mine.com"]
    staff = (await client.execute(DOMAINS, token=await client.login("alpha_admin", factories.PASSWORD)))["data"]
    assert staff["domains"]["totalCount"] == 2


async def test_registrar_settings_read_back_without_secrets_and_only_for_their_seller(client: Any) -> None:
    seller_with_registrar("alpha")
    seller_with_registrar("bravo")
    alpha = (await client.execute(ACCOUNTS, token=await client.login("alpha_admin", factories.PASSWORD)))["data"]
    [account] = alpha["registrarAccounts"]
    assert account["settings"]["password"] is True and "s3cret" not in str(account)
    customer = await client.execute(ACCOUNTS, token=await client.login("alpha_cust", factories.PASSWORD))
    assert customer["errors"][0]["extensions"]["code"] == "FORBIDDEN"
