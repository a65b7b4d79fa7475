"""A reseller's allocation as the guide shows it: per resource the limit, the actual usage (measured,
SPEC §4.12) and, beside it, the sum of the limits given to its subscriptions."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy.orm import Session

from comptoir.hosting import usage
from comptoir.hosting.vocabulary import Resource
from comptoir.tenancy import allocation as rules
from comptoir.tenancy import resellers
from comptoir.tenancy.models import ResellerAllocation

COUNTED_HERE = (Resource.CUSTOMERS, Resource.SUBSCRIPTIONS)  # used and allocated are the same count


def reports_for(session: Session, allocations: Mapping[uuid.UUID, ResellerAllocation]
                ) -> dict[uuid.UUID, list[rules.ResourceUsage]]:
    """Allocation reports of several resellers in a fixed number of queries."""
    ids = list(allocations)
    if not ids:
        return {}
    sums = resellers.usage_for(session, ids)
    actual = usage.sellers_figures(session, ids)
    reports = {}
    for seller_id, allocation in allocations.items():
        allocated: dict[Resource, int | None] = dict(sums[seller_id])
        # mailbox size is a cap per mailbox: beside it stands the largest one given
        allocated[Resource.MAILBOX_SIZE] = actual[seller_id].largest_mailbox
        used = actual[seller_id].actual | {r: sums[seller_id].get(r, 0) for r in COUNTED_HERE}
        reports[seller_id] = rules.usage_report(allocation.limits, used, allocated,
                                                overselling=allocation.overselling_allowed)
    return reports


def report_for(session: Session, seller_id: uuid.UUID) -> list[rules.ResourceUsage] | None:
    allocation = resellers.allocations_for(session, [seller_id]).get(seller_id)
    return None if allocation is None else reports_for(session, {seller_id: allocation})[seller_id]
