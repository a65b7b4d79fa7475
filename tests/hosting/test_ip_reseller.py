"""IP addresses as a reseller sees them (SPEC §3): its own entries' type before use, its certificate store
bound to an address, the provider's status and FTP over SSL; anonymous FTP and genuine SSL need a
dedicated address."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from comptoir.database.engine import session_scope
from comptoir.hosting import certificates, ip_addresses, ip_pools, subscription_lifecycle, subscription_plans
from comptoir.hosting import plan_values as pv
from comptoir.hosting import subscriptions as subscription_service
from comptoir.hosting.certificates import CertificateErrorCode
from comptoir.hosting.errors import HostingErrorCode
from comptoir.hosting.ip_rules import IpStatus, dedicated_ip_problem
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
    refused,
    register,
)
from tests.hosting.support import new, plan


def pem_pair(common_name: str = "shop.example.com", days: int = 90) -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now)
                   .not_valid_after(now + dt.timedelta(days=days)).sign(key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    return certificate.public_bytes(serialization.Encoding.PEM).decode(), key_pem


@pytest.fixture
def provider() -> factories.Actor:
    return factories.provider()


@pytest.fixture
def reseller(provider) -> factories.Actor:
    return factories.reseller(provider, "Reseller A", "resella")


def as_reseller(reseller: factories.Actor):  # type: ignore[no-untyped-def]
    return session_scope(TenantContext(Role.RESELLER, reseller.seller_id))


def set_own_type(reseller: factories.Actor, entry_id: uuid.UUID, type) -> str:  # type: ignore[no-untyped-def]
    with as_reseller(reseller) as session:
        return ip_pools.set_own_type(session=session, seller_id=reseller.seller_id, entry_id=entry_id, type=type).type


# ---- the entry's type, before use ---------------------------------------------------------------------

def test_reseller_makes_its_own_unused_entry_dedicated_then_shared_again(provider, reseller):
    entry = assign(provider, register(provider), reseller)
    assert set_own_type(reseller, entry, DEDICATED) == "dedicated"
    assert set_own_type(reseller, entry, SHARED) == "shared"


def test_reseller_cannot_change_the_type_of_an_entry_in_use(provider, reseller):
    entry = assign(provider, register(provider), reseller)
    host(reseller, entry)
    refused(E.ENTRY_IN_USE, set_own_type, reseller, entry, DEDICATED)
    assert entry_row(provider, entry).type == "shared"


def test_reseller_cannot_dedicate_an_address_shared_with_another_reseller(provider, reseller):
    # given one address in two resellers' pools: the other tenant is invisible to this reseller
    address = register(provider)
    entry = assign(provider, address, reseller)
    assign(provider, address, factories.reseller(provider, "Reseller B", "resellb"))
    # when it makes its entry dedicated, the database's rule refuses it with the rule's own code
    refused(E.ASSIGNED_TO_ANOTHER_RESELLER, set_own_type, reseller, entry, DEDICATED)
    assert entry_row(provider, entry).type == "shared"


def test_reseller_cannot_dedicate_an_address_the_providers_customers_use(provider, reseller):
    address = register(provider)
    entry = assign(provider, address, reseller)
    with as_provider(provider) as session:
        own = next(e for e in ip_addresses.entries_by_address(session, [address])[address]
                   if e.seller_id == provider.seller_id).id
    host(provider, own, factories.customer(provider, "provcust", subscribed=False))
    refused(E.USED_BY_PROVIDER_CUSTOMERS, set_own_type, reseller, entry, DEDICATED)


def test_reseller_cannot_change_another_sellers_entry(provider, reseller):
    other_entry = assign(provider, register(provider), factories.reseller(provider, "Reseller B", "resellb"))
    refused(E.NOT_FOUND, set_own_type, reseller, other_entry, DEDICATED)


# ---- status and FTP over SSL as the provider set them ------------------------------------------------

def test_reseller_sees_an_address_removed_by_the_provider_and_its_ftp_over_ssl(provider, reseller):
    address = register(provider)
    entry = assign(provider, address, reseller)
    with as_provider(provider) as session:
        ip_addresses.update(session=session, address_id=address, ftp_over_ssl=True)
        ip_addresses.set_status(session=session, address_id=address, status=IpStatus.REMOVED)
    with as_reseller(reseller) as session:
        row = ip_pools.get_entry_or_raise(session, entry_id=entry, seller_id=reseller.seller_id)
        assert (row.status, row.ftp_over_ssl) == ("removed", True)
    with as_provider(provider) as session:
        ip_addresses.set_status(session=session, address_id=address, status=IpStatus.CONFIGURED)
    assert entry_row(provider, entry).status == "configured"


# ---- the certificate store ---------------------------------------------------------------------------

def test_certificate_store_reads_the_expiry_and_refuses_a_key_of_another_certificate(reseller):
    certificate_pem, key_pem = pem_pair(days=30)
    with as_reseller(reseller) as session:
        stored = certificates.add(session=session, seller_id=reseller.seller_id, name="shop",
                                  certificate_pem=certificate_pem, private_key_pem=key_pem)
        assert stored.subject == "CN=shop.example.com"
        assert dt.timedelta(days=29) < stored.expires_at - dt.datetime.now(dt.UTC) <= dt.timedelta(days=30)
        refused(CertificateErrorCode.KEY_MISMATCH, certificates.add, session=session, seller_id=reseller.seller_id,
                name="other", certificate_pem=certificate_pem, private_key_pem=pem_pair()[1])
        refused(CertificateErrorCode.INVALID_CERTIFICATE, certificates.add, session=session,
                seller_id=reseller.seller_id, name="junk", certificate_pem="not a certificate", private_key_pem=key_pem)
        refused(CertificateErrorCode.NAME_TAKEN, certificates.add, session=session, seller_id=reseller.seller_id,
                name="shop", certificate_pem=certificate_pem, private_key_pem=key_pem)


def test_reseller_binds_a_certificate_of_its_store_to_its_address_and_cannot_delete_it_while_bound(
        provider, reseller):
    entry = assign(provider, register(provider), reseller)
    certificate_pem, key_pem = pem_pair()
    with as_reseller(reseller) as session:
        stored = certificates.add(session=session, seller_id=reseller.seller_id, name="shop",
                                  certificate_pem=certificate_pem, private_key_pem=key_pem)
        ip_pools.set_certificate(session=session, seller_id=reseller.seller_id, entry_id=entry,
                                 certificate_id=stored.id)
        certificate_id = stored.id
    assert entry_row(provider, entry).certificate_id == certificate_id
    with as_reseller(reseller) as session:
        refused(CertificateErrorCode.CERTIFICATE_IN_USE, certificates.delete, session=session,
                seller_id=reseller.seller_id, certificate_id=certificate_id)
        ip_pools.set_certificate(session=session, seller_id=reseller.seller_id, entry_id=entry, certificate_id=None)
        certificates.delete(session=session, seller_id=reseller.seller_id, certificate_id=certificate_id)


def test_a_certificate_of_another_seller_cannot_be_bound(provider, reseller):
    entry = assign(provider, register(provider), reseller)
    certificate_pem, key_pem = pem_pair()
    with as_provider(provider) as session:
        theirs = certificates.add(session=session, seller_id=provider.seller_id, name="provider",
                                  certificate_pem=certificate_pem, private_key_pem=key_pem).id
    with as_reseller(reseller) as session:
        refused(E.CERTIFICATE_NOT_FOUND, ip_pools.set_certificate, session=session, seller_id=reseller.seller_id,
                entry_id=entry, certificate_id=theirs)


# ---- anonymous FTP and genuine SSL need a dedicated address -----------------------------------------

FTP = replace(pv.default_plan_values(), hosting=replace(pv.default_plan_values().hosting, anonymous_ftp=True))
SSL = replace(pv.default_plan_values(), hosting=replace(pv.default_plan_values().hosting, genuine_ssl=True))


def test_dedicated_ip_rule_names_each_feature():
    assert dedicated_ip_problem(SHARED, {"hosting.anonymous_ftp": True, "hosting.genuine_ssl": True}) == [
        "anonymous FTP", "a genuine SSL certificate"]
    assert dedicated_ip_problem(DEDICATED, {"hosting.anonymous_ftp": True}) == []
    assert dedicated_ip_problem(SHARED, {"hosting.anonymous_ftp": False}) == []


def create(seller_id: uuid.UUID, entry: uuid.UUID, plan_id: uuid.UUID | None = None) -> uuid.UUID:
    with session_scope(TenantContext(Role.SYSTEM, seller_id)) as session:
        return subscription_service.create(session, seller_id=seller_id, new=new(entry, plan_id=plan_id)).id


@pytest.mark.parametrize("values", [FTP, SSL], ids=["anonymous FTP", "genuine SSL"])
def test_anonymous_ftp_or_genuine_ssl_on_a_shared_address_is_refused_at_creation(provider, values):
    shared = own_entry_of(provider, register(provider, "203.0.113.20"))
    refused(HostingErrorCode.DEDICATED_IP_REQUIRED, create, provider.seller_id, shared,
            plan(provider.seller_id, "Ftp", values=values))
    dedicated = own_entry_of(provider, register(provider, "203.0.113.21", type=DEDICATED))
    assert create(provider.seller_id, dedicated, plan(provider.seller_id, "Ftp2", values=values))


def own_entry_of(provider, address_id: uuid.UUID) -> uuid.UUID:  # type: ignore[no-untyped-def]
    with as_provider(provider) as session:
        return next(e for e in ip_addresses.entries_by_address(session, [address_id])[address_id]).id


def test_re_planning_to_anonymous_ftp_on_a_shared_address_is_refused(provider):
    shared = own_entry_of(provider, register(provider, "203.0.113.22"))
    sid = create(provider.seller_id, shared, plan(provider.seller_id, "Plain"))
    ftp = plan(provider.seller_id, "Ftp", values=FTP)
    with session_scope(TenantContext(Role.SYSTEM, provider.seller_id)) as session:
        refused(HostingErrorCode.DEDICATED_IP_REQUIRED, subscription_plans.change_plan, session=session,
                subscription_id=sid, plan_id=ftp)


def test_moving_a_genuine_ssl_subscription_to_a_shared_address_is_refused(provider):
    dedicated = own_entry_of(provider, register(provider, "203.0.113.23", type=DEDICATED))
    shared = own_entry_of(provider, register(provider, "203.0.113.24"))
    sid = create(provider.seller_id, dedicated, plan(provider.seller_id, "Ssl", values=SSL))
    with session_scope(TenantContext(Role.SYSTEM, provider.seller_id)) as session:
        refused(HostingErrorCode.DEDICATED_IP_REQUIRED, subscription_lifecycle.change_hosting_settings,
                session=session, subscription_id=sid, ip_pool_id=shared)


def test_update_and_sync_bringing_anonymous_ftp_to_a_shared_address_leaves_it_unsynced(provider):
    from comptoir.hosting import plans, sync
    from comptoir.hosting.models import Subscription

    shared = own_entry_of(provider, register(provider, "203.0.113.25"))
    gold = plan(provider.seller_id, "Gold")
    sid = create(provider.seller_id, shared, gold)
    with session_scope(TenantContext(Role.SYSTEM, provider.seller_id)) as session:
        row = plans.get_or_raise(session, plan_id=gold)
        row.values = pv.to_json(FTP)
        sync.update_and_sync(session, plan_id=gold)
    with session_scope(TenantContext(Role.SYSTEM, provider.seller_id)) as session:
        subscription = session.get_one(Subscription, sid)
        assert subscription.sync_state == "unsynced"
        assert {"name": "hosting.anonymous_ftp", "plan_value": True, "available_value": False,
                "reason": "server"} in subscription.conflicts
        assert pv.from_json(subscription.values).hosting.anonymous_ftp is None
        accepted = subscription_plans.accept_available(session=session, subscription_id=sid)
        assert pv.from_json(accepted.values).hosting.anonymous_ftp is False
