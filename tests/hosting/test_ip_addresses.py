"""IP addresses (SPEC §3): the pure rules, registration and listing under row-level security."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from comptoir.database.engine import session_scope
from comptoir.database.pagination import PageRequest, SortDirection, encode_cursor
from comptoir.errors import CommonErrorCode
from comptoir.hosting import ip_addresses
from comptoir.hosting.ip_rules import (
    Holding,
    IpStatus,
    anonymous_ftp_allowed,
    can_use_ip,
    dedication_conflict,
)
from comptoir.hosting.models import IpAddress, IpPoolEntry
from comptoir.tenancy.context import Role, TenantContext
from tests import factories
from tests.hosting.ip_support import (
    DEDICATED,
    SHARED,
    E,
    as_provider,
    assign,
    entry_row,
    host,
    own_entry,
    refused,
    register,
)


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
