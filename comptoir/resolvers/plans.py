"""Resolvers for service and add-on plans, and the background jobs their "Update & Sync" starts."""

from __future__ import annotations

import uuid

import strawberry
from sqlalchemy.orm import Session
from strawberry.types import Info

from comptoir.errors import DomainError
from comptoir.hosting import plan_values as pv
from comptoir.hosting import (
    plans,
    sync,
)
from comptoir.schema.base import (
    mutate,
    selects,
)
from comptoir.schema.hosting import BackgroundJob, Plan, PlanKind
from comptoir.schema.hosting_api import (
    PlanCreateInput,
    PlanDeletePayload,
    PlanIdInput,
    PlanPayload,
    PlanSyncMode,
    PlanUpdateInput,
    PlanUpdatePayload,
)
from comptoir.schema.ids import decode_id, encode_id

# ---- plans ---------------------------------------------------------------------------------

async def plans_list(info: Info, kind: PlanKind | None = None, search: str | None = None) -> list[Plan]:
    seller_id = info.context.tenant.seller_id

    def load(session: Session) -> list[Plan]:
        rows = plans.list_plans(session, seller_id=seller_id, kind=plans.PlanKind(kind.value) if kind else None,
                                search=search)
        return [Plan.from_model(r) for r in rows]

    found = await info.context.run(load)
    if selects(info, "subscriptionCount"):
        await info.context.loaders.plan_usage.warm([p.model.id for p in found])
    return found


async def load_plan(info: Info, plan_id: uuid.UUID) -> Plan | None:
    return await info.context.loaders.plans.load(plan_id)  # type: ignore[no-any-return]


async def plan(info: Info, id: strawberry.ID) -> Plan | None:
    try:
        return await load_plan(info, decode_id(id, "Plan"))
    except DomainError:
        return None


async def _plan_payload(info: Info, plan_id: uuid.UUID) -> PlanPayload:
    return PlanPayload(plan=await load_plan(info, plan_id))


async def plan_create(info: Info, input: PlanCreateInput) -> PlanPayload:
    seller_id = info.context.tenant.seller_id
    base = pv.default_plan_values() if input.kind is PlanKind.SERVICE else pv.PlanValues()
    return await mutate(info, PlanPayload, lambda s: plans.create(
        session=s, seller_id=seller_id, kind=plans.PlanKind(input.kind.value), name=input.name,
        values=input.values.apply(base) if input.values else base), lambda plan: _plan_payload(info, plan.id))


async def plan_update(info: Info, input: PlanUpdateInput) -> PlanUpdatePayload:
    """ "OK" when no subscription uses the plan; "Update & Sync" pushes the change to its subscriptions."""

    def work(session: Session) -> tuple[uuid.UUID, sync.SyncOutcome]:
        plan_id = decode_id(input.id, "Plan")
        current = plans.values_of(plans.get_or_raise(session, plan_id=plan_id))
        updated = plans.update(session=session, plan_id=plan_id, name=input.name,
                               values=input.values.apply(current) if input.values else None)
        return updated.id, sync.update_and_sync(session, plan_id=updated.id)

    async def done(result: tuple[uuid.UUID, sync.SyncOutcome]) -> PlanUpdatePayload:
        plan_id, outcome = result
        return PlanUpdatePayload(
            plan=await load_plan(info, plan_id),
            mode=PlanSyncMode.UPDATE_AND_SYNC if outcome.subscriptions else PlanSyncMode.OK,
            synced_subscriptions=outcome.subscriptions - outcome.unsynced if outcome.job_id is None else 0,
            unsynced_subscriptions=outcome.unsynced,
            job=await load_job(info, outcome.job_id) if outcome.job_id else None,
        )

    return await mutate(info, PlanUpdatePayload, work, done)


async def plan_accept_available_values(info: Info, input: PlanIdInput) -> PlanUpdatePayload:
    async def done(result: tuple[uuid.UUID, sync.SyncOutcome]) -> PlanUpdatePayload:
        plan_id, outcome = result
        return PlanUpdatePayload(plan=await load_plan(info, plan_id), mode=PlanSyncMode.UPDATE_AND_SYNC,
                                 synced_subscriptions=outcome.subscriptions - outcome.unsynced,
                                 unsynced_subscriptions=outcome.unsynced,
                                 job=await load_job(info, outcome.job_id) if outcome.job_id else None)

    return await mutate(info, PlanUpdatePayload, lambda s: (decode_id(input.id, "Plan"), sync.accept_available_for_plan(
        s, plan_id=decode_id(input.id, "Plan"))), done)


async def plan_delete(info: Info, input: PlanIdInput) -> PlanDeletePayload:
    return await mutate(info, PlanDeletePayload, lambda s: plans.delete(session=s, plan_id=decode_id(input.id, "Plan")),
                        lambda deleted: PlanDeletePayload(deleted_id=strawberry.ID(encode_id("Plan", deleted))))


async def plan_duplicate(info: Info, input: PlanIdInput) -> PlanPayload:
    return await mutate(info, PlanPayload, lambda s: plans.duplicate(session=s, plan_id=decode_id(input.id, "Plan")),
                        lambda plan: _plan_payload(info, plan.id))


async def load_job(info: Info, job_id: uuid.UUID) -> BackgroundJob | None:
    job = await info.context.loaders.jobs.load(job_id)
    return BackgroundJob.from_model(job) if job else None


async def background_job(info: Info, id: strawberry.ID) -> BackgroundJob | None:
    try:
        return await load_job(info, decode_id(id, "BackgroundJob"))
    except DomainError:
        return None
