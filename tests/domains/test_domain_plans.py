"""Domain plans: active TLDs only, yearly prices for 1 to 10 years per currency."""

from __future__ import annotations

from typing import Any

import pytest

from comptoir.database.engine import session_scope
from comptoir.domains import plans, tlds
from comptoir.domains.errors import DomainsError, DomainsErrorCode
from comptoir.errors import DomainErrors
from comptoir.schema.ids import encode_id
from tests import factories
from tests.domains.support import seller_with_registrar, staff

CREATE = """mutation($input: DomainPlanCreateInput!) { domainPlanCreate(input: $input) {
  domainPlan { name tlds { currency register { minorUnits } transfer { minorUnits } renew { minorUnits } } }
  errors { field code } } }"""


def tld_id(seller_id, name):  # type: ignore[no-untyped-def]
    with session_scope(staff(seller_id)) as session:
        tlds.ensure_predefined(session, seller_id=seller_id)
        return tlds.by_name(session, seller_id=seller_id, name=name).id


def test_a_plan_refuses_a_suspended_tld_and_bad_prices_with_each_field() -> None:
    fixture = seller_with_registrar(tlds=["com"])
    seller_id = fixture.seller.seller_id
    com, de = tld_id(seller_id, "com"), tld_id(seller_id, "de")
    with session_scope(staff(seller_id)) as session, pytest.raises(DomainErrors) as refused:
        plans.create(session, seller_id=seller_id, name="Domains", prices=[
            plans.TldPrices(tld_id=de, currency="EUR", register=[1000], renew=[1000]),
            plans.TldPrices(tld_id=com, currency="EUR", register=[1000] * 11, renew=[1000])])
    assert [(e.code, e.field) for e in refused.value.errors] == [
        (DomainsErrorCode.TLD_NOT_ACTIVE, "tlds.0.tldId"), (DomainsErrorCode.INVALID_PRICES, "tlds.1.register")]


def test_a_plan_of_active_tlds_keeps_its_prices_and_an_update_replaces_them() -> None:
    fixture = seller_with_registrar(tlds=["com", "net"])
    seller_id = fixture.seller.seller_id
    com, net = tld_id(seller_id, "com"), tld_id(seller_id, "net")
    with session_scope(staff(seller_id)) as session:
        plan = plans.create(session, seller_id=seller_id, name="Domains", prices=[
            plans.TldPrices(tld_id=com, currency="EUR", register=[1000, 1900], transfer=[800], renew=[1100])])
        plans.update(session, seller_id=seller_id, plan_id=plan.id, name=None, prices=[
            plans.TldPrices(tld_id=net, currency="USD", register=[1500], renew=[1500])])
        [row] = plans.prices_of(session, [plan.id])[plan.id]
        assert (row.tld_id, row.currency, row.register) == (net, "USD", [1500])
    with session_scope(staff(seller_id)) as session, pytest.raises(DomainsError) as twice:
        plans.update(session, seller_id=seller_id, plan_id=plan.id, name=None, prices=[
            plans.TldPrices(tld_id=net, currency="USD", register=[1500], renew=[1500]),
            plans.TldPrices(tld_id=net, currency="USD", register=[1600], renew=[1600])])
    assert twice.value.code is DomainsErrorCode.INVALID_PRICES


async def test_domain_plan_create_through_graphql_answers_the_inactive_tld_as_a_user_error(client: Any) -> None:
    fixture = seller_with_registrar(tlds=["com"])
    token = await client.login("alpha_admin", factories.PASSWORD)
    seller_id = fixture.seller.seller_id
    made = await client.execute(CREATE, {"input": {"name": "Domains", "tlds": [
        {"tldId": encode_id("Tld", tld_id(seller_id, "com")), "currency": "EUR", "register": [1000, 1900],
         "renew": [1100]}]}}, token=token)
    assert made["data"]["domainPlanCreate"] == {"domainPlan": {"name": "Domains", "tlds": [{
        "currency": "EUR", "register": [{"minorUnits": 1000}, {"minorUnits": 1900}], "transfer": [],
        "renew": [{"minorUnits": 1100}]}]}, "errors": []}
    refused = await client.execute(CREATE, {"input": {"name": "Other", "tlds": [
        {"tldId": encode_id("Tld", tld_id(seller_id, "shop")), "currency": "EUR", "register": [1000],
         "renew": [1000]}]}}, token=token)
    assert refused["data"]["domainPlanCreate"]["errors"] == [{"field": "tlds.0.tldId", "code": "TLD_NOT_ACTIVE"}]
