"""GraphQL types of measured usage (SPEC §4.12): per subscription, reports with CSV, overuse recipients.

Reports return their rows and the same rows as a CSV string rather than a signed download link: the
export then goes through the same authorisation and row security as the query itself, needs no second
route or URL-signing key, and stays small (a period is bounded: a year of days, three years of months).
"""

from __future__ import annotations

import enum
from datetime import date

import strawberry

from comptoir.hosting import usage_reports
from comptoir.hosting.usage_reports import Granularity as _Granularity
from comptoir.hosting.usage_reports import UsageErrorCode as _UsageErrorCode
from comptoir.hosting.usage_rules import Alert as _Alert
from comptoir.schema.base import UserError, error_code_enum
from comptoir.schema.hosting import ResourceEnum
from comptoir.schema.ids import encode_id
from comptoir.tenancy.errors import ValidationErrorCode

Granularity = strawberry.enum(_Granularity, name="UsageGranularity")
UsageAlertKind = strawberry.enum(_Alert, name="UsageAlert", description=(
    "A threshold a subscription is over: its disk or traffic limit, or its soft quota (notify at)."))
UsageErrorCode = error_code_enum("UsageErrorCode", _UsageErrorCode, ValidationErrorCode)


@strawberry.type
class UsageError(UserError):
    code: UsageErrorCode  # type: ignore[valid-type]


@strawberry.type
class ResourceUse:
    resource: ResourceEnum  # type: ignore[valid-type]
    limit: int | None = strawberry.field(description="The subscription's limit; null means unlimited")
    used: int = strawberry.field(description="Measured: disk (MB) at the end of the last collected day, traffic "
                                 "(MB) of that day's month, objects as last counted")


@strawberry.type(description="A subscription's measured usage, as of its last collected day.")
class SubscriptionUsage:
    collected_day: date | None = strawberry.field(description="null: never collected yet")
    resources: list[ResourceUse]
    over: list[UsageAlertKind] = strawberry.field(  # type: ignore[valid-type]
        description="The thresholds it is over since the last overuse check")


@strawberry.type
class UsagePeriod:
    period_start: date
    disk_mb: int = strawberry.field(description="At the end of the period, summed over the subscriptions")
    traffic_mb: int = strawberry.field(description="Served during the period")
    subscriptions: int = strawberry.field(description="Subscriptions with usage in the period")

    @classmethod
    def from_row(cls, row: usage_reports.UsagePeriod) -> UsagePeriod:
        return cls(period_start=row.period_start, disk_mb=row.disk_mb, traffic_mb=row.traffic_mb,
                   subscriptions=row.subscriptions)


@strawberry.type
class UsageReport:
    rows: list[UsagePeriod]
    csv: str = strawberry.field(description="The rows as CSV, sizes in bytes and in MB")


@strawberry.type
class TrafficReportLine:
    subscription_id: strawberry.ID
    domain_name: str
    customer_id: strawberry.ID | None
    traffic_mb: int
    disk_mb: int = strawberry.field(description="On the last day of the period with usage")

    @classmethod
    def from_row(cls, row: usage_reports.TrafficLine) -> TrafficReportLine:
        return cls(subscription_id=strawberry.ID(encode_id("Subscription", row.subscription_id)),
                   domain_name=row.domain_name,
                   customer_id=strawberry.ID(encode_id("Customer", row.customer_id)) if row.customer_id else None,
                   traffic_mb=row.traffic_mb, disk_mb=row.disk_mb)


@strawberry.type
class TrafficReport:
    rows: list[TrafficReportLine]
    csv: str = strawberry.field(description="The rows as CSV, sizes in bytes and in MB")


@strawberry.type(description="Who the seller's overuse notices go to (SPEC §4.2).")
class UsageNotificationSettings:
    notify_administrators: bool
    notify_customer: bool
    extra_addresses: list[str]


@strawberry.input
class UsageNotificationSettingsSetInput:
    notify_administrators: bool
    notify_customer: bool
    extra_addresses: list[str] = strawberry.field(default_factory=list, description="At most 10")


@strawberry.type
class UsageNotificationSettingsSetPayload:
    settings: UsageNotificationSettings | None = None
    errors: list[UsageError] = strawberry.field(default_factory=list)


@strawberry.enum
class UsageCollectDay(enum.Enum):
    TODAY = "today"  # so far
    YESTERDAY = "yesterday"


@strawberry.input
class UsageCollectInput:
    day: UsageCollectDay = UsageCollectDay.TODAY


@strawberry.type
class UsageCollectPayload:
    collected: int | None = strawberry.field(default=None, description="Subscriptions measured")
    errors: list[UsageError] = strawberry.field(default_factory=list)
