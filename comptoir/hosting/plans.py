"""Service plans and add-on plans: create, edit ("OK" or "Update & Sync"), delete, duplicate (SPEC §4)."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Sequence

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.errors import DomainError, collect_errors
from comptoir.hosting import plan_values as pv
from comptoir.hosting import capacity, rules
from comptoir.hosting.errors import HostingErrorCode as E
from comptoir.hosting.models import ServicePlan, Subscription, SubscriptionAddon
from comptoir.tenancy.listing import LIKE_ESCAPE, contains_pattern


class PlanKind(enum.Enum):
    SERVICE = "service"
    ADDON = "addon"


def get_or_raise(session: Session, *, plan_id: uuid.UUID, kind: PlanKind | None = None,
                 for_update: bool = False, seller_id: uuid.UUID | None = None, field: str = "id") -> ServicePlan:
    """The plan; with `seller_id`, only one of that seller's: the provider sees every seller's plans, but a
    subscription may only use its own seller's (the database would refuse it at COMMIT, an HTTP 500)."""
    statement = select(ServicePlan).where(ServicePlan.id == plan_id)
    if seller_id is not None:
        statement = statement.where(ServicePlan.seller_id == seller_id)
    if for_update:
        statement = statement.with_for_update()
    plan = session.scalars(statement).one_or_none()
    if plan is None:
        raise DomainError(E.NOT_FOUND, "No such plan.", field=field)
    if kind is PlanKind.SERVICE and plan.kind != "service":
        raise DomainError(E.NOT_A_SERVICE_PLAN, "This is an add-on plan, not a service plan.", field="planId")
    if kind is PlanKind.ADDON and plan.kind != "addon":
        raise DomainError(E.NOT_AN_ADDON, "This is a service plan, not an add-on.", field="addonIds")
    return plan


def values_of(plan: ServicePlan) -> pv.PlanValues:
    return pv.from_json(plan.values)


def _check(name: str, values: pv.PlanValues) -> str:
    """The name as stored; every refused part reported at once, the values' by their path (`values.limits`)."""
    name = name.strip()
    with collect_errors() as errors:
        if not 1 <= len(name) <= 255:
            errors.add(DomainError(E.INVALID_NAME, "Give a name of 1 to 255 characters.", field="name"))
        for resource, limit in values.limits:
            if limit is not None and not 0 <= limit <= 2**31 - 1:
                errors.add(DomainError(E.INVALID_LIMIT, f"{resource.name} must be between 0 and 2147483647.",
                                       field="values.limits"))
        if problem := rules.validity_problem(values.validity):
            errors.add(DomainError(E.INVALID_VALIDITY, problem, field="values.validity"))
        if problems := rules.permission_problems(values.permissions):
            errors.add(DomainError(E.NEEDS_HOSTING_SETTINGS_MANAGEMENT,
                                   f"{', '.join(p.name for p in problems)} need HOSTING_SETTINGS_MANAGEMENT.",
                                   field="values.permissions"))
    return name


def _name_taken(session: Session, seller_id: uuid.UUID, kind: str, name: str, exclude: uuid.UUID | None) -> bool:
    conditions = [ServicePlan.seller_id == seller_id, ServicePlan.kind == kind, ServicePlan.name == name]
    if exclude is not None:
        conditions.append(ServicePlan.id != exclude)
    return bool(session.scalar(select(exists().where(*conditions))))


def create(*, session: Session, seller_id: uuid.UUID, kind: PlanKind, name: str, values: pv.PlanValues) -> ServicePlan:
    name = _check(name, values)
    capacity.check_plan_caps(session, seller_id=seller_id, values=values, addon=kind is PlanKind.ADDON)
    if _name_taken(session, seller_id, kind.value, name, None):
        raise DomainError(E.NAME_TAKEN, f"A plan named {name!r} exists already.", field="name")
    plan = ServicePlan(seller_id=seller_id, kind=kind.value, name=name, values=pv.to_json(values))
    session.add(plan)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # a concurrent create took the name
        raise DomainError(E.NAME_TAKEN, f"A plan named {name!r} exists already.", field="name") from None
    return plan


def subscriptions_using(session: Session, plan: ServicePlan) -> Sequence[uuid.UUID]:
    """Ids of subscriptions on this plan (service) or holding this add-on."""
    if plan.kind == "service":
        statement = select(Subscription.id).where(Subscription.plan_id == plan.id)
    else:
        statement = select(SubscriptionAddon.subscription_id).where(SubscriptionAddon.addon_id == plan.id)
    return list(session.scalars(statement))


def usage_counts(session: Session, plan_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    """How many subscriptions use each plan or add-on (one query per kind, whatever the page size)."""
    counts = dict.fromkeys(plan_ids, 0)
    by_plan = select(Subscription.plan_id, func.count()).where(Subscription.plan_id.in_(plan_ids)).group_by(
        Subscription.plan_id)
    by_addon = select(SubscriptionAddon.addon_id, func.count()).where(
        SubscriptionAddon.addon_id.in_(plan_ids)).group_by(SubscriptionAddon.addon_id)
    for statement in (by_plan, by_addon):
        for plan_id, count in session.execute(statement):
            counts[plan_id] += count
    return counts


def update(*, session: Session, plan_id: uuid.UUID, name: str | None, values: pv.PlanValues | None) -> ServicePlan:
    """Change a plan: "OK" when unused; the caller then runs "Update & Sync" for its subscriptions."""
    plan = get_or_raise(session, plan_id=plan_id, for_update=True)
    new_values = values if values is not None else values_of(plan)
    new_name = _check(name if name is not None else plan.name, new_values)
    if values is not None:
        capacity.check_plan_caps(session, seller_id=plan.seller_id, values=new_values, addon=plan.kind == "addon")
    if new_name != plan.name and _name_taken(session, plan.seller_id, plan.kind, new_name, plan.id):
        raise DomainError(E.NAME_TAKEN, f"A plan named {new_name!r} exists already.", field="name")
    plan.name, plan.values, plan.updated_at = new_name, pv.to_json(new_values), clock.now()
    session.flush()
    return plan


def delete(*, session: Session, plan_id: uuid.UUID) -> uuid.UUID:
    """A plan with at least one subscription cannot be deleted."""
    plan = get_or_raise(session, plan_id=plan_id, for_update=True)
    if subscriptions_using(session, plan):
        raise DomainError(E.PLAN_IN_USE, "Subscriptions use this plan; it cannot be deleted.", field="id")
    session.delete(plan)
    session.flush()
    return plan_id


def duplicate(*, session: Session, plan_id: uuid.UUID, name: str | None = None) -> ServicePlan:
    plan = get_or_raise(session, plan_id=plan_id)
    base = name or f"Copy of {plan.name}"
    candidate, n = base, 1
    while _name_taken(session, plan.seller_id, plan.kind, candidate, None):
        n += 1
        candidate = f"{base} ({n})"
    return create(session=session, seller_id=plan.seller_id, kind=PlanKind(plan.kind), name=candidate[:255],
                  values=values_of(plan))


def list_plans(session: Session, *, seller_id: uuid.UUID, kind: PlanKind | None = None,
               search: str | None = None) -> list[ServicePlan]:
    statement = select(ServicePlan).where(ServicePlan.seller_id == seller_id)
    if kind is not None:
        statement = statement.where(ServicePlan.kind == kind.value)
    if search:
        statement = statement.where(ServicePlan.name.ilike(contains_pattern(search), escape=LIKE_ESCAPE))
    return list(session.scalars(statement.order_by(ServicePlan.kind, ServicePlan.name)))
