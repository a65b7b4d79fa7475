"""A reseller's allocation against its subscriptions: counts, sums of limits, overselling (SPEC §2).

Every check runs after locking the reseller's allocation row, so concurrent creations and plan
changes of one reseller are serialised and the limits hold exactly.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from comptoir.errors import DomainError
from comptoir.hosting.errors import HostingErrorCode as E
from comptoir.hosting.models import Subscription
from comptoir.hosting.plan_values import PLAN_RESOURCES, PlanValues
from comptoir.hosting.vocabulary import Resource
from comptoir.tenancy.allocation import ResellerOnlyPermission
from comptoir.tenancy.models import Customer, ResellerAllocation

UNLIMITED = None


def lock_allocation(session: Session, seller_id: uuid.UUID) -> ResellerAllocation | None:
    """The reseller's allocation, row-locked for the rest of the transaction; None for the provider."""
    return session.scalars(
        select(ResellerAllocation).where(ResellerAllocation.seller_id == seller_id).with_for_update()
    ).one_or_none()


def _sum_limit(resource: Resource) -> tuple[object, object]:
    # Resource values come from our enum, never from input, so the JSON path can be literal.
    key = resource.value
    return (
        func.coalesce(func.sum(text(f"(subscriptions.values->'limits'->>'{key}')::bigint")), 0),
        func.bool_or(text(f"coalesce(subscriptions.values->'limits'->'{key}' = 'null'::jsonb, false)")),
    )


def committed_limits(session: Session, seller_id: uuid.UUID, *, excluding: uuid.UUID | None = None
                     ) -> dict[Resource, int | None]:
    """Sum of each resource's limit over the seller's subscriptions (None when one is unlimited)."""
    selected = []
    for resource in PLAN_RESOURCES:
        selected.extend(_sum_limit(resource))
    statement = select(*selected).select_from(Subscription).where(Subscription.seller_id == seller_id)
    if excluding is not None:
        statement = statement.where(Subscription.id != excluding)
    row = session.execute(statement).one()
    sums: dict[Resource, int | None] = {}
    for index, resource in enumerate(PLAN_RESOURCES):
        total, any_unlimited = row[2 * index], row[2 * index + 1]
        sums[resource] = UNLIMITED if any_unlimited else int(total)
    return sums


def available_limits(allocation: ResellerAllocation, committed: Mapping[Resource, int | None]
                     ) -> dict[Resource, int | None]:
    """What one more subscription may still get of each finite allocated resource (no overselling)."""
    available: dict[Resource, int | None] = {}
    for resource in PLAN_RESOURCES:
        allocated = allocation.limits.get(resource.value)
        if allocated is None:
            continue
        used = committed.get(resource, 0)
        available[resource] = 0 if used is None else max(allocated - used, 0)
    return available


def exceeded(values: PlanValues, available: Mapping[Resource, int | None]) -> list[tuple[Resource, int | None, int]]:
    """(resource, wanted, available) for each limit the allocation cannot cover."""
    found = []
    for resource, room in available.items():
        wanted = values.limit(resource)
        if room is not None and (wanted is None or wanted > room):
            found.append((resource, wanted, room))
    return found


def subscription_count(session: Session, seller_id: uuid.UUID) -> int:
    return session.scalar(select(func.count()).select_from(Subscription).where(
        Subscription.seller_id == seller_id)) or 0


def check_new_subscription(session: Session, *, seller_id: uuid.UUID, values: PlanValues) -> None:
    """Refuse a subscription the reseller's allocation cannot hold; the provider is unbounded."""
    allocation = lock_allocation(session, seller_id)
    if allocation is None:
        return
    if not allocation.permissions.get(ResellerOnlyPermission.CREATE_SUBSCRIPTIONS.value):
        raise DomainError(E.NOT_PERMITTED, "Your allocation does not let you create subscriptions.")
    maximum = allocation.limits.get(Resource.SUBSCRIPTIONS.value)
    if maximum is not None and subscription_count(session, seller_id) >= maximum:
        raise DomainError(E.SUBSCRIPTION_LIMIT_REACHED, f"Your allocation allows {maximum} subscriptions.")
    if allocation.overselling_allowed:
        return
    problems = exceeded(values, available_limits(allocation, committed_limits(session, seller_id)))
    if problems:
        resource, wanted, room = problems[0]
        raise DomainError(
            E.ALLOCATION_EXCEEDED,
            f"{resource.name}: the plan needs {'unlimited' if wanted is None else wanted},"
            f" {room} remain in your allocation (overselling is not allowed).",
            field="planId",
        )


def room_for_change(session: Session, *, seller_id: uuid.UUID, subscription_id: uuid.UUID
                    ) -> dict[Resource, int | None]:
    """What a subscription may have of each resource without overselling (others' limits kept)."""
    allocation = lock_allocation(session, seller_id)
    if allocation is None or allocation.overselling_allowed:
        return {}
    return available_limits(allocation, committed_limits(session, seller_id, excluding=subscription_id))


def check_new_customer(session: Session, *, seller_id: uuid.UUID) -> None:
    allocation = lock_allocation(session, seller_id)
    if allocation is None:
        return
    if not allocation.permissions.get(ResellerOnlyPermission.CREATE_CUSTOMERS.value):
        raise DomainError(E.NOT_PERMITTED, "Your allocation does not let you create customer accounts.")
    maximum = allocation.limits.get(Resource.CUSTOMERS.value)
    count = session.scalar(select(func.count()).select_from(Customer).where(Customer.seller_id == seller_id)) or 0
    if maximum is not None and count >= maximum:
        raise DomainError(E.CUSTOMER_LIMIT_REACHED, f"Your allocation allows {maximum} customers.")


