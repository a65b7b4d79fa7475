"""The daily overuse check (SPEC §4.2): suspend or notify per the overuse policy, soft quotas, and who
is told (a per-seller setting: its administrators, the customer, extra addresses).

It runs after the day's usage collection: when the previous day is not collected yet (the two events
fall due at the same midnight, in either order) it collects it first, which is harmless (idempotent).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.errors import collect_errors
from comptoir.hosting import plan_values as pv
from comptoir.hosting import subscription_lifecycle, usage
from comptoir.hosting.models import Subscription
from comptoir.hosting.usage_models import SubscriptionUsage, UsageAlert, UsageNotificationSettings
from comptoir.hosting.usage_rules import Alert, Measured, Thresholds, megabytes, on_crossing, over
from comptoir.hosting.vocabulary import Resource
from comptoir.messaging import outbox
from comptoir.tenancy.models import Customer, Seller, User
from comptoir.tenancy.validation import check_email

TEMPLATE = "usage_overuse"
MAX_EXTRA_ADDRESSES = 10


# ---- recipients (per-seller setting) -------------------------------------------------------------

@dataclass(frozen=True)
class Recipients:
    notify_administrators: bool = True
    notify_customer: bool = True
    extra_addresses: tuple[str, ...] = ()


def get_recipients(*, session: Session, seller_id: uuid.UUID) -> Recipients:
    row = session.get(UsageNotificationSettings, seller_id)
    if row is None:
        return Recipients()
    return Recipients(row.notify_administrators, row.notify_customer, tuple(row.extra_addresses))


def set_recipients(*, session: Session, seller_id: uuid.UUID, recipients: Recipients) -> Recipients:
    """Who the seller's overuse notices go to; every address checked, every bad one reported."""
    with collect_errors() as errors:
        addresses = [errors.check(lambda a=a, i=i: check_email(a, field=f"extraAddresses.{i}"))  # type: ignore[misc]
                     for i, a in enumerate(recipients.extra_addresses[:MAX_EXTRA_ADDRESSES])]
    unique = list(dict.fromkeys(addresses))
    statement = insert(UsageNotificationSettings).values(
        seller_id=seller_id, notify_administrators=recipients.notify_administrators,
        notify_customer=recipients.notify_customer, extra_addresses=unique, updated_at=clock.now())
    session.execute(statement.on_conflict_do_update(index_elements=["seller_id"], set_={
        k: statement.excluded[k] for k in ("notify_administrators", "notify_customer", "extra_addresses",
                                           "updated_at")}))
    return Recipients(recipients.notify_administrators, recipients.notify_customer, tuple(unique))


def _addresses(session: Session, subscription: Subscription, recipients: Recipients) -> list[tuple[str, str]]:
    """(address, language) of everyone told about this subscription, each address once."""
    seller = session.get_one(Seller, subscription.seller_id)
    found: list[tuple[str, str]] = []
    if recipients.notify_administrators:
        found += [(u.email, u.locale) for u in session.scalars(select(User).where(
            User.seller_id == seller.id, User.role.in_(("provider", "reseller")), User.status == "active",
            User.email != "").order_by(User.created_at))]
    if recipients.notify_customer and subscription.customer_id is not None:
        customer = session.get(Customer, subscription.customer_id)
        if customer is not None and customer.email:
            found.append((customer.email, customer.locale))
    found += [(address, seller.locale) for address in recipients.extra_addresses]
    unique: dict[str, str] = {}
    for address, language in found:
        unique.setdefault(address.lower(), language)
    return list(unique.items())


# ---- the check -----------------------------------------------------------------------------------

def thresholds_of(subscription: Subscription) -> Thresholds:
    values = pv.from_json(subscription.values)
    return Thresholds(policy=values.overuse or pv.OverusePolicy.NOT_ALLOWED,
                      disk_limit=values.limit(Resource.DISK_SPACE), traffic_limit=values.limit(Resource.TRAFFIC),
                      disk_notify_at=values.disk_notify_at, traffic_notify_at=values.traffic_notify_at)


def check(*, session: Session, seller_id: uuid.UUID) -> dict[str, int]:
    """Compare the previous day's usage with each subscription's thresholds; act on the ones crossed."""
    day = usage.local_today(session, seller_id) - timedelta(days=1)
    if not usage.is_collected(session, seller_id=seller_id, day=day):
        usage.collect(session=session, seller_id=seller_id, day=day)
    rows = {row.subscription_id: row for row in session.scalars(select(SubscriptionUsage).where(
        SubscriptionUsage.seller_id == seller_id, SubscriptionUsage.day == day))}
    subscriptions = list(session.scalars(select(Subscription).where(
        Subscription.seller_id == seller_id, Subscription.id.in_(rows)).order_by(Subscription.id)))
    traffic = usage.month_traffic(session, [s.id for s in subscriptions], up_to=day)
    recipients = get_recipients(session=session, seller_id=seller_id)
    summary = {"checked": len(subscriptions), "suspended": 0, "notified": 0}
    for subscription in subscriptions:
        measured = Measured(disk_bytes=rows[subscription.id].disk_bytes, traffic_bytes=traffic.get(subscription.id, 0))
        suspended, notices = _check_one(session, subscription, measured, recipients, day)
        summary["suspended"] += suspended
        summary["notified"] += notices
    return summary


def _check_one(session: Session, subscription: Subscription, measured: Measured, recipients: Recipients,
               day: date) -> tuple[int, int]:
    thresholds = thresholds_of(subscription)
    crossed = _record_crossings(session, subscription, over(thresholds, measured))
    outcome = on_crossing(thresholds, crossed)
    suspended = outcome.suspend and subscription.status == "active"
    if suspended:
        subscription_lifecycle.suspend(session=session, subscription_id=subscription.id, reason="overuse")
    notices = 0
    for alert in sorted(outcome.notify, key=lambda a: a.value):
        notices += _notify(session, subscription, alert, thresholds, measured, recipients,
                           suspended=suspended, day=day)
    return int(suspended), notices


def _record_crossings(session: Session, subscription: Subscription, now_over: frozenset[Alert]) -> set[Alert]:
    """Keep the alert rows in line with `now_over`; the alerts whose row this call inserted are the
    crossings (a concurrent check inserting the same row first takes the crossing)."""
    key = (UsageAlert.seller_id == subscription.seller_id, UsageAlert.subscription_id == subscription.id)
    session.execute(delete(UsageAlert).where(*key, UsageAlert.alert.not_in([a.value for a in now_over])))
    crossed = set()
    for alert in now_over:
        inserted = session.execute(insert(UsageAlert).values(
            seller_id=subscription.seller_id, subscription_id=subscription.id, alert=alert.value,
            crossed_at=clock.now()).on_conflict_do_nothing().returning(UsageAlert.alert)).first()
        if inserted is not None:
            crossed.add(alert)
    return crossed


def _notify(session: Session, subscription: Subscription, alert: Alert, thresholds: Thresholds,
            measured: Measured, recipients: Recipients, *, suspended: bool, day: date) -> int:
    disk = alert in (Alert.DISK_LIMIT, Alert.DISK_SOFT)
    threshold = {Alert.DISK_LIMIT: thresholds.disk_limit, Alert.TRAFFIC_LIMIT: thresholds.traffic_limit,
                 Alert.DISK_SOFT: thresholds.disk_notify_at, Alert.TRAFFIC_SOFT: thresholds.traffic_notify_at}[alert]
    variables: dict[str, object] = {
        "domain": subscription.domain_name, "resource": "disk" if disk else "traffic",
        "kind": "limit" if alert in (Alert.DISK_LIMIT, Alert.TRAFFIC_LIMIT) else "soft",
        "used_mb": megabytes(measured.disk_bytes if disk else measured.traffic_bytes),
        "threshold_mb": threshold, "suspended": suspended, "day": day.isoformat()}
    addresses = _addresses(session, subscription, recipients)
    for address, language in addresses:
        outbox.enqueue(session=session, seller_id=subscription.seller_id, customer_id=subscription.customer_id,
                       to_address=address, template=TEMPLATE, language=language, variables=variables)
    return len(addresses)


def alerts_of(session: Session, subscription_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    rows = session.execute(select(UsageAlert.subscription_id, UsageAlert.alert)
                           .where(UsageAlert.subscription_id.in_(subscription_ids)).order_by(UsageAlert.alert))
    found: dict[uuid.UUID, list[str]] = {}
    for subscription_id, alert in rows:
        found.setdefault(subscription_id, []).append(alert)
    return found
