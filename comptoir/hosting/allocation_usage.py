"""A reseller's allocation as the guide shows it: per resource the limit, the actual usage (measured,
SPEC §4.12) and, beside it, the sum of the limits given to its subscriptions."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from comptoir.hosting import usage
from comptoir.hosting.plan_values import PLAN_RESOURCES
from comptoir.hosting.vocabulary import Resource
from comptoir.tenancy import allocation as rules

# Resource names come from our enum, never from input: the JSON paths can be literal.
_GIVEN_SUMS = ", ".join(f"coalesce(sum((values->'limits'->>'{r.value}')::bigint), 0)" for r in PLAN_RESOURCES)
# Allocations, customer and subscription counts, the limits given to subscriptions summed per resource,
# and the measured figures, in one statement (a page of resellers asks it once).
_REPORTS = text(f"""WITH {usage.FIGURES_CTES},
    customer_counts AS (SELECT seller_id, count(*) AS n FROM customers WHERE seller_id = ANY(:sellers)
                         GROUP BY seller_id),
    given AS (SELECT seller_id, CAST(ARRAY[count(*), {_GIVEN_SUMS}] AS bigint[]) AS sums FROM subscriptions
               WHERE seller_id = ANY(:sellers) GROUP BY seller_id)
    SELECT a.seller_id, a.limits, a.permissions, a.overselling_allowed, coalesce(customer_counts.n, 0), given.sums,
           {usage.FIGURES_COLUMNS}
      FROM reseller_allocations a LEFT JOIN customer_counts ON customer_counts.seller_id = a.seller_id
      LEFT JOIN given ON given.seller_id = a.seller_id {usage.figures_joins("a.seller_id")}
     WHERE a.seller_id = ANY(:sellers)""")


@dataclass(frozen=True)
class AllocationReport:
    """A reseller's allocation with, per resource, what it uses of it."""

    overselling_allowed: bool
    permissions: dict[str, Any]
    usage: list[rules.ResourceUsage]


def reports_for(session: Session, seller_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, AllocationReport]:
    """Allocation reports of several resellers in one query (resellers without an allocation are left out)."""
    if not seller_ids:
        return {}
    reports = {}
    for seller_id, limits, permissions, overselling, customers, given, *figures in session.execute(
            _REPORTS, usage.figures_parameters(seller_ids)):
        reports[seller_id] = AllocationReport(overselling, permissions,
                                              _usage(limits, customers, given, figures, overselling))
    return reports


def _usage(limits: dict[str, int | None], customers: int, given: list[int] | None, figures: list[Any],
           overselling: bool) -> list[rules.ResourceUsage]:
    actual = usage.figures_of(*figures)
    subscriptions, *sums = given or [0] * (len(PLAN_RESOURCES) + 1)
    allocated: dict[Resource, int | None] = dict(zip(PLAN_RESOURCES, sums, strict=True))
    allocated[Resource.CUSTOMERS], allocated[Resource.SUBSCRIPTIONS] = customers, subscriptions
    # mailbox size is a cap per mailbox: beside it stands the largest one given
    allocated[Resource.MAILBOX_SIZE] = actual.largest_mailbox
    used = actual.actual | {Resource.CUSTOMERS: customers, Resource.SUBSCRIPTIONS: subscriptions}
    return rules.usage_report(limits, used, allocated, overselling=overselling)


def report_for(session: Session, seller_id: uuid.UUID) -> list[rules.ResourceUsage] | None:
    report = reports_for(session, [seller_id]).get(seller_id)
    return None if report is None else report.usage
