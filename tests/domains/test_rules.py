"""TLD rules without a database: activation, default registrars, prices."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from comptoir.domains import rules
from comptoir.domains.rules import TldState
from comptoir.provisioning.registrar import tld_of

FIRST, SECOND = uuid.uuid4(), uuid.uuid4()
TLDS = [TldState(name) for name in ("com", "net", "de", "shop")]


def test_a_tld_starts_suspended_and_unassigned() -> None:
    assert TldState("com") == TldState("com", rules.SUSPENDED, None)


def test_configuring_a_registrar_activates_the_tlds_it_supports_only() -> None:
    after = rules.activate_for_registrar(TLDS, account_id=FIRST, supported={"com", "de"})
    assert [(t.name, t.status, t.registrar_account_id) for t in after] == [
        ("com", "active", FIRST), ("net", "suspended", None), ("de", "active", FIRST), ("shop", "suspended", None)]


def test_the_first_registrar_stays_the_default_when_another_supports_the_tld() -> None:
    first = rules.activate_for_registrar(TLDS, account_id=FIRST, supported={"com"})
    second = rules.activate_for_registrar(first, account_id=SECOND, supported={"com", "net"})
    assert {t.name: t.registrar_account_id for t in second} == {"com": FIRST, "net": SECOND, "de": None, "shop": None}


@given(st.lists(st.sets(st.sampled_from(["com", "net", "de", "shop"])), min_size=1, max_size=5))
def test_activation_never_reassigns_a_tld(supports: list[set[str]]) -> None:
    state, owners = list(TLDS), [uuid.uuid4() for _ in supports]
    for owner, supported in zip(owners, supports, strict=True):
        state = rules.activate_for_registrar(state, account_id=owner, supported=supported)
    for tld in state:
        firsts = [owner for owner, supported in zip(owners, supports, strict=True) if tld.name in supported]
        assert tld.registrar_account_id == (firsts[0] if firsts else None)


def test_releasing_a_registrar_suspends_its_tlds() -> None:
    state = rules.activate_for_registrar(TLDS, account_id=FIRST, supported={"com", "net"})
    state = rules.activate_for_registrar(state, account_id=SECOND, supported={"de"})
    after = rules.release_registrar(state, account_id=FIRST)
    assert {t.name: (t.status, t.registrar_account_id) for t in after} == {
        "com": ("suspended", None), "net": ("suspended", None), "de": ("active", SECOND), "shop": ("suspended", None)}


def test_prices_go_from_one_to_ten_years_and_are_not_negative() -> None:
    assert rules.price_problem([1000] * 10, required=True) is None
    assert rules.price_problem([], required=True) is not None
    assert rules.price_problem([], required=False) is None
    assert rules.price_problem([1000] * 11, required=True) is not None
    assert rules.price_problem([1000, -1], required=True) is not None
    assert rules.price_for([1000, 1900], 2) == 1900
    assert rules.price_for([1000, 1900], 3) is None


def test_a_name_belongs_to_its_longest_known_tld() -> None:
    assert tld_of("shop.co.uk", {"uk", "co.uk"}) == "co.uk"
    assert tld_of("example.uk", {"uk", "co.uk"}) == "uk"
    assert tld_of("co.uk", {"co.uk"}) is None
    assert rules.is_domain_name("my-shop.example.com") and not rules.is_domain_name("-bad.com")
