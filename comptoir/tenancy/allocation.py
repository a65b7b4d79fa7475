"""Reseller allocations as pure values: limits (None = unlimited), permissions, usage arithmetic."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

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

MAX_LIMIT = 2**53  # JSON-safe and far beyond any real quota


class AllocationErrorCode(ErrorCode):
    NEGATIVE_LIMIT = "negative_limit"
    LIMIT_TOO_LARGE = "limit_too_large"
    DUPLICATE_RESOURCE = "duplicate_resource"


@dataclass(frozen=True)
class ResourceUsage:
    resource: Resource
    limit: int | None
    used: int

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else max(self.limit - self.used, 0)


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


def usage_report(limits: Mapping[str, int | None], used: Mapping[Resource, int]) -> list[ResourceUsage]:
    return [ResourceUsage(r, limits.get(r.value), used.get(r, 0)) for r in Resource]


def stored_permissions(granted: Iterable[enum.Enum]) -> dict[str, bool]:
    granted_values = {p.value for p in granted}
    return {p.value: p.value in granted_values for p in ResellerPermission}  # type: ignore[attr-defined]


def granted_permissions(stored: Mapping[str, bool]) -> list[enum.Enum]:
    return [p for p in ResellerPermission if stored.get(p.value)]  # type: ignore[attr-defined]
