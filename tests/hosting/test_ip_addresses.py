"""IP addresses and pools (SPEC §3): the pure rules, then the service under row-level security."""

from __future__ import annotations

import enum
import itertools
import uuid

import pytest
from sqlalchemy import delete, select

from comptoir.database.engine import session_scope
from comptoir.database.pagination import PageRequest, SortDirection, encode_cursor
from comptoir.errors import CommonErrorCode, DomainError
from comptoir.hosting import ip_addresses, ip_pools
from comptoir.hosting.errors import HostingErrorCode
from comptoir.hosting.ip_rules import (
    Holding,
    IpAddressErrorCode,
    IpStatus,
    IpType,
    anonymous_ftp_allowed,
    can_use_ip,
    dedication_conflict,
)
from comptoir.hosting.models import IpAddress, IpPoolEntry, Site, Subscription
from comptoir.tenancy.context import Role, TenantContext
from tests import factories

E = IpAddressErrorCode
SHARED, DEDICATED = IpType.SHARED, IpType.DEDICATED
_numbers = itertools.count(1)


# ---- builders ------------------------------------------------------------------------------

def as_provider(provider: factories.Actor):  # type: ignore[no-untyped-def]
    return session_scope(TenantContext(Role.PROVIDER, provider.seller_id))


def as_seller(seller: factories.Actor):  # type: ignore[no-untyped-def]
    return session_scope(TenantContext(Role.SYSTEM, seller.seller_id))


def register(provider: factories.Actor, address: str = "203.0.113.10",
             **kwargs) -> uuid.UUID:  # type: ignore[no-untyped-def]
    with as_provider(provider) as session:
        return ip_addresses.register(session=session, provider_id=provider.seller_id, address=address,
                                     interface=kwargs.pop("interface", "eth0"), **kwargs).id


def own_entry(provider: factories.Actor, address_id: uuid.UUID) -> uuid.UUID:
    with as_provider(provider) as session:
        return session.scalars(select(IpPoolEntry.id).where(
            IpPoolEntry.ip_address_id == address_id, IpPoolEntry.seller_id == provider.seller_id)).one()


def assign(provider: factories.Actor, address_id: uuid.UUID, reseller: factories.Actor,
           type: IpType = SHARED) -> uuid.UUID:
    with as_provider(provider) as session:
        return ip_pools.assign(session=session, address_id=address_id, reseller_id=reseller.seller_id,
                                   type=type).id


def host(seller: factories.Actor, entry_id: uuid.UUID, owner: factories.Actor | None = None,
         domain: str | None = None) -> uuid.UUID:
    """A subscription with its site on a pool entry, written directly (owner None: the seller's own)."""
    n = next(_numbers)
    domain = domain or f"site{n}.example.com"
    customer_id = owner.customer_id if owner else None
    with as_seller(seller) as session:
        subscription = Subscription(seller_id=seller.seller_id, customer_id=customer_id, domain_name=domain,
                                    ip_pool_id=entry_id, system_login=f"user{n}")
        session.add(subscription)
        session.flush()
        session.add(Site(seller_id=seller.seller_id, subscription_id=subscription.id, customer_id=customer_id,
                         domain_name=domain))
        return subscription.id


def refused(code: enum.Enum, call, *args, **kwargs) -> DomainError:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    assert caught.value.code is code, caught.value.message
    return caught.value


def set_type(provider: factories.Actor, entry_id: uuid.UUID, type: IpType) -> IpPoolEntry:
    with as_provider(provider) as session:
        return ip_pools.set_type(session=session, entry_id=entry_id, type=type)


def entry_row(actor: factories.Actor, entry_id: uuid.UUID, *, provider: bool = True) -> IpPoolEntry | None:
    with (as_provider(actor) if provider else as_seller(actor)) as session:
        return session.get(IpPoolEntry, entry_id)


@pytest.fixture
def provider() -> factories.Actor:
    return factories.provider()


@pytest.fixture
def reseller(provider: factories.Actor) -> factories.Actor:
    return factories.reseller(provider, "Reseller A", "resella")


# ---- pure rules ----------------------------------------------------------------------------

def test_dedicated_ip_refused_for_a_second_customer():
    alice, bob = uuid.uuid4(), uuid.uuid4()
    assert not can_use_ip(DEDICATED, {alice}, bob)
    assert not can_use_ip("dedicated", [alice], None)


def test_dedicated_ip_serves_its_one_customer_again():
    alice = uuid.uuid4()
    assert can_use_ip(DEDICATED, set(), alice)
    assert can_use_ip(DEDICATED, {alice}, alice)


def test_shared_ip_serves_many_customers():
    assert can_use_ip(SHARED, {uuid.uuid4(), uuid.uuid4(), None}, uuid.uuid4())


def test_seller_itself_is_one_owner_of_a_dedicated_ip():
    assert can_use_ip(DEDICATED, {None}, None)
    assert not can_use_ip(DEDICATED, {None}, uuid.uuid4())


def test_anonymous_ftp_needs_a_dedicated_ip():
    assert anonymous_ftp_allowed(DEDICATED) and anonymous_ftp_allowed("dedicated")
    assert not anonymous_ftp_allowed(SHARED)


def test_dedication_rules_across_tenants():
    provider_id, a, b = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    unused = Holding(provider_id, SHARED, provider=True)
    used = Holding(provider_id, SHARED, provider=True, owners=frozenset({uuid.uuid4()}))
    assert dedication_conflict([unused, Holding(a, DEDICATED, False)]) is None
    assert dedication_conflict([unused, Holding(a, DEDICATED, False), Holding(b, SHARED, False)]) \
        is E.ASSIGNED_TO_ANOTHER_RESELLER
    assert dedication_conflict([used, Holding(a, DEDICATED, False)]) is E.USED_BY_PROVIDER_CUSTOMERS
    assert dedication_conflict([Holding(provider_id, DEDICATED, True), Holding(a, SHARED, False)]) \
        is E.DEDICATED_TO_PROVIDER
    two_owners = frozenset({None, uuid.uuid4()})
    assert dedication_conflict([Holding(a, DEDICATED, False, two_owners)]) is E.SEVERAL_OWNERS


# ---- registration and the address's own properties -----------------------------------------

@pytest.mark.parametrize("text", ["", "not-an-ip", "203.0.113.300", "203.0.113.0/24", "0.0.0.0", "::",
                                  "127.0.0.1", "224.0.0.1", "fe80::1", "fe80::1%eth0", "::ffff:203.0.113.5"])
def test_address_must_be_an_ipv4_or_ipv6_host_address(provider, text):
    error = refused(E.INVALID_ADDRESS, register, provider, text)
    assert error.field == "address"


def test_addresses_are_stored_in_canonical_form(provider):
    address_id = register(provider, " 2001:DB8:0:0::10 ")
    with as_provider(provider) as session:
        assert str(session.get(IpAddress, address_id).address) == "2001:db8::10"


def test_duplicate_address_is_refused(provider):
    register(provider, "2001:db8::10")
    refused(E.ADDRESS_TAKEN, register, provider, "2001:DB8:0::10")


def test_interface_is_required(provider):
    refused(E.INVALID_INTERFACE, register, provider, interface="  ")


def test_registered_address_enters_the_providers_own_pool(provider):
    address_id = register(provider, type=DEDICATED)
    entry = entry_row(provider, own_entry(provider, address_id))
    assert entry.seller_id == provider.seller_id and entry.type == "dedicated"
    assert str(entry.address) == "203.0.113.10"


def test_removed_address_shows_removed_status(provider):
    address_id = register(provider)
    with as_provider(provider) as session:
        removed = ip_addresses.set_status(session=session, address_id=address_id, status=IpStatus.REMOVED)
        assert removed.status == "removed"
    with as_provider(provider) as session:
        page = ip_addresses.list_addresses(session, provider_id=provider.seller_id, page=PageRequest(10),
                                           filter_=ip_addresses.IpAddressFilter(status=IpStatus.REMOVED))
    assert [a.id for a in page.items] == [address_id]


def test_removed_address_is_restored_once(provider):
    address_id = register(provider)
    with as_provider(provider) as session:
        ip_addresses.set_status(session=session, address_id=address_id, status=IpStatus.REMOVED)
        refused(E.ALREADY_REMOVED, ip_addresses.set_status, session=session, address_id=address_id,
                status=IpStatus.REMOVED)
        assert ip_addresses.set_status(session=session, address_id=address_id,
                                       status=IpStatus.CONFIGURED).status == "configured"
        refused(E.NOT_REMOVED, ip_addresses.set_status, session=session, address_id=address_id,
                status=IpStatus.CONFIGURED)


def test_ssl_certificate_and_ftp_over_ssl_belong_to_the_address(provider):
    address_id = register(provider)
    with as_provider(provider) as session:
        address = ip_addresses.update(session=session, address_id=address_id, ssl_certificate=" shop-wildcard ",
                                      ftp_over_ssl=True)
        assert (address.ssl_certificate, address.ftp_over_ssl, address.interface) == (
            "shop-wildcard", True, "eth0")
        assert ip_addresses.update(session=session, address_id=address_id, ssl_certificate="").ssl_certificate == ""


def test_address_in_use_cannot_be_deleted(provider, reseller):
    address_id = register(provider)
    host(reseller, assign(provider, address_id, reseller))
    with as_provider(provider) as session:
        refused(E.ADDRESS_IN_USE, ip_addresses.delete_address, session=session, address_id=address_id)


def test_unused_address_is_deleted_with_its_pool_entries_in_every_tenant(provider, reseller):
    address_id = register(provider)
    reseller_entry = assign(provider, address_id, reseller)
    with as_provider(provider) as session:
        ip_addresses.delete_address(session=session, address_id=address_id)
    with as_provider(provider) as session:
        assert session.get(IpAddress, address_id) is None
        assert session.scalars(select(IpPoolEntry).where(IpPoolEntry.id == reseller_entry)).all() == []


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


# ---- listing and isolation -----------------------------------------------------------------

def test_addresses_sort_as_addresses_and_page_by_cursor(provider):
    for text in ["203.0.113.10", "2001:db8::1", "203.0.113.9", "198.51.100.200"]:
        register(provider, text)
    listed, after = [], None
    with as_provider(provider) as session:
        for _ in range(2):
            page = ip_addresses.list_addresses(session, provider_id=provider.seller_id,
                                               filter_=ip_addresses.IpAddressFilter(),
                                               page=PageRequest(2, after=after))
            listed += [str(a.address) for a in page.items]
            after = page.cursors[-1]
        assert not page.has_next_page and page.total_count == 4
        backwards = ip_addresses.list_addresses(session, provider_id=provider.seller_id,
                                                filter_=ip_addresses.IpAddressFilter(),
                                                page=PageRequest(10, direction=SortDirection.DESC))
    assert listed == ["198.51.100.200", "203.0.113.9", "203.0.113.10", "2001:db8::1"]
    assert [str(a.address) for a in backwards.items] == listed[::-1]


def test_addresses_are_searched_by_address_interface_or_certificate(provider):
    register(provider, "203.0.113.10", interface="eth1")
    register(provider, "198.51.100.7", ssl_certificate="shop_cert")
    with as_provider(provider) as session:
        def search(text: str) -> list[str]:
            page = ip_addresses.list_addresses(session, provider_id=provider.seller_id, page=PageRequest(10),
                                               filter_=ip_addresses.IpAddressFilter(search=text))
            return [str(a.address) for a in page.items]

        assert search("113.1") == ["203.0.113.10"]
        assert search("ETH1") == ["203.0.113.10"]
        assert search("p_c") == ["198.51.100.7"]
        assert search("%") == []


def test_reseller_never_sees_another_resellers_pool_or_the_providers_addresses(provider, reseller):
    address_id = register(provider)
    own = assign(provider, address_id, reseller)
    other = factories.reseller(provider, "Reseller B", "resellb")
    theirs = assign(provider, register(provider, "203.0.113.11"), other)
    with session_scope(TenantContext(Role.RESELLER, reseller.seller_id)) as session:
        page = ip_addresses.list_pool(session, seller_id=reseller.seller_id,
                                      filter_=ip_addresses.IpPoolFilter(), page=PageRequest(10))
        assert [entry.id for entry in page.items] == [own]
        assert session.get(IpPoolEntry, theirs) is None
        assert session.get(IpAddress, address_id) is None
        visible = ip_addresses.entries_by_address(session, [address_id])[address_id]
        assert [entry.id for entry in visible] == [own]
        peeked = ip_addresses.list_pool(session, seller_id=other.seller_id,
                                        filter_=ip_addresses.IpPoolFilter(), page=PageRequest(10))
        assert peeked.items == []


def test_providers_pool_is_its_own_entries_only(provider, reseller):
    address_id = register(provider)
    assign(provider, address_id, reseller)
    with as_provider(provider) as session:
        page = ip_addresses.list_pool(session, seller_id=provider.seller_id,
                                      filter_=ip_addresses.IpPoolFilter(), page=PageRequest(10))
        assert [entry.seller_id for entry in page.items] == [provider.seller_id]


@pytest.mark.parametrize("value", [5, "not-an-address", "10.0.0.1\x00", None])
def test_a_forged_address_cursor_is_a_typed_error(provider, value):
    with as_provider(provider) as session:
        error = refused(CommonErrorCode.INVALID, ip_addresses.list_addresses, session,
                        provider_id=provider.seller_id, filter_=ip_addresses.IpAddressFilter(),
                        page=PageRequest(10, after=encode_cursor(value, uuid.uuid4())))
    assert error.field == "after"
