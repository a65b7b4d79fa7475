"""Reseller allocations as pure values: limits (None = unlimited), permissions, usage arithmetic."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from comptoir.errors import DomainError, ErrorCode
from comptoir.hosting.vocabulary import Resource, SubscriptionPermission


class ResellerOnlyPermission(enum.Enum):
    CREATE_SUBSCRIPTIONS = "create_subscriptions"
    REMOTE_API_ACCESS = "remote_api_access"
    PANEL_ACCESS = "panel_access"
    CREATE_CUSTOMERS = "create_customers"
    SET_OVERSELLING_POLICY = "set_overselling_policy"


# Reseller permissions: its own five plus every subscription permission (SPEC §2).
ResellerPermission = enum.Enum(  # type: ignore[misc]
    "ResellerPermission",
    {m.name: m.value for m in (*ResellerOnlyPermission, *SubscriptionPermission)},
)

# Members with their values, iterated per report (an enum's iteration and .value are slow in the hot path).
_RESOURCES = tuple((r, r.value) for r in Resource)
_PERMISSIONS = tuple((p, p.value) for p in ResellerPermission)  # type: ignore[attr-defined]

MAX_LIMIT = 2**53  # JSON-safe and far beyond any real quota


class AllocationErrorCode(ErrorCode):
    NEGATIVE_LIMIT = "negative_limit"
    LIMIT_TOO_LARGE = "limit_too_large"
    DUPLICATE_RESOURCE = "duplicate_resource"


# Resources whose allocation caps each item (SPEC §4.2: the size of one mailbox), never summed.
PER_ITEM_CAPS = frozenset({Resource.MAILBOX_SIZE})


class ResourceUsage(NamedTuple):
    """One resource of an allocation: the limit, what is actually used (measured), and the sum of the
    limits given to subscriptions (counts for customers and subscriptions). Which of the two bounds the
    reseller depends on its overselling policy (SPEC §2).

    A named tuple: a page of 50 resellers makes 1,300 of them (a frozen dataclass cost 4× more, measured)."""

    resource: Resource
    limit: int | None
    used: int
    allocated: int | None = 0  # None: some subscription has it unlimited
    bound_by_usage: bool = False

    @property
    def remaining(self) -> int | None:
        if self.limit is None or self.resource in PER_ITEM_CAPS:
            return self.limit
        bound = self.used if self.bound_by_usage else self.allocated
        return 0 if bound is None else max(self.limit - bound, 0)


def validate_limits(pairs: Iterable[tuple[Resource, int | None]]) -> dict[str, int | None]:
    """Limits as stored: every resource present, unlimited unless given; refuses bad numbers."""
    stored: dict[str, int | None] = {resource.value: None for resource in Resource}
    seen: set[Resource] = set()
    for resource, limit in pairs:
        if resource in seen:
            raise DomainError(AllocationErrorCode.DUPLICATE_RESOURCE, f"{resource.name} given twice",
                              field="limits")
        seen.add(resource)
        if limit is not None and limit < 0:
            raise DomainError(AllocationErrorCode.NEGATIVE_LIMIT, f"{resource.name} must be ≥ 0", field="limits")
        if limit is not None and limit > MAX_LIMIT:
            raise DomainError(AllocationErrorCode.LIMIT_TOO_LARGE, f"{resource.name} is too large",
                              field="limits")
        stored[resource.value] = limit
    return stored


def merge_limits(stored: Mapping[str, int | None], changes: list[tuple[Resource, int | None]]
                 ) -> dict[str, int | None]:
    """Apply changed limits over stored ones; resources not mentioned keep their value."""
    validated = validate_limits(changes)
    merged = {resource.value: stored.get(resource.value) for resource in Resource}
    merged.update({resource.value: validated[resource.value] for resource, _ in changes})
    return merged


def usage_report(limits: Mapping[str, int | None], used: Mapping[Resource, int],
                 allocated: Mapping[Resource, int | None] | None = None, *, overselling: bool = False
                 ) -> list[ResourceUsage]:
    """Every resource once. `used` is actual usage; `allocated` the sums of subscription limits (when not
    given, `used` stands for both: counts). With overselling, remaining follows actual usage."""
    sums = used if allocated is None else allocated
    return [ResourceUsage(r, limits.get(value), used.get(r, 0), sums.get(r, 0), overselling) for r, value in _RESOURCES]


def stored_permissions(granted: Iterable[enum.Enum]) -> dict[str, bool]:
    granted_values = {p.value for p in granted}
    return {p.value: p.value in granted_values for p in ResellerPermission}  # type: ignore[attr-defined]


def granted_permissions(stored: Mapping[str, bool]) -> list[enum.Enum]:
    return [p for p, value in _PERMISSIONS if stored.get(value)]
