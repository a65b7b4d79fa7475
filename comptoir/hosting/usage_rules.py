"""Usage arithmetic and the overuse policy as pure functions (SPEC §4.2, §4.12).

Which thresholds a subscription is over, and what crossing one does: suspend, notify, or nothing.
A threshold is crossed when usage goes over it and was not over it at the last check, so each crossing
acts once; falling back below re-arms it (traffic falls back at the start of every month).
"""

from __future__ import annotations

import enum
from collections.abc import Set
from dataclasses import dataclass

from comptoir.hosting.plan_values import OverusePolicy

MB = 1024 * 1024


def megabytes(amount: int) -> int:
    """Bytes as whole MB, rounded up: a byte over a limit is over it."""
    return -(-amount // MB)


class Alert(enum.Enum):
    DISK_LIMIT = "disk_limit"
    TRAFFIC_LIMIT = "traffic_limit"
    DISK_SOFT = "disk_soft"  # "notify when disk usage reaches X"
    TRAFFIC_SOFT = "traffic_soft"


@dataclass(frozen=True)
class Thresholds:
    """What a subscription's values say about disk and traffic (MB; None: unlimited / not set)."""

    policy: OverusePolicy
    disk_limit: int | None
    traffic_limit: int | None  # per month
    disk_notify_at: int | None
    traffic_notify_at: int | None


@dataclass(frozen=True)
class Measured:
    disk_bytes: int  # at the end of the last collected day
    traffic_bytes: int  # this month up to that day


@dataclass(frozen=True)
class Outcome:
    suspend: bool
    notify: frozenset[Alert]


def over(thresholds: Thresholds, measured: Measured) -> frozenset[Alert]:
    """The thresholds usage is over. Limits count when exceeded; soft quotas when reached, and only
    when overuse is not allowed (SPEC §4.2)."""
    found = set()
    if thresholds.disk_limit is not None and measured.disk_bytes > thresholds.disk_limit * MB:
        found.add(Alert.DISK_LIMIT)
    if thresholds.traffic_limit is not None and measured.traffic_bytes > thresholds.traffic_limit * MB:
        found.add(Alert.TRAFFIC_LIMIT)
    if thresholds.policy is not OverusePolicy.ALLOWED:
        if thresholds.disk_notify_at is not None and measured.disk_bytes >= thresholds.disk_notify_at * MB:
            found.add(Alert.DISK_SOFT)
        if thresholds.traffic_notify_at is not None and measured.traffic_bytes >= thresholds.traffic_notify_at * MB:
            found.add(Alert.TRAFFIC_SOFT)
    return frozenset(found)


def on_crossing(thresholds: Thresholds, crossed: Set[Alert]) -> Outcome:
    """What the thresholds just crossed do. Overuse not allowed: a limit crossed suspends when the plan
    says so, and notifies. Overuse allowed: nothing is suspended; a limit crossed notifies only when the
    plan asks for notices on that resource (it sets "notify at" for it)."""
    limits = crossed & {Alert.DISK_LIMIT, Alert.TRAFFIC_LIMIT}
    if thresholds.policy is OverusePolicy.ALLOWED:
        asked = {Alert.DISK_LIMIT: thresholds.disk_notify_at, Alert.TRAFFIC_LIMIT: thresholds.traffic_notify_at}
        return Outcome(suspend=False, notify=frozenset(a for a in limits if asked[a] is not None))
    suspend = bool(limits) and thresholds.policy is OverusePolicy.NOT_ALLOWED_SUSPEND
    return Outcome(suspend=suspend, notify=frozenset(crossed))
