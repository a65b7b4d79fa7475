"""Plan "Update & Sync": a changed plan or add-on reaches every synced subscription using it — in the
request's transaction when they are few, else in a tracked background job with progress. The same runs
when the provider changes a reseller's permissions (they cascade into every subscription, SPEC §2)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.database import intents
from comptoir.database.engine import session_scope
from comptoir.database.intents import IntentStatus
from comptoir.hosting import capacity, plans, rules
from comptoir.hosting import plan_values as pv
from comptoir.hosting.models import BackgroundJob, ServicePlan, Subscription, SubscriptionAddon
from comptoir.hosting.provisioning import request_if_changed
from comptoir.hosting.subscriptions import (
    SyncState,
    apply_customization,
    conflict_report,
    reseller_permissions,
    synchronise,
)
from comptoir.hosting.vocabulary import Resource, SubscriptionPermission
from comptoir.tenancy.context import Role, TenantContext

INLINE_LIMIT = 200
BATCH_SIZE = 500


@dataclass(frozen=True)
class SyncOutcome:
    subscriptions: int
    unsynced: int
    job_id: uuid.UUID | None = None


class RoomTracker:
    """The allocation's free room, updated as subscriptions change (one sum query for a whole run)."""

    def __init__(self, session: Session, seller_id: uuid.UUID) -> None:
        allocation = capacity.lock_allocation(session, seller_id)
        self.allocation = None if allocation is None or allocation.overselling_allowed else allocation
        self.committed = capacity.committed_limits(session, seller_id) if self.allocation else {}
        self.reseller_permissions = reseller_permissions(session, seller_id)

    def room_for(self, subscription: Subscription) -> dict[Resource, int | None]:
        if self.allocation is None:
            return {}
        own = pv.from_json(subscription.values)
        others = {r: _minus(total, own.limit(r)) for r, total in self.committed.items()}
        return capacity.available_limits(self.allocation, others)

    def record(self, before: pv.PlanValues, after: pv.PlanValues) -> None:
        for resource, total in list(self.committed.items()):
            self.committed[resource] = _plus(_minus(total, before.limit(resource)), after.limit(resource))


def _minus(total: int | None, part: int | None) -> int | None:
    if total is None:
        return None if part is not None else 0  # an unlimited part was the only unlimited one (best effort)
    return total - (part or 0)


def _plus(total: int | None, part: int | None) -> int | None:
    return None if total is None or part is None else total + part


def affected_ids(session: Session, plan: ServicePlan) -> list[uuid.UUID]:
    """Subscriptions to re-sync: synced and unsynced ones using the plan or add-on (locked ones wait)."""
    statement = select(Subscription.id).where(Subscription.sync_state != SyncState.LOCKED.value)
    if plan.kind == "service":
        statement = statement.where(Subscription.plan_id == plan.id)
    else:
        statement = statement.join(SubscriptionAddon, (SubscriptionAddon.seller_id == Subscription.seller_id)
                                   & (SubscriptionAddon.subscription_id == Subscription.id)).where(
            SubscriptionAddon.addon_id == plan.id)
    return list(session.scalars(statement.order_by(Subscription.id)))


def sync_batch(session: Session, seller_id: uuid.UUID, ids: Sequence[uuid.UUID], tracker: RoomTracker) -> int:
    """Re-sync these subscriptions with plans and add-ons loaded once; returns how many ended unsynced."""
    subscriptions = list(session.scalars(select(Subscription).where(Subscription.id.in_(ids)).with_for_update()))
    addon_rows = session.execute(select(SubscriptionAddon.subscription_id, SubscriptionAddon.addon_id).where(
        SubscriptionAddon.subscription_id.in_(ids)).order_by(SubscriptionAddon.created_at))
    addons_of: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for subscription_id, addon_id in addon_rows:
        addons_of[subscription_id].append(addon_id)
    plan_ids = {s.plan_id for s in subscriptions if s.plan_id} | {a for ids_ in addons_of.values() for a in ids_}
    values = {p.id: plans.values_of(p) for p in session.scalars(select(ServicePlan).where(ServicePlan.id.in_(plan_ids)))}
    unsynced = 0
    for subscription in subscriptions:
        previous_values = subscription.values
        before = pv.from_json(previous_values)
        if subscription.sync_state == SyncState.LOCKED.value:
            withhold(subscription, tracker.reseller_permissions)  # only reached when reseller permissions change
        else:
            synchronise(subscription, _target(subscription, values, addons_of[subscription.id]),
                        tracker.room_for(subscription), tracker.reseller_permissions)
        tracker.record(before, pv.from_json(subscription.values))
        request_if_changed(session, subscription, previous_values=previous_values)
        unsynced += subscription.sync_state == SyncState.UNSYNCED.value
    session.flush()
    return unsynced


def _target(subscription: Subscription, values: dict[uuid.UUID, pv.PlanValues],
            addon_ids: Sequence[uuid.UUID]) -> pv.PlanValues:
    if subscription.plan_id is None:  # custom: the default plan with its own values
        return apply_customization(pv.default_plan_values(), subscription.customization)
    return rules.combine(values[subscription.plan_id], [values[a] for a in addon_ids])


def withhold(subscription: Subscription, reseller: frozenset[SubscriptionPermission] | None) -> None:
    """A locked subscription keeps its values, less what its reseller may no longer give (SPEC §2)."""
    values, withheld = rules.cascade(pv.from_json(subscription.values), reseller)
    if not withheld:
        return
    kept = [c for c in subscription.conflicts if c.get("reason") != rules.ConflictReason.RESELLER_PERMISSION.value]
    subscription.values = pv.to_json(values)
    subscription.conflicts = kept + conflict_report(withheld)
    subscription.updated_at = clock.now()


def update_and_sync(session: Session, *, plan_id: uuid.UUID) -> SyncOutcome:
    """Push the plan's current values to its subscriptions, inline or as a background job."""
    plan = plans.get_or_raise(session, plan_id=plan_id)
    ids = affected_ids(session, plan)
    if len(ids) > INLINE_LIMIT:
        job = BackgroundJob(seller_id=plan.seller_id, kind="plan_sync", subject_id=plan.id, total=len(ids))
        session.add(job)  # an intent: automation runs it once this transaction commits
        session.flush()
        return SyncOutcome(len(ids), 0, job.id)
    unsynced = sync_batch(session, plan.seller_id, ids, RoomTracker(session, plan.seller_id)) if ids else 0
    return SyncOutcome(len(ids), unsynced)


MAX_ATTEMPTS = 5


RESELLER_PERMISSIONS_JOB = "reseller_permissions"


def follow_reseller_permissions(session: Session, *, seller_id: uuid.UUID) -> SyncOutcome:
    """After the provider changed a reseller's permissions: every subscription of the reseller is synced again
    (a locked one only loses what may no longer be given), inline when few, else in a tracked job."""
    ids = list(session.scalars(select(Subscription.id).where(Subscription.seller_id == seller_id)
                               .order_by(Subscription.id)))
    if len(ids) > INLINE_LIMIT:
        job = BackgroundJob(seller_id=seller_id, kind=RESELLER_PERMISSIONS_JOB, subject_id=seller_id, total=len(ids))
        session.add(job)
        session.flush()
        return SyncOutcome(len(ids), 0, job.id)
    unsynced = sync_batch(session, seller_id, ids, RoomTracker(session, seller_id)) if ids else 0
    return SyncOutcome(len(ids), unsynced)


def _job_ids(session: Session, job: BackgroundJob) -> list[uuid.UUID]:
    if job.kind == RESELLER_PERMISSIONS_JOB:
        return list(session.scalars(select(Subscription.id).where(Subscription.seller_id == job.seller_id)
                                    .order_by(Subscription.id)))
    plan = session.get(ServicePlan, job.subject_id)
    return affected_ids(session, plan) if plan else []


def run_plan_sync_job(seller_id: uuid.UUID, job_id: uuid.UUID) -> str:
    """The background side: batches of subscriptions, each batch committed with the job's progress and a
    renewed lease. Resumable: a job whose worker died is handed out again when its lease ends, and
    re-syncing the subscriptions already done changes nothing."""
    context = TenantContext(Role.SYSTEM, seller_id)
    with session_scope(context) as session:
        job = intents.lock(session, BackgroundJob, job_id, skip_locked=True)
        if job is None or job.is_finished:
            return job.status if job else "missing"  # another worker has it, or the work is finished
        job.status, job.attempts = IntentStatus.RUNNING.value, job.attempts + 1
        job.next_attempt_at = func.now() + intents.LEASE
        ids = _job_ids(session, job)
        job.total, job.done = len(ids), 0
    try:
        for start in range(0, len(ids), BATCH_SIZE):
            with session_scope(context) as session:
                sync_batch(session, seller_id, ids[start:start + BATCH_SIZE], RoomTracker(session, seller_id))
                job = session.get_one(BackgroundJob, job_id)
                job.done = min(start + BATCH_SIZE, len(ids))
                job.next_attempt_at = func.now() + intents.LEASE
    except Exception as error:
        with session_scope(context) as session:
            job = session.get_one(BackgroundJob, job_id)
            intents.mark_failed_attempt(job, f"{type(error).__name__}: {error}", max_attempts=MAX_ATTEMPTS)
        raise
    with session_scope(context) as session:
        intents.mark_done(session.get_one(BackgroundJob, job_id))
    return IntentStatus.DONE.value


def accept_available_for_plan(session: Session, *, plan_id: uuid.UUID) -> SyncOutcome:
    """ "Update & Sync" the plan to the available values: every conflict its unsynced subscriptions report
    (limits, hard quota, PHP handler and version, scripting, SSH shell, OS-specific settings) is resolved in
    the plan by the value all of them can have, then the plan is synced."""
    plan = plans.get_or_raise(session, plan_id=plan_id, for_update=True)
    reports = session.scalars(select(Subscription.conflicts).where(
        Subscription.plan_id == plan.id, Subscription.sync_state == SyncState.UNSYNCED.value))
    overrides = rules.plan_overrides(list(reports))
    if overrides:
        plan.values = pv.to_json(apply_customization(plans.values_of(plan), overrides))
        plan.updated_at = clock.now()
        session.flush()
    return update_and_sync(session, plan_id=plan.id)
