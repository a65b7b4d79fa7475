"""A reseller's allocation against its subscriptions: counts, sums of limits, overselling (SPEC §2).

Without overselling, the sum of the limits given to subscriptions may not pass the allocation. With
overselling, the reseller is bound by actual usage (hosting.usage): a new subscription or a raised limit
is refused only once actual usage of that resource has reached the allocation. Mailbox size is a cap
per mailbox in either case (SPEC §4.2): never summed, a plan may not offer more than it.

Every check runs after locking the reseller's allocation row, so concurrent creations and plan
changes of one reseller are serialised and the limits hold exactly.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from comptoir.errors import DomainError
from comptoir.hosting import usage
from comptoir.hosting.errors import HostingErrorCode as E
from comptoir.hosting.models import Subscription
from comptoir.hosting.plan_values import PLAN_RESOURCES, PlanValues, from_json
from comptoir.hosting.vocabulary import Resource
from comptoir.tenancy.allocation import ResellerOnlyPermission
from comptoir.tenancy.models import Customer, ResellerAllocation

UNLIMITED = None
# Resources whose allocation caps each item instead of bounding a sum.
CAPS = (Resource.MAILBOX_SIZE,)
SUMMED = tuple(r for r in PLAN_RESOURCES if r not in CAPS)


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
        if resource in CAPS:
            available[resource] = allocated
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
        problems = exceeded(values, caps(allocation)) + _usage_reached(session, allocation, values)
        detail = "actual usage has reached your allocation"
    else:
        problems = exceeded(values, available_limits(allocation, committed_limits(session, seller_id)))
        detail = "overselling is not allowed"
    if problems:
        resource, wanted, room = problems[0]
        raise DomainError(
            E.ALLOCATION_EXCEEDED,
            f"{resource.name}: the plan needs {'unlimited' if wanted is None else wanted},"
            f" {room} remain in your allocation ({detail}).",
            field="planId",
        )


def caps(allocation: ResellerAllocation) -> dict[Resource, int | None]:
    """The per-item caps of the allocation (a finite mailbox size)."""
    return {r: allocation.limits[r.value] for r in CAPS if allocation.limits.get(r.value) is not None}


def _reached(session: Session, allocation: ResellerAllocation) -> list[Resource]:
    """With overselling: the finite summed resources whose actual usage has reached the allocation."""
    actual = usage.seller_figures(session, allocation.seller_id)
    return [resource for resource in SUMMED if allocation.limits.get(resource.value) is not None
            and actual.get(resource, 0) >= allocation.limits[resource.value]]


def _usage_reached(session: Session, allocation: ResellerAllocation, values: PlanValues
                   ) -> list[tuple[Resource, int | None, int]]:
    """The reached resources the plan gives some of, as (resource, wanted, 0 remaining)."""
    return [(resource, values.limit(resource), 0) for resource in _reached(session, allocation)
            if values.limit(resource) != 0]


def room_for_change(session: Session, *, seller_id: uuid.UUID, subscription_id: uuid.UUID
                    ) -> dict[Resource, int | None]:
    """What a subscription may have of each resource: without overselling, what others' limits leave;
    with it, the caps, and no more than it has of a resource whose actual usage reached the allocation."""
    allocation = lock_allocation(session, seller_id)
    if allocation is None:
        return {}
    if not allocation.overselling_allowed:
        return available_limits(allocation, committed_limits(session, seller_id, excluding=subscription_id))
    current = session.scalar(select(Subscription.values).where(Subscription.id == subscription_id))
    current_values = from_json(current) if current is not None else PlanValues()
    return caps(allocation) | {r: current_values.limit(r) for r in _reached(session, allocation)}


def check_plan_caps(session: Session, *, seller_id: uuid.UUID, values: PlanValues, addon: bool = False) -> None:
    """A plan may not offer a larger mailbox than the reseller's allocation allows (SPEC §4.2)."""
    allocation = session.scalars(select(ResellerAllocation).where(
        ResellerAllocation.seller_id == seller_id)).one_or_none()
    if allocation is None:
        return
    defined = values.limits_map()
    for resource, cap in caps(allocation).items():
        if addon and resource not in defined:
            continue  # an add-on that does not define it adds nothing
        wanted = defined.get(resource, 0)
        if cap is not None and (wanted is None or wanted > cap):
            raise DomainError(E.MAILBOX_SIZE_OVER_CAP,
                              f"{resource.name}: at most {cap} MB per mailbox in your allocation; the plan offers "
                              f"{'unlimited' if wanted is None else wanted}.", field="values.limits")


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


