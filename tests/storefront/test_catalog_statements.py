"""The public catalog costs a fixed number of SQL statements, whatever the number of offers (no N+1)."""

from __future__ import annotations

from typing import Any

from comptoir.database.engine import session_scope
from comptoir.storefront import offers
from comptoir.storefront.offers import OfferChanges
from comptoir.tenancy.context import Role, TenantContext
from tests.graphql.test_query_counts import StatementLog, sql_log  # noqa: F401 -- the fixture
from tests.hosting import support as hosting
from tests.storefront.test_checkout_api import CATALOG, seller_with_shop

# the store look-up, entering the visitor's context, store, terms, offers, leaving it
CATALOG_STATEMENTS = 6


def more_offers(fixture: Any, count: int) -> None:
    with session_scope(TenantContext(Role.SYSTEM, fixture.seller_id)) as session:
        for n in range(count):
            plan_id = hosting.plan(fixture.seller_id, f"Extra {n}")
            offers.create(session, store_id=fixture.store_id, changes=OfferChanges(
                plan_id=plan_id, names={"en": f"Extra {n}"}, prices={"monthly": 100 + n},
                addon_offer_ids=[fixture.addon_offer_id]))


async def test_the_catalog_costs_the_same_statements_for_one_offer_or_twenty(client: Any, sql_log: StatementLog
                                                                            ) -> None:
    fixture = seller_with_shop()
    sql_log.clear()
    small = await client.execute(CATALOG, {"store": fixture.slug})
    small_count = len(sql_log.statements)
    more_offers(fixture, 19)
    sql_log.clear()
    large = await client.execute(CATALOG, {"store": fixture.slug})
    assert len(small["data"]["storefront"]["offers"]) == 1 and len(large["data"]["storefront"]["offers"]) == 20
    assert small_count == len(sql_log.statements) == CATALOG_STATEMENTS, sql_log.statements
