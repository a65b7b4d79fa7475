"""The floor of the hosting benchmark: a reseller's 50-subscription page, same shape as the application's
answer (plan, add-ons, customer, address, sites, PHP settings, effective values), from in-memory objects
with plain fields. The page is computed once, as the seeded database holds it (bench/hosting.py)."""

from __future__ import annotations

import enum
import uuid
from typing import Any

import strawberry

from comptoir.hosting import plan_values as pv
from comptoir.hosting import rules
from comptoir.hosting.inspection import SERVER_PHP_DEFAULTS

PAGE_SIZE = 50


@strawberry.enum
class SubscriptionStatus(enum.Enum):
    ACTIVE = "active"


@strawberry.enum
class SyncState(enum.Enum):
    SYNCED = "synced"


ValueOrigin = strawberry.enum(rules.Origin, name="ValueOrigin")
PhpLevel = strawberry.enum(rules.PhpLevelKind, name="PhpLevel")


@strawberry.type
class Plan:
    id: strawberry.ID
    name: str


@strawberry.type
class Customer:
    id: strawberry.ID
    contact_name: str
    email: str


@strawberry.type
class Site:
    id: strawberry.ID
    domain_name: str


@strawberry.type
class EffectiveValue:
    property: str
    value: str
    origin: ValueOrigin  # type: ignore[valid-type]
    source_name: str | None


@strawberry.type
class EffectivePhpDirective:
    directive: str
    value: str
    level: PhpLevel  # type: ignore[valid-type]
    level_name: str
    runtime_changeable: bool


@strawberry.type
class Subscription:
    id: strawberry.ID
    name: str
    domain_name: str
    status: SubscriptionStatus
    sync_state: SyncState
    ip_address: str | None
    plan: Plan | None
    addons: list[Plan]
    customer: Customer | None
    sites: list[Site]
    php_settings: list[EffectivePhpDirective]
    effective_values: list[EffectiveValue]


@strawberry.type
class SubscriptionEdge:
    cursor: str
    node: Subscription


@strawberry.type
class SubscriptionConnection:
    edges: list[SubscriptionEdge]
    total_count: int | None


def _id(kind: str) -> strawberry.ID:
    return strawberry.ID(f"{kind}:{uuid.uuid4()}")


def _effective(plan_name: str) -> list[EffectiveValue]:
    import json

    def text(value: Any) -> str:
        if isinstance(value, enum.Enum):
            value = value.value
        elif isinstance(value, frozenset | set | tuple):
            value = sorted(getattr(v, "value", v) for v in value)
        return json.dumps(value)

    return [EffectiveValue(property=name, value=text(value), origin=rules.Origin.PLAN, source_name=plan_name)
            for name, value in rules.flatten(pv.default_plan_values()).items()]


def _php() -> list[EffectivePhpDirective]:
    return [EffectivePhpDirective(directive=name, value=value, level=rules.PhpLevelKind.SERVER, level_name="server",
                                  runtime_changeable=True) for name, value in sorted(SERVER_PHP_DEFAULTS.items())]


def build_page(per_reseller: int) -> SubscriptionConnection:
    """As bench/hosting.py seeds a reseller: 3 plans in turn, an add-on on every 4th, a customer per 10."""
    plans = [Plan(id=_id("Plan"), name=name) for name in ("Bronze", "Silver", "Gold")]
    addons = [Plan(id=_id("Plan"), name=name) for name in ("Extra Mail", "Extra Disk")]
    customers = [Customer(id=_id("Customer"), contact_name=f"Customer 000-{k:04}", email=f"c000-{k:04}@c.test")
                 for k in range(max(1, -(-per_reseller // 10)))]
    effective = {p.name: _effective(p.name) for p in plans}
    php = _php()
    edges = []
    for i in range(PAGE_SIZE):
        plan = plans[i % 3]
        domain = f"r000-s{i:06}.example.com"
        node = Subscription(
            id=_id("Subscription"), name=f"{domain} ({plan.name})", domain_name=domain,
            status=SubscriptionStatus.ACTIVE, sync_state=SyncState.SYNCED, ip_address="10.0.0.1", plan=plan,
            addons=[addons[(i // 4) % 2]] if i % 4 == 0 else [], customer=customers[i % len(customers)], sites=[],
            php_settings=php, effective_values=effective[plan.name])
        edges.append(SubscriptionEdge(cursor=str(i), node=node))
    return SubscriptionConnection(edges=edges, total_count=per_reseller)
