"""Query and Mutation fields of measured usage (SPEC §4.12) and the overuse recipients (SPEC §4.2)."""

from __future__ import annotations

import strawberry

from comptoir.resolvers import usage as r
from comptoir.schema.permissions import IsAuthenticated, IsStaff
from comptoir.schema.usage import (
    TrafficReport,
    UsageCollectPayload,
    UsageNotificationSettings,
    UsageNotificationSettingsSetPayload,
    UsageReport,
)


@strawberry.type
class UsageQuery:
    usage_report: UsageReport = strawberry.field(
        resolver=r.usage_report, permission_classes=[IsAuthenticated],
        description="Usage per day or month (inclusive dates; days in the seller's time zone) for one subscription, "
                    "one customer or all the seller's subscriptions; customers see their own. Chartable rows "
                    "and CSV.")
    traffic_report: TrafficReport = strawberry.field(
        resolver=r.traffic_report, permission_classes=[IsAuthenticated],
        description="Traffic per subscription over a period, the busiest first; rows and CSV.")
    usage_notification_settings: UsageNotificationSettings = strawberry.field(
        resolver=r.usage_notification_settings, permission_classes=[IsStaff],
        description="Who the seller's overuse notices go to.")


@strawberry.type
class UsageMutation:
    usage_collect: UsageCollectPayload = strawberry.mutation(
        resolver=r.usage_collect, permission_classes=[IsStaff],
        description="Collect the seller's usage now (the daily event does it every night).")
    usage_notification_settings_set: UsageNotificationSettingsSetPayload = strawberry.mutation(
        resolver=r.usage_notification_settings_set, permission_classes=[IsStaff],
        description="Choose who overuse notices go to: administrators, the customer, extra addresses.")
