"""Measured usage (SPEC §4.12): the daily collection from the hosting agent, and the figures it feeds.

Each day's row holds the disk a subscription's webspace occupies at the end of the day and the traffic
it served during it (the seller's time zone decides where days begin). Collecting is idempotent: the
row of a day is replaced, so a collection run twice, or on demand and then by the daily event, agrees.
Domains are counted from our own sites table (they exist as soon as they are created); the other
objects are what the server reports.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, text
from sqlalchemy.dialects.postgresql import distinct_on, insert
from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.database.engine import session_scope
from comptoir.hosting import servers
from comptoir.hosting.models import Site, Subscription
from comptoir.hosting.server_models import ServerPoolEntry
from comptoir.hosting.usage_models import SubscriptionUsage
from comptoir.hosting.usage_rules import megabytes
from comptoir.hosting.vocabulary import Resource
from comptoir.provisioning.hosting_agent import AgentError, AgentErrorCode, HostingAgent, WebspaceUsage
from comptoir.settings import get_settings
from comptoir.tenancy.context import Role, TenantContext
from comptoir.tenancy.models import Seller

ZERO = WebspaceUsage(disk_bytes=0, traffic_bytes=0)


def seller_zone(session: Session, seller_id: uuid.UUID) -> ZoneInfo:
    return ZoneInfo(session.scalar(select(Seller.timezone).where(Seller.id == seller_id)) or "UTC")


def local_today(session: Session, seller_id: uuid.UUID) -> date:
    return clock.now().astimezone(seller_zone(session, seller_id)).date()


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), zone)
    return start, datetime.combine(day + timedelta(days=1), time(0), zone)


def collect(*, session: Session, seller_id: uuid.UUID, day: date, agent: HostingAgent | None = None
            ) -> dict[str, int]:
    """Store every subscription's usage of `day` (disk as measured now, traffic served that day), asked of
    the server it lives on (or `agent`), then delete rows past the retention. Subscriptions without a
    webspace (not built yet, mail only) use 0."""
    since, until = day_bounds(day, seller_zone(session, seller_id))
    subscriptions = session.execute(select(Subscription.id, Subscription.server_pool_id).where(
        Subscription.seller_id == seller_id)).all()
    agents = _agents_of(session, {server for _, server in subscriptions}, given=agent)
    domains = _domain_counts(session, seller_id)
    missing = 0
    for subscription_id, server_pool_id in subscriptions:
        try:
            measured = agents[server_pool_id].usage(subscription_id, since=since, until=until)
        except AgentError as error:
            if error.code is not AgentErrorCode.WEBSPACE_NOT_FOUND:
                raise
            measured, missing = ZERO, missing + 1
        objects = {Resource.DOMAINS.value: domains.get(subscription_id, 0), **measured.objects}
        _store(session, seller_id, subscription_id, day, measured, objects)
    return {"collected": len(subscriptions), "without_webspace": missing,
            "pruned": prune(session=session, seller_id=seller_id, before=day)}


def _agents_of(session: Session, server_pool_ids: set[uuid.UUID | None], *, given: HostingAgent | None
               ) -> dict[uuid.UUID | None, HostingAgent]:
    """One driver per server the subscriptions live on (None: the default server)."""
    if given is not None:
        return dict.fromkeys(server_pool_ids, given)
    ids = [i for i in server_pool_ids if i is not None]
    entries = {e.id: e for e in session.scalars(select(ServerPoolEntry).where(ServerPoolEntry.id.in_(ids)))}
    return {i: servers.agent_for(entries.get(i) if i is not None else None) for i in server_pool_ids}


def _store(session: Session, seller_id: uuid.UUID, subscription_id: uuid.UUID, day: date,
           measured: WebspaceUsage, objects: dict[str, int]) -> None:
    row = {"seller_id": seller_id, "subscription_id": subscription_id, "day": day,
           "disk_bytes": measured.disk_bytes, "traffic_bytes": measured.traffic_bytes, "objects": objects,
           "collected_at": clock.now()}
    statement = insert(SubscriptionUsage).values(**row)
    session.execute(statement.on_conflict_do_update(
        index_elements=["seller_id", "subscription_id", "day"],
        set_={k: statement.excluded[k] for k in ("disk_bytes", "traffic_bytes", "objects", "collected_at")}))


def _domain_counts(session: Session, seller_id: uuid.UUID) -> dict[uuid.UUID, int]:
    rows = session.execute(select(Site.subscription_id, func.count()).where(Site.seller_id == seller_id)
                           .group_by(Site.subscription_id))
    return {subscription_id: count for subscription_id, count in rows}


def prune(*, session: Session, seller_id: uuid.UUID, before: date) -> int:
    """Delete the seller's rows older than the retention (counted back from `before`)."""
    oldest = before - timedelta(days=get_settings().usage_retention_days)
    result = session.execute(delete(SubscriptionUsage).where(SubscriptionUsage.seller_id == seller_id,
                                                             SubscriptionUsage.day < oldest))
    return result.rowcount or 0  # type: ignore[attr-defined]


def collect_previous_day(*, session: Session, seller_id: uuid.UUID) -> dict[str, int]:
    """The daily collection: the day that just ended in the seller's time zone."""
    return collect(session=session, seller_id=seller_id, day=local_today(session, seller_id) - timedelta(days=1))


def collect_on_demand(*, seller_id: uuid.UUID, days_back: int = 0) -> dict[str, int]:
    """Collect the seller's usage now, in a worker's (system) transaction of its own: usage rows are
    written by workers only, never in a staff member's context (row security)."""
    with session_scope(TenantContext(Role.SYSTEM, seller_id)) as session:
        day = local_today(session, seller_id) - timedelta(days=days_back)
        return collect(session=session, seller_id=seller_id, day=day)


def is_collected(session: Session, *, seller_id: uuid.UUID, day: date) -> bool:
    """Whether `day` was collected for every subscription of the seller (the collection takes them all)."""
    missing = session.scalar(select(func.count()).select_from(Subscription).where(
        Subscription.seller_id == seller_id,
        ~select(SubscriptionUsage.day).where(
            SubscriptionUsage.seller_id == Subscription.seller_id,
            SubscriptionUsage.subscription_id == Subscription.id, SubscriptionUsage.day == day).exists()))
    return not missing


# ---- figures -------------------------------------------------------------------------------------

def latest(session: Session, subscription_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, SubscriptionUsage]:
    """Each subscription's last collected day."""
    rows = session.scalars(select(SubscriptionUsage).where(SubscriptionUsage.subscription_id.in_(subscription_ids))
                           .order_by(SubscriptionUsage.subscription_id, SubscriptionUsage.day.desc())
                           .ext(distinct_on(SubscriptionUsage.subscription_id)))
    return {row.subscription_id: row for row in rows}


def month_traffic(session: Session, subscription_ids: Sequence[uuid.UUID], *, up_to: date) -> dict[uuid.UUID, int]:
    """Bytes served in the month of `up_to`, up to that day, per subscription."""
    rows = session.execute(
        select(SubscriptionUsage.subscription_id, func.sum(SubscriptionUsage.traffic_bytes))
        .where(SubscriptionUsage.subscription_id.in_(subscription_ids),
               SubscriptionUsage.day >= up_to.replace(day=1), SubscriptionUsage.day <= up_to)
        .group_by(SubscriptionUsage.subscription_id))
    return {subscription_id: int(total) for subscription_id, total in rows}


def subscription_figures(session: Session, subscription_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, dict[Resource, int]]:
    """Actual usage per subscription: disk (MB) of its last collected day, traffic (MB) of that day's
    month, domains as they are now, other objects as last reported."""
    rows = latest(session, subscription_ids)
    traffic: dict[uuid.UUID, int] = {}
    for day in {row.day for row in rows.values()}:
        same_day = [s for s, row in rows.items() if row.day == day]
        traffic |= month_traffic(session, same_day, up_to=day)
    figures: dict[uuid.UUID, dict[Resource, int]] = {}
    for subscription_id, row in rows.items():
        figures[subscription_id] = {**_objects(row.objects), Resource.DISK_SPACE: megabytes(row.disk_bytes),
                                    Resource.TRAFFIC: megabytes(traffic.get(subscription_id, 0))}
    return figures


_KNOWN = {r.value: r for r in Resource}


def _objects(objects: dict[str, int]) -> dict[Resource, int]:
    return {_KNOWN[k]: int(v) for k, v in objects.items() if k in _KNOWN}


# Sellers' measured figures (the sellers are `:sellers`) as common table expressions, joined on a seller id
# column by figures_joins and read by FIGURES_COLUMNS: sellers_figures is this alone; the allocation report
# (comptoir.hosting.allocation_usage) reads them in its own single statement.
FIGURES_CTES = """
    last AS (
        SELECT DISTINCT ON (seller_id, subscription_id) seller_id, disk_bytes, objects FROM subscription_usage
         WHERE seller_id = ANY(:sellers) ORDER BY seller_id, subscription_id, day DESC),
    month AS (
        SELECT u.seller_id, sum(u.traffic_bytes) AS traffic FROM subscription_usage u JOIN sellers s ON s.id = u.seller_id
         WHERE u.seller_id = ANY(:sellers)
           AND u.day >= date_trunc('month', CAST(:now AS timestamptz) AT TIME ZONE s.timezone)::date
         GROUP BY u.seller_id),
    objects AS (
        SELECT seller_id, jsonb_object_agg(key, total) AS objects FROM (
            SELECT last.seller_id, o.key, sum(o.value::bigint) AS total
              FROM last, jsonb_each_text(last.objects) o GROUP BY last.seller_id, o.key) per_key
         GROUP BY seller_id),
    disk AS (SELECT seller_id, sum(disk_bytes) AS disk FROM last GROUP BY seller_id),
    domains AS (SELECT seller_id, count(*) AS domains FROM sites WHERE seller_id = ANY(:sellers) GROUP BY seller_id),
    mailbox AS (
        SELECT seller_id, max((values->'limits'->>'mailbox_size')::bigint) AS largest,
               bool_or(coalesce(values->'limits'->'mailbox_size' = 'null'::jsonb, false)) AS any_unlimited
          FROM subscriptions WHERE seller_id = ANY(:sellers) GROUP BY seller_id)"""
FIGURES_COLUMNS = """coalesce(disk.disk, 0), coalesce(month.traffic, 0), coalesce(objects.objects, '{}'::jsonb),
    coalesce(domains.domains, 0), CASE WHEN mailbox.any_unlimited THEN NULL ELSE coalesce(mailbox.largest, 0) END"""


def figures_joins(seller_id: str) -> str:
    return " ".join(f"LEFT JOIN {cte} ON {cte}.seller_id = {seller_id}"
                    for cte in ("disk", "month", "objects", "domains", "mailbox"))


_SELLER_FIGURES = text(f"""WITH {FIGURES_CTES}
    SELECT s.id, {FIGURES_COLUMNS} FROM unnest(CAST(:sellers AS uuid[])) AS s(id) {figures_joins("s.id")}""")


@dataclass(frozen=True)
class SellerFigures:
    actual: dict[Resource, int]
    largest_mailbox: int | None  # mailbox size given to a subscription, the largest (None: one unlimited)


def sellers_figures(session: Session, seller_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, SellerFigures]:
    """Each seller's actual usage over its subscriptions (one query): disk (MB) as last collected,
    traffic (MB) this month in the seller's time zone, objects as last reported, domains as they are now."""
    rows = session.execute(_SELLER_FIGURES, figures_parameters(seller_ids))
    return {seller_id: figures_of(*columns) for seller_id, *columns in rows}


def figures_parameters(seller_ids: Sequence[uuid.UUID]) -> dict[str, object]:
    return {"sellers": list(seller_ids), "now": clock.now()}


def figures_of(disk: int, traffic: int, objects: dict[str, int], domains: int, largest_mailbox: int | None
               ) -> SellerFigures:
    """A seller's figures from the FIGURES_COLUMNS of its row."""
    actual = {**_objects(objects), Resource.DISK_SPACE: megabytes(int(disk)),
              Resource.TRAFFIC: megabytes(int(traffic)), Resource.DOMAINS: int(domains)}
    return SellerFigures(actual, None if largest_mailbox is None else int(largest_mailbox))


def seller_figures(session: Session, seller_id: uuid.UUID) -> dict[Resource, int]:
    return sellers_figures(session, [seller_id])[seller_id].actual
