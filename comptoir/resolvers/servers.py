"""Resolvers for hosting servers, placement pins and sellers' certificate stores."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence

import strawberry
from sqlalchemy import select
from sqlalchemy.orm import Session
from strawberry.types import Info

from comptoir.hosting import certificates, servers
from comptoir.hosting.server_models import HostingServer as HostingServerModel
from comptoir.hosting.server_models import ServerPoolEntry as ServerPoolEntryModel
from comptoir.hosting.server_models import SslCertificate as SslCertificateModel
from comptoir.provisioning.hosting_agent import OsFamily
from comptoir.resolvers.resellers import build_resellers
from comptoir.schema.base import mutate
from comptoir.schema.dataloaders import Loader
from comptoir.schema.ids import decode_id, encode_id
from comptoir.schema.servers import (
    HostingServer,
    HostingServerAssignInput,
    HostingServerDeletePayload,
    HostingServerIdInput,
    HostingServerPayload,
    HostingServerRegisterInput,
    HostingServerUpdateInput,
    PlanServerPinInput,
    PlanServerPinPayload,
    ServerCapabilities,
    ServerCapabilitiesInput,
    ServerPoolEntry,
    SslCertificate,
    SslCertificateAddInput,
    SslCertificateDeletePayload,
    SslCertificateIdInput,
    SslCertificatePayload,
)
from comptoir.tenancy.models import Seller


def _capabilities(driver: str, os_family: str, stored: dict[str, object]) -> ServerCapabilities:
    found = servers.agent_capabilities(driver, os_family, stored)
    return ServerCapabilities(
        hard_disk_quota=found.hard_disk_quota, php_handlers=sorted(found.php_handlers, key=lambda h: h.value),
        php_versions=list(found.php_versions), scripting=sorted(found.scripting, key=lambda s: s.value),
        max_disk_space=found.max_disk_space)


def build_pool_entry(entry: ServerPoolEntryModel) -> ServerPoolEntry:
    return ServerPoolEntry(id=strawberry.ID(encode_id("ServerPoolEntry", entry.id)), name=entry.name,
                           driver=entry.driver, os_family=OsFamily(entry.os_family),
                           capabilities=_capabilities(entry.driver, entry.os_family, entry.capabilities),
                           capacity=entry.capacity)


def build_servers(session: Session, rows: Sequence[HostingServerModel]) -> list[HostingServer]:
    """Servers with their pool entries and resellers, in two queries whatever the number of servers."""
    ids = [row.id for row in rows]
    entries = list(session.scalars(select(ServerPoolEntryModel).where(ServerPoolEntryModel.server_id.in_(ids)))) \
        if ids else []
    reseller_ids = {e.seller_id for e in entries} - {row.seller_id for row in rows}
    sellers = list(session.scalars(select(Seller).where(Seller.id.in_(reseller_ids)))) if reseller_ids else []
    resellers = dict(zip((s.id for s in sellers), build_resellers(session, sellers),
                         strict=True))
    built = []
    for row in rows:
        own = next((e for e in entries if e.server_id == row.id and e.seller_id == row.seller_id), None)
        built.append(HostingServer(
            id=strawberry.ID(encode_id("HostingServer", row.id)), name=row.name, driver=row.driver,
            os_family=OsFamily(row.os_family), capabilities=_capabilities(row.driver, row.os_family, row.capabilities),
            capacity=row.capacity, is_default=row.is_default, created_at=row.created_at,
            pool_entry=build_pool_entry(own) if own else None,
            resellers=sorted((resellers[e.seller_id] for e in entries
                              if e.server_id == row.id and e.seller_id in resellers), key=lambda r: r.name)))
    return built


def build_certificate(row: SslCertificateModel) -> SslCertificate:
    return SslCertificate(id=strawberry.ID(encode_id("SslCertificate", row.id)), name=row.name, subject=row.subject,
                          expires_at=row.expires_at, created_at=row.created_at)


def _declared(data: ServerCapabilitiesInput | None) -> servers.ServerCapabilities:
    if data is None:
        return servers.ServerCapabilities()
    return servers.ServerCapabilities(
        hard_disk_quota=data.hard_disk_quota,
        php_handlers=frozenset(data.php_handlers) if data.php_handlers is not None else None,
        php_versions=tuple(data.php_versions) if data.php_versions is not None else None,
        scripting=frozenset(data.scripting) if data.scripting is not None else None,
        max_disk_space=data.max_disk_space)


# ---- queries -------------------------------------------------------------------------------------

async def hosting_servers(info: Info) -> list[HostingServer]:
    provider_id = info.context.tenant.seller_id
    return await info.context.run(lambda s: build_servers(s, servers.list_servers(s, provider_id=provider_id)))


async def my_servers(info: Info) -> list[ServerPoolEntry]:
    seller_id = info.context.tenant.seller_id
    return await info.context.run(lambda s: [build_pool_entry(e) for e in servers.pool_of(s, seller_id=seller_id)])


async def ssl_certificates(info: Info) -> list[SslCertificate]:
    seller_id = info.context.tenant.seller_id
    return await info.context.run(
        lambda s: [build_certificate(row) for row in certificates.list_store(s, seller_id=seller_id)])


class HostingServerLoader(Loader[uuid.UUID, "HostingServer | None"]):
    """Servers by id, built with their pool entries and resellers for the whole batch."""

    def fetch(self, session: Session, keys: list[uuid.UUID]) -> list[HostingServer | None]:
        rows = list(session.scalars(select(HostingServerModel).where(HostingServerModel.id.in_(keys))))
        built = dict(zip((row.id for row in rows), build_servers(session, rows), strict=True))
        return [built.get(k) for k in keys]


async def load_hosting_server(info: Info, server_id: uuid.UUID) -> HostingServer | None:
    return await info.context.loaders.extra("hosting_servers", HostingServerLoader).load(  # type: ignore[no-any-return]
        server_id)


async def load_server_pool_entry(info: Info, entry_id: uuid.UUID) -> ServerPoolEntry | None:
    row = await info.context.loaders.rows(ServerPoolEntryModel).load(entry_id)
    return build_pool_entry(row) if row else None


async def load_certificate(info: Info, certificate_id: uuid.UUID) -> SslCertificate | None:
    row = await info.context.loaders.rows(SslCertificateModel).load(certificate_id)
    return build_certificate(row) if row else None


# ---- mutations -----------------------------------------------------------------------------------

async def _server_payload(info: Info, work: Callable[[Session], uuid.UUID]) -> HostingServerPayload:
    async def done(server_id: uuid.UUID) -> HostingServerPayload:
        return HostingServerPayload(server=await load_hosting_server(info, server_id))

    return await mutate(info, HostingServerPayload, work, done)


def _server_id(global_id: str) -> uuid.UUID:
    return decode_id(global_id, "HostingServer")


async def hosting_server_register(info: Info, input: HostingServerRegisterInput) -> HostingServerPayload:
    provider_id = info.context.tenant.seller_id
    return await _server_payload(info, lambda s: servers.register(
        session=s, provider_id=provider_id, name=input.name, driver=input.driver, os_family=input.os_family,
        capabilities=_declared(input.capabilities), capacity=input.capacity, is_default=input.is_default).id)


async def hosting_server_update(info: Info, input: HostingServerUpdateInput) -> HostingServerPayload:
    return await _server_payload(info, lambda s: servers.update_server(
        session=s, server_id=_server_id(input.id), name=input.name,
        capabilities=_declared(input.capabilities) if input.capabilities else None, capacity=input.capacity,
        unlimited_capacity=input.unlimited_capacity).id)


async def hosting_server_assign(info: Info, input: HostingServerAssignInput) -> HostingServerPayload:
    return await _server_payload(info, lambda s: servers.assign(
        session=s, server_id=_server_id(input.id),
        reseller_id=decode_id(input.reseller_id, "Reseller", field="resellerId")).server_id)


async def hosting_server_unassign(info: Info, input: HostingServerAssignInput) -> HostingServerPayload:
    return await _server_payload(info, lambda s: servers.unassign(
        session=s, server_id=_server_id(input.id),
        reseller_id=decode_id(input.reseller_id, "Reseller", field="resellerId")).id)


async def hosting_server_delete(info: Info, input: HostingServerIdInput) -> HostingServerDeletePayload:
    return await mutate(
        info, HostingServerDeletePayload, lambda s: servers.delete_server(session=s, server_id=_server_id(input.id)),
        lambda deleted: HostingServerDeletePayload(deleted_id=strawberry.ID(encode_id("HostingServer", deleted))))


async def plan_server_pin(info: Info, input: PlanServerPinInput) -> PlanServerPinPayload:
    seller_id = info.context.tenant.seller_id

    def work(session: Session) -> ServerPoolEntry | None:
        entry_id = decode_id(input.server_id, "ServerPoolEntry", field="serverId") if input.server_id else None
        plan = servers.pin_plan(session=session, seller_id=seller_id, server_pool_id=entry_id,
                                plan_id=decode_id(input.plan_id, "Plan", field="planId"))
        entry = session.get(ServerPoolEntryModel, plan.server_pool_id) if plan.server_pool_id else None
        return build_pool_entry(entry) if entry else None

    return await mutate(info, PlanServerPinPayload, work, lambda entry: PlanServerPinPayload(server=entry))


async def ssl_certificate_add(info: Info, input: SslCertificateAddInput) -> SslCertificatePayload:
    seller_id = info.context.tenant.seller_id
    return await mutate(info, SslCertificatePayload, lambda s: build_certificate(certificates.add(
        session=s, seller_id=seller_id, name=input.name, certificate_pem=input.certificate_pem,
        private_key_pem=input.private_key_pem)), lambda built: SslCertificatePayload(certificate=built))


async def ssl_certificate_delete(info: Info, input: SslCertificateIdInput) -> SslCertificateDeletePayload:
    seller_id = info.context.tenant.seller_id
    return await mutate(
        info, SslCertificateDeletePayload, lambda s: certificates.delete(
            session=s, seller_id=seller_id, certificate_id=decode_id(input.id, "SslCertificate")),
        lambda deleted: SslCertificateDeletePayload(deleted_id=strawberry.ID(encode_id("SslCertificate", deleted))))
