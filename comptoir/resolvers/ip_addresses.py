"""Resolvers for the provider's IP addresses and each seller's IP pool."""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import strawberry
from sqlalchemy import select
from sqlalchemy.orm import Session
from strawberry.types import Info

from comptoir.errors import DomainError
from comptoir.hosting import certificates, ip_addresses, ip_pools
from comptoir.hosting.ip_rules import IpStatus, IpType, anonymous_ftp_allowed
from comptoir.hosting.models import IpAddress as IpAddressModel
from comptoir.hosting.models import IpPoolEntry as IpPoolEntryModel
from comptoir.resolvers.resellers import build_resellers
from comptoir.resolvers.servers import build_certificate
from comptoir.schema.base import Connection, mutate, page_request, selects
from comptoir.schema.dataloaders import Loader
from comptoir.schema.ids import decode_id, encode_id
from comptoir.schema.ip_addresses import (
    IpAddress,
    IpAddressAssignInput,
    IpAddressDeletePayload,
    IpAddressFilterInput,
    IpAddressIdInput,
    IpAddressPayload,
    IpAddressRegisterInput,
    IpAddressSortInput,
    IpAddressUnassignInput,
    IpAddressUpdateInput,
    IpAssignment,
    IpPoolEntry,
    IpPoolEntryCertificateSetInput,
    IpPoolEntryDefaultSiteSetInput,
    IpPoolEntryPayload,
    IpPoolEntryTypeSetInput,
    IpPoolFilterInput,
    IpPoolSortInput,
    IpSite,
    IpVersion,
)
from comptoir.schema.resellers import Reseller
from comptoir.tenancy.context import Role


@dataclass(frozen=True)
class Needs:
    """Which related data the client selected, so a page loads each kind once, and only if asked."""

    sites: bool = True
    domains: bool = True
    defaults: bool = True
    resellers: bool = True

    @classmethod
    def of_entry(cls, info: Info, *at: str) -> Needs:
        domains = selects(info, *at, "sites")
        return cls(sites=domains or selects(info, *at, "siteCount"), domains=domains,
                   defaults=selects(info, *at, "defaultSite"), resellers=False)

    @classmethod
    def of_address(cls, info: Info, *at: str) -> Needs:
        own = cls.of_entry(info, *at, "poolEntry")
        assigned = cls.of_entry(info, *at, "assignments", "poolEntry")
        domains = selects(info, *at, "siteDomains") or own.domains or assigned.domains
        return cls(sites=domains or selects(info, *at, "siteCount") or own.sites or assigned.sites,
                   domains=domains, defaults=own.defaults or assigned.defaults,
                   resellers=selects(info, *at, "assignments"))


def _version(address: object) -> IpVersion:
    return IpVersion(ipaddress.ip_address(str(address)).version)


def _site(site: ip_addresses.HostedSite) -> IpSite:
    return IpSite(domain_name=site.domain_name,
                  subscription_id=strawberry.ID(encode_id("Subscription", site.subscription_id)))


def build_pool_entries(session: Session, entries: Sequence[IpPoolEntryModel], needs: Needs
                       ) -> list[IpPoolEntry]:
    """Pool entry objects for a page: sites and default sites in one query each, whatever the page size."""
    ids = [entry.id for entry in entries]
    sites = ip_addresses.sites_on(session, ids, with_domains=needs.domains) if needs.sites and ids else {}
    defaults = ip_addresses.default_sites(session, ids) if needs.defaults and ids else {}
    bound = certificates.by_id(session, {entry.certificate_id for entry in entries if entry.certificate_id})
    built = []
    for entry in entries:
        hosted = sites.get(entry.id, ip_addresses.SitesOnEntry())
        built.append(IpPoolEntry(
            id=strawberry.ID(encode_id("IpPoolEntry", entry.id)), address=str(entry.address),
            version=_version(entry.address), type=IpType(entry.type),
            anonymous_ftp_allowed=anonymous_ftp_allowed(entry.type), site_count=hosted.count,
            status=IpStatus(entry.status), ftp_over_ssl=entry.ftp_over_ssl,
            certificate=build_certificate(bound[entry.certificate_id]) if entry.certificate_id in bound else None,
            sites=[_site(site) for site in hosted.sites],
            default_site=_site(defaults[entry.id]) if entry.id in defaults else None,
            created_at=entry.created_at,
        ))
    return built


def build_addresses(session: Session, addresses: Sequence[IpAddressModel], needs: Needs) -> list[IpAddress]:
    """Address objects for a page: entries, sites, defaults, resellers, in a fixed number of queries."""
    ids = [address.id for address in addresses]
    entries = ip_addresses.entries_by_address(session, ids) if ids else {}
    every_entry = [entry for found in entries.values() for entry in found]
    pool = dict(zip((e.id for e in every_entry), build_pool_entries(session, every_entry, needs),
                    strict=True))
    reseller_ids = {e.seller_id for address in addresses for e in entries[address.id]
                    if e.seller_id != address.seller_id}
    resellers: dict[uuid.UUID, Reseller] = {}
    if needs.resellers and reseller_ids:
        sellers = list(ip_addresses.sellers_by_id(session, reseller_ids).values())
        built_resellers = build_resellers(session, sellers)
        resellers = dict(zip((seller.id for seller in sellers), built_resellers, strict=True))
    built = []
    for address in addresses:
        own = next((e for e in entries[address.id] if e.seller_id == address.seller_id), None)
        assigned = [e for e in entries[address.id] if e.seller_id != address.seller_id]
        domains = sorted(site.domain_name for e in entries[address.id] for site in pool[e.id].sites)
        built.append(IpAddress(
            id=strawberry.ID(encode_id("IpAddress", address.id)), address=str(address.address),
            version=_version(address.address), interface=address.interface, status=IpStatus(address.status),
            ssl_certificate=address.ssl_certificate or None, ftp_over_ssl=address.ftp_over_ssl,
            created_at=address.created_at, type=IpType(own.type) if own else None,
            pool_entry=pool[own.id] if own else None,
            site_count=sum(pool[e.id].site_count for e in entries[address.id]), site_domains=domains,
            assignments=[IpAssignment(reseller=resellers[e.seller_id], type=IpType(e.type),
                                      pool_entry=pool[e.id]) for e in assigned if e.seller_id in resellers],
        ))
    return built


async def ip_addresses_connection(
    info: Info, first: int | None = None, after: str | None = None,
    filter: IpAddressFilterInput | None = None, sort: IpAddressSortInput | None = None,
) -> Connection[IpAddress]:
    sort = sort or IpAddressSortInput()
    request = page_request(info, first, after, sort.direction)
    provider_id = info.context.tenant.seller_id
    service_filter = ip_addresses.IpAddressFilter(status=filter.status if filter else None,
                                                  search=filter.search if filter else None)
    needs = Needs.of_address(info, "edges", "node")

    def load(session: Session) -> Connection[IpAddress]:
        page = ip_addresses.list_addresses(session, provider_id=provider_id, filter_=service_filter,
                                           page=request, sort=sort.field)
        built = iter(build_addresses(session, page.items, needs))
        return Connection[IpAddress].from_page(page, lambda _: next(built))

    return await info.context.run(load)


async def my_ip_pool(
    info: Info, first: int | None = None, after: str | None = None,
    filter: IpPoolFilterInput | None = None, sort: IpPoolSortInput | None = None,
) -> Connection[IpPoolEntry]:
    sort = sort or IpPoolSortInput()
    request = page_request(info, first, after, sort.direction)
    seller_id = info.context.tenant.seller_id
    service_filter = ip_addresses.IpPoolFilter(type=filter.type if filter else None,
                                               search=filter.search if filter else None)
    needs = Needs.of_entry(info, "edges", "node")

    def load(session: Session) -> Connection[IpPoolEntry]:
        page = ip_addresses.list_pool(session, seller_id=seller_id, filter_=service_filter, page=request,
                                      sort=sort.field)
        built = iter(build_pool_entries(session, page.items, needs))
        return Connection[IpPoolEntry].from_page(page, lambda _: next(built))

    return await info.context.run(load)


class _NodesLoader(Loader[tuple[uuid.UUID, Needs], Any]):
    """Addresses or pool entries by id, built in bulk for each selection among the keys (`nodes`)."""

    model: Any
    build: Callable[[Session, Sequence[Any], Needs], list[Any]]

    def fetch(self, session: Session, keys: list[tuple[uuid.UUID, Needs]]) -> list[Any]:
        built: dict[tuple[uuid.UUID, Needs], Any] = {}
        for needs in {needs for _, needs in keys}:
            ids = [row_id for row_id, wanted in keys if wanted == needs]
            rows = list(session.scalars(select(self.model).where(self.model.id.in_(ids))))
            built.update({(row.id, needs): item for row, item in zip(rows, type(self).build(session, rows, needs),
                                                                      strict=True)})
        return [built.get(key) for key in keys]


class _AddressNodes(_NodesLoader):
    model = IpAddressModel
    build = staticmethod(build_addresses)


class _PoolEntryNodes(_NodesLoader):
    model = IpPoolEntryModel
    build = staticmethod(build_pool_entries)


async def load_ip_address(info: Info, address_id: uuid.UUID, needs: Needs | None = None) -> IpAddress | None:
    loader = info.context.loaders.extra("ip_addresses", _AddressNodes)
    return await loader.load((address_id, needs or Needs.of_address(info)))  # type: ignore[no-any-return]


async def load_ip_pool_entry(info: Info, entry_id: uuid.UUID, needs: Needs | None = None
                             ) -> IpPoolEntry | None:
    loader = info.context.loaders.extra("ip_pool_entries", _PoolEntryNodes)
    return await loader.load((entry_id, needs or Needs.of_entry(info)))  # type: ignore[no-any-return]


async def ip_address(info: Info, id: strawberry.ID) -> IpAddress | None:
    try:
        return await load_ip_address(info, decode_id(id, "IpAddress"))
    except DomainError:
        return None


# ---- mutations -----------------------------------------------------------------------------

async def _address_payload(info: Info, work: Callable[[Session], uuid.UUID]) -> IpAddressPayload:
    async def done(address_id: uuid.UUID) -> IpAddressPayload:
        return IpAddressPayload(ip_address=await load_ip_address(info, address_id, Needs.of_address(info, "ipAddress")))

    return await mutate(info, IpAddressPayload, work, done)


async def _entry_payload(info: Info, work: Callable[[Session], uuid.UUID]) -> IpPoolEntryPayload:
    async def done(entry_id: uuid.UUID) -> IpPoolEntryPayload:
        return IpPoolEntryPayload(pool_entry=await load_ip_pool_entry(info, entry_id, Needs.of_entry(info, "poolEntry")))

    return await mutate(info, IpPoolEntryPayload, work, done)


def _address_id(global_id: str) -> uuid.UUID:
    return decode_id(global_id, "IpAddress")


async def ip_address_register(info: Info, input: IpAddressRegisterInput) -> IpAddressPayload:
    provider_id = info.context.tenant.seller_id
    return await _address_payload(info, lambda s: ip_addresses.register(
        session=s, provider_id=provider_id, address=input.address, interface=input.interface, type=input.type,
        ssl_certificate=input.ssl_certificate, ftp_over_ssl=input.ftp_over_ssl).id)


async def ip_address_update(info: Info, input: IpAddressUpdateInput) -> IpAddressPayload:
    return await _address_payload(info, lambda s: ip_addresses.update(
        session=s, address_id=_address_id(input.id), interface=input.interface, ssl_certificate=input.ssl_certificate,
        ftp_over_ssl=input.ftp_over_ssl).id)


async def ip_address_remove(info: Info, input: IpAddressIdInput) -> IpAddressPayload:
    return await _address_payload(info, lambda s: ip_addresses.set_status(
        session=s, address_id=_address_id(input.id), status=IpStatus.REMOVED).id)


async def ip_address_restore(info: Info, input: IpAddressIdInput) -> IpAddressPayload:
    return await _address_payload(info, lambda s: ip_addresses.set_status(
        session=s, address_id=_address_id(input.id), status=IpStatus.CONFIGURED).id)


async def ip_address_delete(info: Info, input: IpAddressIdInput) -> IpAddressDeletePayload:
    return await mutate(
        info, IpAddressDeletePayload, lambda s: ip_addresses.delete_address(session=s, address_id=_address_id(input.id)),
        lambda deleted: IpAddressDeletePayload(deleted_id=strawberry.ID(encode_id("IpAddress", deleted))))


async def ip_address_assign(info: Info, input: IpAddressAssignInput) -> IpAddressPayload:
    return await _address_payload(info, lambda s: ip_pools.assign(
        session=s, address_id=_address_id(input.id), type=input.type,
        reseller_id=decode_id(input.reseller_id, "Reseller", field="resellerId")).ip_address_id)


async def ip_address_unassign(info: Info, input: IpAddressUnassignInput) -> IpAddressPayload:
    return await _address_payload(info, lambda s: ip_pools.unassign(
        session=s, address_id=_address_id(input.id),
        reseller_id=decode_id(input.reseller_id, "Reseller", field="resellerId")).id)


async def ip_pool_entry_type_set(info: Info, input: IpPoolEntryTypeSetInput) -> IpPoolEntryPayload:
    """The provider sets any entry's type; a reseller its own entry's, before any subscription uses it."""
    tenant = info.context.tenant
    if tenant.role is Role.PROVIDER:
        return await _entry_payload(info, lambda s: ip_pools.set_type(
            session=s, entry_id=decode_id(input.id, "IpPoolEntry"), type=input.type).id)
    return await _entry_payload(info, lambda s: ip_pools.set_own_type(
        session=s, seller_id=tenant.seller_id, entry_id=decode_id(input.id, "IpPoolEntry"), type=input.type).id)


async def ip_pool_entry_certificate_set(info: Info, input: IpPoolEntryCertificateSetInput) -> IpPoolEntryPayload:
    seller_id = info.context.tenant.seller_id
    return await _entry_payload(info, lambda s: ip_pools.set_certificate(
        session=s, seller_id=seller_id, entry_id=decode_id(input.id, "IpPoolEntry"),
        certificate_id=decode_id(input.certificate_id, "SslCertificate", field="certificateId")
        if input.certificate_id else None).id)


async def ip_pool_entry_default_site_set(info: Info, input: IpPoolEntryDefaultSiteSetInput
                                         ) -> IpPoolEntryPayload:
    seller_id = info.context.tenant.seller_id
    return await _entry_payload(info, lambda s: ip_pools.set_default_site(
        session=s, seller_id=seller_id, entry_id=decode_id(input.id, "IpPoolEntry"),
        subscription_id=decode_id(input.subscription_id, "Subscription", field="subscriptionId")).id)
