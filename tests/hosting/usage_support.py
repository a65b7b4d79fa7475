"""Builders for usage tests: a reseller with a customer, subscriptions with real webspaces, the sandbox clock."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from comptoir import clock
from comptoir.automation import intents, sandbox
from comptoir.database.engine import session_scope
from comptoir.hosting import plan_values as pv
from comptoir.hosting.models import Subscription
from comptoir.hosting.vocabulary import Resource
from comptoir.messaging.models import OutboundEmail
from comptoir.provisioning.hosting_agent import WebspaceUsage
from comptoir.provisioning.local_agent import LocalDirectoryAgent
from comptoir.tenancy.allocation import ResellerOnlyPermission
from comptoir.tenancy.context import Role, TenantContext
from comptoir.tenancy.models import ResellerAllocation
from tests import factories
from tests.hosting.support import plan, pool_entry, subscribe, system

MB = 1024 * 1024


@dataclass(frozen=True)
class UsageWorld:
    provider: factories.Actor
    seller: factories.Actor
    customer: factories.Actor
    entry: uuid.UUID
    agent: LocalDirectoryAgent

    def plan(self, name: str = "Small", **values: object) -> uuid.UUID:
        limits = values.pop("limits", {})
        base = pv.default_plan_values()
        return plan(self.seller.seller_id, name, limits=limits,  # type: ignore[arg-type]
                    values=replace(base, **values))  # type: ignore[arg-type]

    def subscribe(self, plan_id: uuid.UUID, **kwargs: object) -> uuid.UUID:
        """A subscription of the customer, its webspace built by the provisioning it requested."""
        kwargs.setdefault("customer_id", self.customer.customer_id)
        subscription_id = subscribe(self.seller.seller_id, self.entry, plan_id=plan_id, **kwargs)
        intents.relay(inline=True)
        return subscription_id

    def tell(self, subscription_id: uuid.UUID, *, disk_mb: int = 0, traffic_mb: int = 0,
             objects: dict[str, int] | None = None) -> None:
        self.agent.tell_usage(subscription_id, WebspaceUsage(disk_mb * MB, traffic_mb * MB, objects or {}))

    def allocation(self, **changes: object) -> None:
        with session_scope(TenantContext(Role.PROVIDER, self.provider.seller_id)) as session:
            allocation = session.get_one(ResellerAllocation, self.seller.seller_id)
            limits = changes.pop("limits", {})
            allocation.limits = allocation.limits | {r.value: v for r, v in limits.items()}  # type: ignore[attr-defined]
            for name, value in changes.items():
                setattr(allocation, name, value)

    def status(self, subscription_id: uuid.UUID) -> tuple[str, str]:
        with session_scope(system(self.seller.seller_id)) as session:
            row = session.get_one(Subscription, subscription_id)
            return row.status, row.suspension_reason

    def notices(self) -> list[tuple[str, str]]:
        """(address, subject) of the overuse e-mails written so far, oldest first."""
        with session_scope(system(self.seller.seller_id)) as session:
            return [(e.to_address, e.subject) for e in session.scalars(
                select(OutboundEmail).where(OutboundEmail.template == "usage_overuse")
                .order_by(OutboundEmail.created_at, OutboundEmail.to_address))]


def build(monkeypatch, tmp_path, *, limits: list[tuple[Resource, int | None]] | None = None) -> UsageWorld:  # type: ignore[no-untyped-def]
    from comptoir.settings import get_settings

    monkeypatch.setattr(get_settings(), "hosting_agent", "local")
    monkeypatch.setattr(get_settings(), "webspace_root", tmp_path)
    provider = factories.provider()
    seller = factories.reseller(provider, "Alpha", "alpha", limits=limits or [])
    with session_scope(TenantContext(Role.PROVIDER, provider.seller_id)) as session:
        session.get_one(ResellerAllocation, seller.seller_id).permissions = {
            ResellerOnlyPermission.CREATE_SUBSCRIPTIONS.value: True,
            ResellerOnlyPermission.CREATE_CUSTOMERS.value: True, ResellerOnlyPermission.PANEL_ACCESS.value: True}
    entry = pool_entry(provider.seller_id, seller.seller_id)
    customer = factories.customer(seller, "carol", subscribed=False)
    return UsageWorld(provider, seller, customer, entry, LocalDirectoryAgent(tmp_path))


def next_day(world: UsageWorld, hours: int = 1) -> None:
    """Move the sandbox clock past the next midnight (UTC), running what falls due on the way."""
    tomorrow = datetime.combine(clock.now().astimezone(UTC).date() + timedelta(days=1), time(0), UTC)
    sandbox.advance(provider_seller_id=world.provider.seller_id, to=tomorrow + timedelta(hours=hours))
