"""GraphQL types of resellers and their allocations."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import cast

import strawberry

from comptoir.database.pagination import SortDirection
from comptoir.hosting.allocation_usage import AllocationReport
from comptoir.hosting.vocabulary import Resource as _Resource
from comptoir.schema.base import Node, UserError, error_code_enum
from comptoir.schema.dataloaders import Loaders, value_or_later
from comptoir.schema.ids import encode_id
from comptoir.tenancy import allocation as rules
from comptoir.tenancy.allocation import AllocationErrorCode
from comptoir.tenancy.errors import ResellerErrorCode as _ResellerErrorCode
from comptoir.tenancy.errors import ValidationErrorCode
from comptoir.tenancy.models import Seller as SellerModel
from comptoir.tenancy.resellers import ResellerSort as _ResellerSort

Resource = strawberry.enum(_Resource, name="Resource")
ResellerPermission = strawberry.enum(rules.ResellerPermission, name="ResellerPermission")
ResellerSortField = strawberry.enum(_ResellerSort, name="ResellerSortField")
ResellerErrorCode = error_code_enum("ResellerErrorCode", _ResellerErrorCode, AllocationErrorCode, ValidationErrorCode)


@strawberry.enum
class SellerStatus(enum.Enum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


@strawberry.type
class ResellerError(UserError):
    code: ResellerErrorCode  # type: ignore[valid-type]


@strawberry.type
class ResourceAllocation:
    """Served from the allocation report's rules.ResourceUsage values as they are (the same attributes, and no
    interface, so no type check per object): a page of 50 resellers has 1,300 of them (measured in bench/)."""

    resource: Resource  # type: ignore[valid-type]
    limit: int | None = strawberry.field(description="null means unlimited")
    used: int = strawberry.field(description="Actual usage, measured (SPEC §4.12): disk (MB) as last collected, "
                                "traffic (MB) this month, domains and customers and subscriptions as they are "
                                "now, other objects as the hosting server last reported them.")
    allocated: int | None = strawberry.field(name="allocatedToSubscriptions", description=(
        "Beside the usage: the sum of the limits given to subscriptions (customers and subscriptions: how many "
        "exist; mailbox size, a cap per mailbox: the largest given). null: some subscription has it unlimited."))
    remaining: int | None = strawberry.field(description="What is left: the limit minus actual usage when "
                                             "overselling is allowed, else minus the sum of subscription limits "
                                             "(mailbox size: the cap). null means unlimited")


@strawberry.type
class ResellerAllocation:
    overselling_allowed: bool
    limits: list[ResourceAllocation]
    permissions: list[ResellerPermission]  # type: ignore[valid-type]

    @classmethod
    def from_report(cls, report: AllocationReport) -> ResellerAllocation:
        return cls(
            overselling_allowed=report.overselling_allowed,
            limits=cast(list[ResourceAllocation], report.usage),
            permissions=rules.granted_permissions(report.permissions),
        )


@strawberry.type
class Reseller(Node):
    name: str
    status: SellerStatus
    company_name: str
    email: str
    country: str
    created_at: datetime
    allocation: ResellerAllocation | None

    @classmethod
    def from_model(cls, seller: SellerModel, loaders: Loaders) -> Reseller:
        """The allocation is the loaded value, or loaded through `loaders` if the client selected it."""
        return cls(
            id=strawberry.ID(encode_id("Reseller", seller.id)), name=seller.name,
            status=SellerStatus(seller.status), company_name=seller.company_name, email=seller.email,
            country=seller.country, created_at=seller.created_at,
            allocation=value_or_later(loaders.reseller_allocations, seller.id),
        )


@strawberry.input
class ResourceLimitInput:
    resource: Resource  # type: ignore[valid-type]
    limit: int | None = strawberry.field(default=None, description="null means unlimited")


@strawberry.input
class ResellerAdminInput:
    username: str
    password: str
    email: str
    full_name: str = ""


@strawberry.input
class ResellerCreateInput:
    name: str
    administrator: ResellerAdminInput
    email: str = ""
    company_name: str = ""
    country: str = ""
    language: str = "en"
    limits: list[ResourceLimitInput] = strawberry.field(default_factory=list)
    permissions: list[ResellerPermission] = strawberry.field(default_factory=list)  # type: ignore[valid-type]
    overselling_allowed: bool = False


@strawberry.input
class ResellerUpdateInput:
    id: strawberry.ID
    name: str | None = None
    email: str | None = None
    company_name: str | None = None
    country: str | None = None
    limits: list[ResourceLimitInput] | None = strawberry.field(
        default=None, description="Only the resources listed change.")
    permissions: list[ResellerPermission] | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="The full list of granted permissions.")
    overselling_allowed: bool | None = None


@strawberry.input
class ResellerIdInput:
    id: strawberry.ID


@strawberry.input
class ResellerFilterInput:
    status: SellerStatus | None = None
    search: str | None = None


@strawberry.input
class ResellerSortInput:
    field: ResellerSortField = _ResellerSort.CREATED_AT  # type: ignore[valid-type]
    direction: SortDirection = SortDirection.ASC


@strawberry.type
class ResellerPayload:
    reseller: Reseller | None = None
    errors: list[ResellerError] = strawberry.field(default_factory=list)


@strawberry.type
class ResellerDeletePayload:
    deleted_id: strawberry.ID | None = None
    errors: list[ResellerError] = strawberry.field(default_factory=list)


@strawberry.input
class OversellingPolicySetInput:
    allowed: bool


@strawberry.type
class OversellingPolicySetPayload:
    allocation: ResellerAllocation | None = None
    errors: list[ResellerError] = strawberry.field(default_factory=list)
