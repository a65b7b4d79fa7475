"""Taxes and coupons through GraphQL: typed errors, and one seller never reaching another's."""

from __future__ import annotations

from typing import Any

from comptoir.schema.ids import encode_id
from tests import factories
from tests.billing.tax_support import buyer, shop

PROFILE_UPDATE = """mutation($customer: ID!, $vat: String!) {
  customerTaxProfileUpdate(input: {customerId: $customer, b2b: true, vatId: $vat}) {
    customerTaxProfile { vatId } errors { field code } } }"""
ZONE_CREATE = """mutation($areas: [String!]!) {
  taxZoneCreate(input: {name: "Zone", areas: $areas}) { taxZone { id } errors { field code } } }"""
RATE_CREATE = """mutation($zone: ID!, $from: Date!) {
  taxRateCreate(input: {zoneId: $zone, rate: "7.7", validFrom: $from}) { taxRate { rate } errors { field code } } }"""
COUPON_CREATE = """mutation($code: String!) {
  couponCreate(input: {code: $code, kind: FIXED, amountMinorUnits: 0, currency: "XXQ"}) {
    coupon { id } errors { field code } } }"""
ZONES = "{ taxZones(first: 10) { totalCount edges { node { areas rates { rate } } } } }"


async def test_a_badly_formed_vat_id_is_a_typed_error(client: Any) -> None:
    alpha = shop("DE")
    customer = buyer(alpha, "DE")
    token = factories.log_in(alpha.staff)
    refused = await client.execute(PROFILE_UPDATE, {"customer": encode_id("Customer", customer), "vat": "DE12"},
                                   token=token)
    assert refused["data"]["customerTaxProfileUpdate"] == {
        "customerTaxProfile": None, "errors": [{"field": "vatId", "code": "INVALID_VAT_ID"}]}
    foreign = await client.execute(PROFILE_UPDATE, {"customer": encode_id("Customer", customer),
                                                    "vat": "FR40303265045"}, token=token)
    assert foreign["data"]["customerTaxProfileUpdate"]["errors"] == [{"field": "vatId", "code": "INVALID_VAT_ID"}]
    accepted = await client.execute(PROFILE_UPDATE, {"customer": encode_id("Customer", customer),
                                                     "vat": "de136695976"}, token=token)
    assert accepted["data"]["customerTaxProfileUpdate"] == {
        "customerTaxProfile": {"vatId": "DE136695976"}, "errors": []}


async def test_bad_coupon_terms_are_reported_per_field(client: Any) -> None:
    alpha = shop("FR")
    answer = await client.execute(COUPON_CREATE, {"code": "a b"}, token=factories.log_in(alpha.staff))
    assert {(e["field"], e["code"]) for e in answer["data"]["couponCreate"]["errors"]} == {
        ("code", "INVALID_COUPON"), ("amount", "INVALID")}


async def test_a_seller_never_reaches_another_sellers_zones(client: Any) -> None:
    alpha, bravo = shop("FR"), shop("CH", name="Bravo", prefix="bravo")
    alpha_token, bravo_token = factories.log_in(alpha.staff), factories.log_in(bravo.staff)
    made = await client.execute(ZONE_CREATE, {"areas": ["CH", "LI"]}, token=bravo_token)
    zone = made["data"]["taxZoneCreate"]["taxZone"]["id"]
    intruder = await client.execute(RATE_CREATE, {"zone": zone, "from": "2024-01-01"}, token=alpha_token)
    assert intruder["data"]["taxRateCreate"]["errors"] == [{"field": "zoneId", "code": "NOT_FOUND"}]
    assert (await client.execute(ZONES, token=alpha_token))["data"]["taxZones"]["totalCount"] == 0
    owner = await client.execute(RATE_CREATE, {"zone": zone, "from": "2024-01-01"}, token=bravo_token)
    assert owner["data"]["taxRateCreate"] == {"taxRate": {"rate": "7.700"}, "errors": []}
    listed = (await client.execute(ZONES, token=bravo_token))["data"]["taxZones"]
    assert listed["edges"] == [{"node": {"areas": ["CH", "LI"], "rates": [{"rate": "7.700"}]}}]
