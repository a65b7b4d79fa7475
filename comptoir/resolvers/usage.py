"""Resolvers of measured usage: per subscription (a loader per page), reports, on-demand collection,
overuse recipients (thin: parse, call hosting.usage*, build types)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date
from typing import Annotated

import strawberry
from sqlalchemy.orm import Session
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from comptoir.audit import recorder
from comptoir.hosting import overuse, usage, usage_reports
from comptoir.hosting import plan_values as pv
from comptoir.hosting.models import Subscription as SubscriptionModel
from comptoir.hosting.usage_reports import Granularity as _Granularity
from comptoir.hosting.usage_rules import Alert
from comptoir.hosting.vocabulary import Resource
from comptoir.schema.base import mutate
from comptoir.schema.context import Context
from comptoir.schema.dataloaders import Loader
from comptoir.schema.ids import decode_id
from comptoir.schema.usage import (
    ResourceUse,
    SubscriptionUsage,
    TrafficReport,
    TrafficReportLine,
    UsageCollectDay,
    UsageCollectInput,
    UsageCollectPayload,
    UsageNotificationSettings,
    UsageNotificationSettingsSetInput,
    UsageNotificationSettingsSetPayload,
    UsagePeriod,
    UsageReport,
)
from comptoir.tenancy.context import Role

MEASURED = (Resource.DISK_SPACE, Resource.TRAFFIC)


# ---- per subscription -----------------------------------------------------------------------------

class SubscriptionUsageLoader(Loader[SubscriptionModel, SubscriptionUsage]):
    """Measured usage of a page's subscriptions, keyed by subscription: a few queries whatever its size."""

    def __init__(self, context: Context) -> None:
        super().__init__(context, cache_key_fn=lambda model: model.id)

    def fetch(self, session: Session, keys: list[SubscriptionModel]) -> list[SubscriptionUsage]:
        return _subscription_usage(session, keys)


def usage_loader(info: Info) -> DataLoader[SubscriptionModel, SubscriptionUsage]:
    return info.context.loaders.extra("subscription_usage", SubscriptionUsageLoader)


def _subscription_usage(session: Session, models: list[SubscriptionModel]) -> list[SubscriptionUsage]:
    ids = [model.id for model in models]
    figures = usage.subscription_figures(session, ids)
    days = {row.subscription_id: row.day for row in usage.latest(session, ids).values()}
    alerts = overuse.alerts_of(session, ids)
    built = []
    for model in models:
        values, used = pv.from_json(model.values), figures.get(model.id, {})
        shown = [*MEASURED, *(r for r in used if r not in MEASURED)]
        built.append(SubscriptionUsage(
            collected_day=days.get(model.id),
            resources=[ResourceUse(resource=r, limit=values.limit(r), used=used.get(r, 0)) for r in shown],
            over=[Alert(a) for a in alerts.get(model.id, [])]))
    return built


# ---- reports --------------------------------------------------------------------------------------

def _scope_customer(info: Info, customer_id: strawberry.ID | None) -> uuid.UUID | None:
    tenant = info.context.tenant
    if tenant.role is Role.CUSTOMER:
        return tenant.customer_id  # row security confines a customer anyway; the filter says it plainly
    return decode_id(customer_id, "Customer", field="customerId") if customer_id else None


async def usage_report(
    info: Info, from_: Annotated[date, strawberry.argument(name="from")], to: date,
    granularity: _Granularity = _Granularity.DAY, subscription_id: strawberry.ID | None = None,
    customer_id: strawberry.ID | None = None,
) -> UsageReport:
    subscription = decode_id(subscription_id, "Subscription", field="subscriptionId") if subscription_id else None
    customer = _scope_customer(info, customer_id)
    seller_id = info.context.tenant.seller_id

    def load(session: Session) -> UsageReport:
        rows = usage_reports.usage_periods(session=session, seller_id=seller_id, start=from_, end=to,
                                           granularity=granularity,
                                           subscription_id=subscription, customer_id=customer)
        return UsageReport(rows=[UsagePeriod.from_row(r) for r in rows],
                           csv=usage_reports.as_csv(rows, usage_reports.UsagePeriod))

    return await info.context.run(load)


async def traffic_report(info: Info, from_: Annotated[date, strawberry.argument(name="from")], to: date,
                         customer_id: strawberry.ID | None = None) -> TrafficReport:
    customer = _scope_customer(info, customer_id)
    seller_id = info.context.tenant.seller_id

    def load(session: Session) -> TrafficReport:
        rows = usage_reports.traffic_report(session=session, seller_id=seller_id, start=from_, end=to,
                                            customer_id=customer)
        return TrafficReport(rows=[TrafficReportLine.from_row(r) for r in rows],
                             csv=usage_reports.as_csv(rows, usage_reports.TrafficLine))

    return await info.context.run(load)


# ---- collection on demand, recipients ------------------------------------------------------------

async def usage_collect(info: Info, input: UsageCollectInput | None = None) -> UsageCollectPayload:
    """Collect the seller's usage now: today so far, or yesterday again (on a worker thread, in the
    system context: the request's session must not be shared with it)."""
    seller_id = info.context.tenant.seller_id
    back = 1 if input and input.day is UsageCollectDay.YESTERDAY else 0
    with recorder.origin(operation=info.field_name):  # the worker thread's session records it
        result = await asyncio.to_thread(usage.collect_on_demand, seller_id=seller_id, days_back=back)
    return UsageCollectPayload(collected=result["collected"])


def _settings(recipients: overuse.Recipients) -> UsageNotificationSettings:
    return UsageNotificationSettings(notify_administrators=recipients.notify_administrators,
                                     notify_customer=recipients.notify_customer,
                                     extra_addresses=list(recipients.extra_addresses))


async def usage_notification_settings(info: Info) -> UsageNotificationSettings:
    seller_id = info.context.tenant.seller_id
    return _settings(await info.context.run(lambda s: overuse.get_recipients(session=s, seller_id=seller_id)))


async def usage_notification_settings_set(info: Info, input: UsageNotificationSettingsSetInput
                                          ) -> UsageNotificationSettingsSetPayload:
    seller_id = info.context.tenant.seller_id
    wanted = overuse.Recipients(input.notify_administrators, input.notify_customer, tuple(input.extra_addresses))
    return await mutate(
        info, UsageNotificationSettingsSetPayload,
        lambda s: overuse.set_recipients(session=s, seller_id=seller_id, recipients=wanted),
        lambda saved: UsageNotificationSettingsSetPayload(settings=_settings(saved)))
