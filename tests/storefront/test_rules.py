"""The storefront's pure rules: fraud rules one by one, their switches, prices and fingerprints."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from comptoir.storefront.rules import (
    CheckoutFacts,
    Finding,
    FraudPolicy,
    PricedLine,
    cart_total,
    countries_differ,
    findings,
    fingerprint,
    is_disposable_email,
    line_price,
    needs_review,
    too_many_orders,
    total_above,
    vat_id_invalid,
)

CLEAN = CheckoutFacts(email="ada@example.org", billing_country="FR", client_country="FR", total=1000,
                      recent_orders_from_address=0, vat_id="")


def test_a_disposable_domain_or_one_of_its_subdomains_is_flagged() -> None:
    assert is_disposable_email("x@mailinator.com", {"mailinator.com"})
    assert is_disposable_email("x@eu.Mailinator.COM", {"mailinator.com"})
    assert not is_disposable_email("x@notmailinator.com", {"mailinator.com"})


def test_countries_differ_only_when_the_origin_is_known() -> None:
    assert countries_differ("FR", "de")
    assert not countries_differ("FR", "")
    assert not countries_differ("fr", "FR")


def test_threshold_rules_are_off_without_a_threshold() -> None:
    assert not total_above(10**9, None) and total_above(101, 100) and not total_above(100, 100)
    assert not too_many_orders(10**6, None) and too_many_orders(3, 3) and not too_many_orders(2, 3)


def test_vat_ids_are_checked_with_their_check_digits() -> None:
    assert not vat_id_invalid("")
    assert not vat_id_invalid("DE136695976")
    assert vat_id_invalid("DE136695978")
    assert vat_id_invalid("FR00000000000")


def test_a_clean_checkout_has_no_findings_and_activates_at_once() -> None:
    policy = FraudPolicy(country_mismatch=True, total_above=5000, orders_per_address_per_hour=3)
    assert findings(policy, CLEAN) == []
    assert not needs_review(policy, [])


def test_manual_review_holds_every_customer() -> None:
    assert needs_review(FraudPolicy(manual_review=True), [])


def test_each_rule_fires_alone_and_is_switchable() -> None:
    cases = {
        Finding.DISPOSABLE_EMAIL: (CLEAN.__class__(**{**CLEAN.__dict__, "email": "x@yopmail.com"}), "disposable_email"),
        Finding.COUNTRY_MISMATCH: (CLEAN.__class__(**{**CLEAN.__dict__, "client_country": "US"}), "country_mismatch"),
        Finding.VAT_ID_INVALID: (CLEAN.__class__(**{**CLEAN.__dict__, "vat_id": "DE000000000"}), "vat_id_invalid"),
    }
    for finding, (facts, switch) in cases.items():
        assert findings(FraudPolicy(country_mismatch=True), facts) == [finding]
        assert findings(FraudPolicy(**{switch: False}), facts) == []
    over = CLEAN.__class__(**{**CLEAN.__dict__, "total": 9999, "recent_orders_from_address": 5})
    assert findings(FraudPolicy(total_above=5000, orders_per_address_per_hour=5), over) == [
        Finding.TOTAL_ABOVE_THRESHOLD, Finding.TOO_MANY_ORDERS_FROM_ADDRESS]


def test_a_store_adds_its_own_disposable_domains() -> None:
    facts = CLEAN.__class__(**{**CLEAN.__dict__, "email": "x@throwaway.example"})
    assert findings(FraudPolicy(), facts) == []
    assert findings(FraudPolicy(extra_disposable_domains=("throwaway.example",)), facts) == [Finding.DISPOSABLE_EMAIL]


def test_the_policy_survives_its_json_form() -> None:
    policy = FraudPolicy(manual_review=True, total_above=10, extra_disposable_domains=("a.test",))
    assert FraudPolicy.from_json(policy.to_json()) == policy


def test_a_line_is_priced_for_its_cycle_with_its_addons_and_setup_fees() -> None:
    assert line_price({"monthly": 990}, 500, "monthly", [({"monthly": 200}, 100)]) == PricedLine(1190, 600)
    assert line_price({"monthly": 990}, 0, "annual", []) is None
    assert line_price({"annual": 990}, 0, "annual", [({"monthly": 200}, 0)]) is None


@given(st.lists(st.tuples(st.integers(0, 10**9), st.integers(0, 10**9)), max_size=20))
def test_the_cart_total_is_the_sum_of_its_lines_in_any_order(amounts: list[tuple[int, int]]) -> None:
    lines = [PricedLine(recurring, setup) for recurring, setup in amounts]
    assert cart_total(lines) == cart_total(reversed(lines)) == sum(r + s for r, s in amounts)


@given(st.dictionaries(st.text(max_size=5), st.integers(), max_size=8))
def test_a_fingerprint_ignores_key_order(payload: dict[str, int]) -> None:
    assert fingerprint(payload) == fingerprint(dict(reversed(list(payload.items()))))
