"""Sellers' pools of IP addresses (SPEC §3): assignment, entry type, use by subscriptions, default site."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import delete

from comptoir.hosting import ip_addresses, ip_pools
from comptoir.hosting.errors import HostingErrorCode
from comptoir.hosting.ip_rules import IpStatus
from comptoir.hosting.models import IpPoolEntry, Site, Subscription
from tests import factories
from tests.hosting.ip_support import (
    DEDICATED,
    SHARED,
    E,
    as_provider,
    as_seller,
    assign,
    entry_row,
    host,
    own_entry,
    refused,
    register,
    set_type,
)


@pytest.fixture
def provider() -> factories.Actor:
    return factories.provider()


@pytest.fixture
def reseller(provider: factories.Actor) -> factories.Actor:
    return factories.reseller(provider, "Reseller A", "resella")


# ---- assignment to resellers ---------------------------------------------------------------

def test_assignment_creates_the_resellers_pool_entry(provider, reseller):
    address_id = register(provider)
    entry = entry_row(reseller, assign(provider, address_id, reseller, DEDICATED), provider=False)
    assert (entry.seller_id, entry.ip_address_id, str(entry.address), entry.type) == (
        reseller.seller_id, address_id, "203.0.113.10", "dedicated")


def test_address_is_assigned_to_a_reseller_once(provider, reseller):
    address_id = register(provider)
    assign(provider, address_id, reseller)
    refused(E.ALREADY_ASSIGNED, assign, provider, address_id, reseller)


def test_shared_address_is_assigned_to_many_resellers(provider, reseller):
    address_id = register(provider)
    assign(provider, address_id, reseller)
    assign(provider, address_id, factories.reseller(provider, "Reseller B", "resellb"))


def test_dedicated_address_is_assigned_to_one_reseller_only(provider, reseller):
    address_id = register(provider)
    assign(provider, address_id, reseller, DEDICATED)
    other = factories.reseller(provider, "Reseller B", "resellb")
    refused(E.ASSIGNED_TO_ANOTHER_RESELLER, assign, provider, address_id, other, DEDICATED)
    refused(E.ASSIGNED_TO_ANOTHER_RESELLER, assign, provider, address_id, other, SHARED)


def test_address_shared_with_a_reseller_cannot_be_dedicated_to_another(provider, reseller):
    address_id = register(provider)
    assign(provider, address_id, reseller, SHARED)
    other = factories.reseller(provider, "Reseller B", "resellb")
    refused(E.ASSIGNED_TO_ANOTHER_RESELLER, assign, provider, address_id, other, DEDICATED)


def test_dedicated_address_refused_to_a_reseller_when_the_providers_customers_use_it(provider, reseller):
    address_id = register(provider)
    host(provider, own_entry(provider, address_id), factories.customer(provider, "carol"))
    refused(E.USED_BY_PROVIDER_CUSTOMERS, assign, provider, address_id, reseller, DEDICATED)
    assign(provider, address_id, reseller, SHARED)


def test_address_the_provider_keeps_dedicated_is_not_shared_with_resellers(provider, reseller):
    address_id = register(provider, type=DEDICATED)
    refused(E.DEDICATED_TO_PROVIDER, assign, provider, address_id, reseller, SHARED)
    assign(provider, address_id, reseller, DEDICATED)


def test_removed_address_cannot_be_assigned(provider, reseller):
    address_id = register(provider)
    with as_provider(provider) as session:
        ip_addresses.set_status(session=session, address_id=address_id, status=IpStatus.REMOVED)
    refused(E.ADDRESS_REMOVED, assign, provider, address_id, reseller)


def test_only_resellers_receive_addresses(provider):
    address_id = register(provider)
    refused(E.RESELLER_NOT_FOUND, assign, provider, address_id, provider)


def test_address_used_by_the_resellers_subscriptions_cannot_be_unassigned(provider, reseller):
    address_id = register(provider)
    host(reseller, assign(provider, address_id, reseller))
    with as_provider(provider) as session:
        refused(E.ADDRESS_IN_USE, ip_pools.unassign, session=session, address_id=address_id,
                reseller_id=reseller.seller_id)


def test_unused_address_is_taken_back_from_a_reseller(provider, reseller):
    address_id = register(provider)
    entry_id = assign(provider, address_id, reseller)
    with as_provider(provider) as session:
        ip_pools.unassign(session=session, address_id=address_id, reseller_id=reseller.seller_id)
        refused(E.NOT_ASSIGNED, ip_pools.unassign, session=session, address_id=address_id,
                reseller_id=reseller.seller_id)
    assert entry_row(provider, entry_id) is None


# ---- type of a pool entry ------------------------------------------------------------------

def test_type_changes_before_use(provider, reseller):
    entry_id = assign(provider, register(provider), reseller)
    assert set_type(provider, entry_id, DEDICATED).type == "dedicated"
    assert set_type(provider, entry_id, SHARED).type == "shared"


def test_used_address_cannot_become_dedicated_when_several_customers_use_it(provider, reseller):
    entry_id = assign(provider, register(provider), reseller)
    host(reseller, entry_id, factories.customer(reseller, "alice"))
    host(reseller, entry_id, factories.customer(reseller, "bob"))
    refused(E.SEVERAL_OWNERS, set_type, provider, entry_id, DEDICATED)
    assert entry_row(provider, entry_id).type == "shared"


def test_used_address_becomes_dedicated_when_one_customer_uses_it(provider, reseller):
    entry_id = assign(provider, register(provider), reseller)
    alice = factories.customer(reseller, "alice")
    host(reseller, entry_id, alice)
    host(reseller, entry_id, alice)
    assert set_type(provider, entry_id, DEDICATED).type == "dedicated"


def test_seller_itself_and_one_customer_are_two_owners(provider):
    entry_id = own_entry(provider, register(provider))
    host(provider, entry_id)
    host(provider, entry_id, factories.customer(provider, "carol"))
    refused(E.SEVERAL_OWNERS, set_type, provider, entry_id, DEDICATED)


def test_reseller_entry_becomes_dedicated_only_as_the_addresss_one_reseller(provider, reseller):
    address_id = register(provider)
    entry_id = assign(provider, address_id, reseller)
    assign(provider, address_id, factories.reseller(provider, "Reseller B", "resellb"))
    refused(E.ASSIGNED_TO_ANOTHER_RESELLER, set_type, provider, entry_id, DEDICATED)


# ---- use by subscriptions (the subscription service's check) -------------------------------

def check_use(seller: factories.Actor, entry_id: uuid.UUID, owner: factories.Actor | None, *,
              provider: bool = False) -> IpPoolEntry:
    with (as_provider(seller) if provider else as_seller(seller)) as session:
        return ip_pools.check_use(session=session, seller_id=seller.seller_id, ip_pool_id=entry_id,
                                      owner=owner.customer_id if owner else None)


def test_subscription_on_a_dedicated_address_is_refused_for_a_second_customer(provider, reseller):
    entry_id = assign(provider, register(provider), reseller, DEDICATED)
    alice, bob = factories.customer(reseller, "alice"), factories.customer(reseller, "bob")
    host(reseller, entry_id, alice)
    assert check_use(reseller, entry_id, alice).id == entry_id
    refused(HostingErrorCode.IP_DEDICATED_TO_ANOTHER_CUSTOMER, check_use, reseller, entry_id, bob)


def test_provider_cannot_host_on_an_address_dedicated_to_a_reseller(provider, reseller):
    address_id = register(provider)
    assign(provider, address_id, reseller, DEDICATED)
    refused(HostingErrorCode.IP_NOT_AVAILABLE, check_use, provider, own_entry(provider, address_id), None, provider=True)


def test_seller_cannot_host_on_another_sellers_entry(provider, reseller):
    entry_id = own_entry(provider, register(provider))
    refused(HostingErrorCode.IP_NOT_AVAILABLE, check_use, reseller, entry_id, None)


def test_removed_address_takes_no_new_subscription(provider):
    address_id = register(provider)
    with as_provider(provider) as session:
        ip_addresses.set_status(session=session, address_id=address_id, status=IpStatus.REMOVED)
    refused(HostingErrorCode.IP_NOT_AVAILABLE, check_use, provider, own_entry(provider, address_id), None, provider=True)


# ---- sites and the default site ------------------------------------------------------------

def sites_of(seller: factories.Actor, entry_id: uuid.UUID) -> ip_addresses.SitesOnEntry:
    with as_seller(seller) as session:
        return ip_addresses.sites_on(session, [entry_id], with_domains=True)[entry_id]


def default_of(seller: factories.Actor, entry_id: uuid.UUID) -> str | None:
    with as_seller(seller) as session:
        found = ip_addresses.default_sites(session, [entry_id]).get(entry_id)
        return found.domain_name if found else None


def test_sites_on_an_address_are_counted_with_their_domains(provider, reseller):
    entry_id = assign(provider, register(provider), reseller)
    subscription_id = host(reseller, entry_id, domain="b.example.com")
    host(reseller, entry_id, domain="a.example.com")
    with as_seller(reseller) as session:
        session.add(Site(seller_id=reseller.seller_id, subscription_id=subscription_id,
                         domain_name="c.example.com"))
    hosted = sites_of(reseller, entry_id)
    assert hosted.count == 3
    assert [s.domain_name for s in hosted.sites] == ["a.example.com", "b.example.com", "c.example.com"]
    with as_seller(reseller) as session:
        assert ip_addresses.sites_on(session, [entry_id], with_domains=False)[entry_id].count == 3


def test_first_site_on_an_address_is_its_default(provider, reseller):
    entry_id = assign(provider, register(provider), reseller)
    assert default_of(reseller, entry_id) is None
    host(reseller, entry_id, domain="first.example.com")
    host(reseller, entry_id, domain="second.example.com")
    assert default_of(reseller, entry_id) == "first.example.com"


def test_any_site_on_the_address_can_be_its_default(provider, reseller):
    entry_id = assign(provider, register(provider), reseller)
    host(reseller, entry_id, domain="first.example.com")
    second = host(reseller, entry_id, domain="second.example.com")
    with as_seller(reseller) as session:
        ip_pools.set_default_site(session=session, seller_id=reseller.seller_id, entry_id=entry_id,
                                      subscription_id=second)
    assert default_of(reseller, entry_id) == "second.example.com"


def test_site_on_another_address_cannot_be_the_default(provider, reseller):
    entry_id = assign(provider, register(provider), reseller)
    elsewhere = host(reseller, assign(provider, register(provider, "203.0.113.11"), reseller))
    with as_seller(reseller) as session:
        refused(E.SITE_NOT_ON_ADDRESS, ip_pools.set_default_site, session=session, seller_id=reseller.seller_id,
                entry_id=entry_id, subscription_id=elsewhere)


def test_default_returns_to_the_first_site_when_the_chosen_one_leaves(provider, reseller):
    entry_id = assign(provider, register(provider), reseller)
    host(reseller, entry_id, domain="first.example.com")
    chosen = host(reseller, entry_id, domain="chosen.example.com")
    with as_seller(reseller) as session:
        ip_pools.set_default_site(session=session, seller_id=reseller.seller_id, entry_id=entry_id,
                                      subscription_id=chosen)
        session.execute(delete(Subscription).where(Subscription.id == chosen))
    assert default_of(reseller, entry_id) == "first.example.com"


def test_seller_sets_the_default_site_of_its_own_entries_only(provider, reseller):
    own = own_entry(provider, register(provider))
    subscription_id = host(provider, own)
    with as_seller(reseller) as session:
        refused(E.NOT_FOUND, ip_pools.set_default_site, session=session, seller_id=reseller.seller_id,
                entry_id=own, subscription_id=subscription_id)
