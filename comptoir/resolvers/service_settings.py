"""Resolver of a subscription's service settings: staff on the seller's, a customer on its own."""

from __future__ import annotations

import enum
from dataclasses import fields
from typing import Any

import strawberry
from strawberry.types import Info

from comptoir.hosting import service_settings
from comptoir.resolvers.subscriptions import load_subscription
from comptoir.schema.base import mutate
from comptoir.schema.ids import decode_id
from comptoir.schema.service_settings import SubscriptionServiceSettingsInput
from comptoir.schema.subscriptions import SubscriptionPayload
from comptoir.tenancy.context import Role

GROUPS = ("hosting", "php", "mail", "dns", "performance", "logs")


def changes_of(input: SubscriptionServiceSettingsInput) -> dict[str, Any]:
    """The settings the input sets, as 'group.setting' → stored value."""
    found: dict[str, Any] = {}
    for group in GROUPS:
        data = getattr(input, group)
        if data is None:
            continue
        for f in fields(data):
            value = getattr(data, f.name)
            if value is not strawberry.UNSET:
                found[f"{group}.{f.name}"] = _plain(value)
    return found


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


async def subscription_service_settings_update(info: Info, input: SubscriptionServiceSettingsInput
                                               ) -> SubscriptionPayload:
    as_customer = info.context.tenant.role is Role.CUSTOMER
    changes = changes_of(input)
    return await mutate(
        info, SubscriptionPayload,
        lambda s: service_settings.update(session=s, subscription_id=decode_id(input.id, "Subscription"),
                                          changes=changes, as_customer=as_customer),
        lambda row: _payload(info, row.id))


async def _payload(info: Info, subscription_id: Any) -> SubscriptionPayload:
    return SubscriptionPayload(subscription=await load_subscription(info, subscription_id))
