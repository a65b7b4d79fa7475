"""Hosting servers (SPEC §4.11): the provider registers them and assigns them to resellers; placement puts
a new subscription on the server its plan pins, else on the least-loaded one of its seller's pool that
can provide the plan; a subscription's unsynced state and its webspace follow ITS server.

Like IP addresses, a server lives in the provider's tenant and each seller uses it through an entry of
its own pool (`server_pool`, a copy the provider keeps in step). A seller without any entry uses the
default server: the driver COMPTOIR_HOSTING_AGENT names, with that driver's capabilities.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ARRAY, Uuid, cast, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session

from comptoir.errors import DomainError, ErrorCode
from comptoir.hosting import rules
from comptoir.hosting.errors import HostingErrorCode
from comptoir.hosting.models import ServicePlan, Subscription
from comptoir.hosting.plan_values import PhpHandler, PlanValues, ScriptingLanguage
from comptoir.hosting.server_models import HostingServer, ServerPoolEntry
from comptoir.provisioning import hosting_agent
from comptoir.provisioning.hosting_agent import (
    DRIVERS,
    AgentCapabilities,
    HostingAgent,
    OsFamily,
    agent_for_driver,
)
from comptoir.tenancy.models import Seller


class ServerErrorCode(ErrorCode):
    NOT_FOUND = "not_found"
    INVALID_NAME = "invalid_name"
    NAME_TAKEN = "name_taken"
    UNKNOWN_DRIVER = "unknown_driver"
    INVALID_CAPACITY = "invalid_capacity"
    INVALID_CAPABILITIES = "invalid_capabilities"
    RESELLER_NOT_FOUND = "reseller_not_found"
    ALREADY_ASSIGNED = "already_assigned"
    NOT_ASSIGNED = "not_assigned"
    SERVER_IN_USE = "server_in_use"


E = ServerErrorCode


# ---- capabilities as stored ------------------------------------------------------------------------

@dataclass(frozen=True)
class ServerCapabilities:
    """What a server declares it provides; None fields fall back to its driver's own."""

    hard_disk_quota: bool | None = None
    php_handlers: frozenset[PhpHandler] | None = None
    php_versions: tuple[str, ...] | None = None
    scripting: frozenset[ScriptingLanguage] | None = None
    max_disk_space: int | None = None


def capabilities_json(declared: ServerCapabilities) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if declared.hard_disk_quota is not None:
        found["hard_disk_quota"] = declared.hard_disk_quota
    if declared.php_handlers is not None:
        found["php_handlers"] = sorted(h.value for h in declared.php_handlers)
    if declared.php_versions is not None:
        found["php_versions"] = list(declared.php_versions)
    if declared.scripting is not None:
        found["scripting"] = sorted(s.value for s in declared.scripting)
    if declared.max_disk_space is not None:
        found["max_disk_space"] = declared.max_disk_space
    return found


def agent_capabilities(driver: str, os_family: str, stored: Mapping[str, Any]) -> AgentCapabilities:
    """A server's capabilities: its driver's, overridden by what the provider declared."""
    base = agent_for_driver(driver).capabilities()
    return AgentCapabilities(
        os_family=OsFamily(os_family),
        hard_disk_quota=stored.get("hard_disk_quota", base.hard_disk_quota),
        php_handlers=frozenset(PhpHandler(h) for h in stored["php_handlers"]) if "php_handlers" in stored
        else base.php_handlers,
        php_versions=tuple(stored.get("php_versions", base.php_versions)),
        scripting=frozenset(ScriptingLanguage(s) for s in stored["scripting"]) if "scripting" in stored
        else base.scripting,
        max_disk_space=stored.get("max_disk_space", base.max_disk_space),
    )


def capabilities_of(entry: ServerPoolEntry | None) -> AgentCapabilities:
    if entry is None:
        return hosting_agent.get_hosting_agent().capabilities()
    return agent_capabilities(entry.driver, entry.os_family, entry.capabilities)


def agent_for(entry: ServerPoolEntry | None) -> HostingAgent:
    """The driver that serves subscriptions placed on `entry` (None: the default server)."""
    if entry is None:
        return hosting_agent.get_hosting_agent()
    return agent_for_driver(entry.driver, capabilities=capabilities_of(entry))


def server_of(session: Session, subscription: Subscription) -> ServerPoolEntry | None:
    if subscription.server_pool_id is None:
        return None
    return session.get(ServerPoolEntry, subscription.server_pool_id)


def conflicts_on_server(subscription: Subscription | None, values: PlanValues) -> list[rules.Conflict]:
    """What the subscription's own server cannot provide of `values` (no subscription: the default server)."""
    session = object_session(subscription) if subscription is not None else None
    entry = server_of(session, subscription) if session is not None and subscription is not None else None
    return capabilities_of(entry).conflicts(rules.flatten(values))


# ---- the provider's servers ------------------------------------------------------------------------

def _check_name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= 255 or not name.isprintable():
        raise DomainError(E.INVALID_NAME, "Give the server a name of 1 to 255 printable characters.", field="name")
    return name


def _check_setup(driver: str, capacity: int | None, declared: ServerCapabilities) -> None:
    if driver not in DRIVERS:
        raise DomainError(E.UNKNOWN_DRIVER, f"Choose a driver among {', '.join(DRIVERS)}.", field="driver")
    if capacity is not None and not 0 <= capacity <= 10_000_000:
        raise DomainError(E.INVALID_CAPACITY, "The capacity is a number of subscriptions, 0 or more.",
                          field="capacity")
    if declared.max_disk_space is not None and declared.max_disk_space < 0:
        raise DomainError(E.INVALID_CAPABILITIES, "The disk ceiling is a number of MB.", field="capabilities")
    if declared.php_versions is not None and any(not v or len(v) > 16 for v in declared.php_versions):
        raise DomainError(E.INVALID_CAPABILITIES, "PHP versions look like 8.3.", field="capabilities")


def get_or_raise(session: Session, *, server_id: uuid.UUID, for_update: bool = False) -> HostingServer:
    statement = select(HostingServer).where(HostingServer.id == server_id)
    server = session.scalars(statement.with_for_update() if for_update else statement).one_or_none()
    if server is None:
        raise DomainError(E.NOT_FOUND, "No such hosting server.", field="id")
    return server


def register(*, session: Session, provider_id: uuid.UUID, name: str, driver: str, os_family: OsFamily,
             capabilities: ServerCapabilities, capacity: int | None = None, is_default: bool = False
             ) -> HostingServer:
    """Register a server; it enters the provider's own pool."""
    _check_setup(driver, capacity, capabilities)
    server = HostingServer(seller_id=provider_id, name=_check_name(name), driver=driver, os_family=os_family.value,
                           capabilities=capabilities_json(capabilities), capacity=capacity, is_default=is_default)
    session.add(server)
    _flush_named(session)
    session.add(_entry_for(server, provider_id))
    session.flush()
    return server


def _flush_named(session: Session) -> None:
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as error:
        if "hosting_servers_seller_id_name_key" in str(error.orig):
            raise DomainError(E.NAME_TAKEN, "A server has this name already.", field="name") from None
        raise


def _entry_for(server: HostingServer, seller_id: uuid.UUID) -> ServerPoolEntry:
    return ServerPoolEntry(seller_id=seller_id, server_id=server.id, name=server.name, driver=server.driver,
                           os_family=server.os_family, capabilities=server.capabilities, capacity=server.capacity)


def update_server(*, session: Session, server_id: uuid.UUID, name: str | None = None,
                  capabilities: ServerCapabilities | None = None, capacity: int | None = None,
                  unlimited_capacity: bool = False) -> HostingServer:
    """Change a server's name, declared capabilities or capacity; every seller's entry follows."""
    server = get_or_raise(session, server_id=server_id, for_update=True)
    new_capacity = None if unlimited_capacity else capacity if capacity is not None else server.capacity
    _check_setup(server.driver, new_capacity, capabilities or ServerCapabilities())
    if name is not None:
        server.name = _check_name(name)
    if capabilities is not None:
        server.capabilities = capabilities_json(capabilities)
    server.capacity = new_capacity
    _flush_named(session)
    session.execute(update(ServerPoolEntry).where(ServerPoolEntry.server_id == server.id).values(
        name=server.name, capabilities=server.capabilities, capacity=server.capacity))
    return server


def assign(*, session: Session, server_id: uuid.UUID, reseller_id: uuid.UUID) -> ServerPoolEntry:
    """Let a reseller place subscriptions on the server: an entry in the reseller's pool."""
    server = get_or_raise(session, server_id=server_id, for_update=True)
    reseller = session.get(Seller, reseller_id)
    if reseller is None or reseller.kind != "reseller":
        raise DomainError(E.RESELLER_NOT_FOUND, "No such reseller.", field="resellerId")
    if session.scalar(select(ServerPoolEntry.id).where(ServerPoolEntry.server_id == server.id,
                                                       ServerPoolEntry.seller_id == reseller_id)):
        raise DomainError(E.ALREADY_ASSIGNED, "This server is already assigned to this reseller.",
                          field="resellerId")
    entry = _entry_for(server, reseller_id)
    session.add(entry)
    session.flush()
    return entry


def unassign(*, session: Session, server_id: uuid.UUID, reseller_id: uuid.UUID) -> HostingServer:
    """Take a server back from a reseller none of whose subscriptions or plans use it."""
    server = get_or_raise(session, server_id=server_id, for_update=True)
    entry = session.scalars(select(ServerPoolEntry).where(ServerPoolEntry.server_id == server.id,
                                                          ServerPoolEntry.seller_id == reseller_id)).one_or_none()
    if entry is None or reseller_id == server.seller_id:
        raise DomainError(E.NOT_ASSIGNED, "This server is not assigned to this reseller.", field="resellerId")
    _refuse_if_used(session, [entry.id])
    session.delete(entry)
    session.flush()
    return server


def delete_server(*, session: Session, server_id: uuid.UUID) -> uuid.UUID:
    server = get_or_raise(session, server_id=server_id, for_update=True)
    entry_ids = list(session.scalars(select(ServerPoolEntry.id).where(ServerPoolEntry.server_id == server.id)))
    _refuse_if_used(session, entry_ids)
    session.execute(delete(ServerPoolEntry).where(ServerPoolEntry.id.in_(entry_ids)))
    session.delete(server)
    session.flush()
    return server_id


def _refuse_if_used(session: Session, entry_ids: Sequence[uuid.UUID]) -> None:
    subscriptions = session.scalar(select(func.count()).select_from(Subscription).where(
        Subscription.server_pool_id.in_(entry_ids))) or 0
    pinned = session.scalar(select(func.count()).select_from(ServicePlan).where(
        ServicePlan.server_pool_id.in_(entry_ids))) or 0
    if subscriptions or pinned:
        raise DomainError(E.SERVER_IN_USE, f"{subscriptions} subscription(s) and {pinned} plan(s) use this server.",
                          field="id")


def list_servers(session: Session, *, provider_id: uuid.UUID) -> list[HostingServer]:
    return list(session.scalars(select(HostingServer).where(HostingServer.seller_id == provider_id)
                                .order_by(HostingServer.name, HostingServer.id)))


def pool_of(session: Session, *, seller_id: uuid.UUID) -> list[ServerPoolEntry]:
    return list(session.scalars(select(ServerPoolEntry).where(ServerPoolEntry.seller_id == seller_id)
                                .order_by(ServerPoolEntry.name, ServerPoolEntry.id)))


def get_entry_or_raise(session: Session, *, entry_id: uuid.UUID, seller_id: uuid.UUID,
                       field_name: str = "serverId") -> ServerPoolEntry:
    entry = session.scalars(select(ServerPoolEntry).where(ServerPoolEntry.id == entry_id,
                                                          ServerPoolEntry.seller_id == seller_id)).one_or_none()
    if entry is None:
        raise DomainError(E.NOT_FOUND, "No such server in your pool.", field=field_name)
    return entry


def pin_plan(*, session: Session, seller_id: uuid.UUID, plan_id: uuid.UUID,
             server_pool_id: uuid.UUID | None) -> ServicePlan:
    """Pin a plan's new subscriptions to one server of the seller's pool (None: placement chooses)."""
    plan = session.scalars(select(ServicePlan).where(ServicePlan.id == plan_id, ServicePlan.seller_id == seller_id,
                                                     ServicePlan.kind == "service")).one_or_none()
    if plan is None:
        raise DomainError(E.NOT_FOUND, "No such service plan.", field="planId")
    if server_pool_id is not None:
        get_entry_or_raise(session, entry_id=server_pool_id, seller_id=seller_id)
    plan.server_pool_id = server_pool_id
    session.flush()
    return plan


# ---- placement ---------------------------------------------------------------------------------------

def place(session: Session, *, seller_id: uuid.UUID, plan_id: uuid.UUID | None, values: PlanValues
          ) -> ServerPoolEntry | None:
    """The server a new subscription goes to: the plan's pinned one, else the least-loaded server of the
    seller's pool that can provide `values` (else the least-loaded with room: it starts unsynced).
    None: the seller has no server of its own, the default server takes it."""
    pinned = session.scalar(select(ServicePlan.server_pool_id).where(ServicePlan.id == plan_id)) if plan_id else None
    pool = [session.get_one(ServerPoolEntry, pinned)] if pinned else pool_of(session, seller_id=seller_id)
    if not pool:
        return None
    flat = rules.flatten(values)
    fitting = [entry for entry in pool if not capabilities_of(entry).conflicts(flat)]
    chosen = _least_loaded(session, fitting) or _least_loaded(session, pool)
    if chosen is None:
        raise DomainError(HostingErrorCode.NO_SERVER_AVAILABLE,
                          "Every hosting server that could take this subscription is full.", field="planId")
    return chosen


def _least_loaded(session: Session, entries: Sequence[ServerPoolEntry]) -> ServerPoolEntry | None:
    if not entries:
        return None
    # Loads count every tenant's subscriptions: only the narrow definer function sees them all. Placements
    # on the same servers take turns (locks in id order, held to commit), so a capacity holds under
    # concurrent creations: each counts what the previous one committed.
    server_ids = sorted({entry.server_id for entry in entries})
    for server_id in server_ids:
        session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(f"server:{server_id}", 0))))
    chosen = session.scalar(select(func.comptoir_least_loaded_server(cast(server_ids, ARRAY(Uuid)))))
    return next((entry for entry in entries if entry.server_id == chosen), None)
