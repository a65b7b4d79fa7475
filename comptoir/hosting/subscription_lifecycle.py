"""A subscription's life after creation: hosting settings, transfer, suspension, expiration, renewal,
deletion (SPEC §4.1, §4.7)."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.errors import DomainError
from comptoir.hosting import ip_pools
from comptoir.hosting.errors import HostingErrorCode as E
from comptoir.hosting.models import Site, Subscription
from comptoir.hosting.provisioning import Action, request_provisioning
from comptoir.hosting.subscription_plans import make_custom, own_php_only
from comptoir.hosting.subscriptions import (
    SYSTEM_LOGIN,
    Status,
    SyncState,
    addon_ids,
    check_ip,
    flush_unique,
    get_or_raise,
    resync,
)
from comptoir.security import secrets
from comptoir.tenancy.models import Customer
from comptoir.webhooks import events as webhook_events


class SuspensionReason(enum.Enum):
    """Why a subscription is suspended. A customer whose only subscriptions EXPIRED cannot log in; one
    suspended by BILLING still can, to pay (tenancy.auth)."""

    MANUAL = "manual"
    EXPIRED = "expired"
    CUSTOMER = "customer"  # its customer was suspended
    OVERUSE = "overuse"  # disk or traffic over the limit with "suspend" (SPEC §4.2)
    BILLING = "billing"  # unpaid invoices (migration 0012)


def is_expired(subscription: Subscription, today: date) -> bool:
    return subscription.suspension_reason == SuspensionReason.EXPIRED.value or (
        subscription.expiration_date is not None and subscription.expiration_date <= today)


def change_hosting_settings(*, session: Session, subscription_id: uuid.UUID, ip_pool_id: uuid.UUID | None = None,
                            system_login: str | None = None, system_password: str | None = None) -> Subscription:
    subscription = get_or_raise(session, subscription_id=subscription_id, for_update=True)
    if ip_pool_id is not None and ip_pool_id != subscription.ip_pool_id:
        check_ip(session, subscription.seller_id, ip_pool_id, subscription.customer_id, ignoring=subscription.id)
        subscription.ip_pool_id = ip_pool_id
        ip_pools.require_dedicated_ip_for(session, subscription)
    if system_login is not None:
        if not SYSTEM_LOGIN.match(system_login):
            raise DomainError(E.INVALID_LOGIN, "Invalid system user name.", field="systemLogin")
        if system_login != subscription.system_login:
            request_provisioning(session, subscription)  # the webspace's system user is renamed
        subscription.system_login = system_login
    if system_password is not None:
        if not 8 <= len(system_password) <= 255:
            raise DomainError(E.PASSWORD_TOO_SHORT, "The password needs 8 to 255 characters.",
                              field="systemPassword")
        subscription.system_password = secrets.seal(system_password, seller_id=subscription.seller_id)
    subscription.updated_at = clock.now()
    flush_unique(session)
    return subscription


@dataclass(frozen=True)
class TransferPreview:
    subscription_id: uuid.UUID
    from_owner: uuid.UUID | None
    to_owner: uuid.UUID | None
    plan_removed: uuid.UUID | None
    addons_removed: tuple[uuid.UUID, ...]
    becomes_custom: bool


def preview_transfer(*, session: Session, subscription_id: uuid.UUID, to_customer_id: uuid.UUID | None
                     ) -> TransferPreview:
    """What a transfer will change, shown before it is confirmed."""
    subscription = get_or_raise(session, subscription_id=subscription_id)
    if to_customer_id is not None:
        customer = session.get(Customer, to_customer_id)
        if customer is None or customer.seller_id != subscription.seller_id:
            raise DomainError(E.OWNER_NOT_FOUND, "No such customer.", field="toCustomerId")
    if to_customer_id == subscription.customer_id:
        raise DomainError(E.SAME_OWNER, "The subscription already belongs to this owner.", field="toCustomerId")
    # The preview refuses what the transfer would: a dedicated address serves one customer only.
    check_ip(session, subscription.seller_id, subscription.ip_pool_id, to_customer_id, ignoring=subscription.id)
    return TransferPreview(subscription.id, subscription.customer_id, to_customer_id, subscription.plan_id,
                           tuple(addon_ids(session, subscription.id)), True)


def transfer(*, session: Session, subscription_id: uuid.UUID, to_customer_id: uuid.UUID | None) -> Subscription:
    """Give the subscription to another customer (or the seller): it is detached and becomes custom."""
    subscription = get_or_raise(session, subscription_id=subscription_id, for_update=True)
    preview_transfer(session=session, subscription_id=subscription_id, to_customer_id=to_customer_id)
    make_custom(session, subscription)
    subscription.customer_id = to_customer_id
    session.flush()
    session.execute(Site.__table__.update().where(Site.subscription_id == subscription.id).values(
        customer_id=to_customer_id))
    return subscription


def suspend(*, session: Session, subscription_id: uuid.UUID,
            reason: SuspensionReason = SuspensionReason.MANUAL) -> Subscription:
    subscription = get_or_raise(session, subscription_id=subscription_id, for_update=True)
    subscription.status, subscription.suspension_reason = Status.SUSPENDED.value, SuspensionReason(reason).value
    subscription.updated_at = clock.now()
    request_provisioning(session, subscription, action=Action.SUSPEND)
    webhook_events.subscription_changed(session, subscription, webhook_events.EventType.SUBSCRIPTION_SUSPENDED)
    return subscription


def activate(*, session: Session, subscription_id: uuid.UUID) -> Subscription:
    """Reactivate; an expired subscription activated by hand is suspended again by the next daily check."""
    subscription = get_or_raise(session, subscription_id=subscription_id, for_update=True)
    subscription.status, subscription.suspension_reason = Status.ACTIVE.value, ""
    subscription.updated_at = clock.now()
    request_provisioning(session, subscription, action=Action.ACTIVATE)
    return subscription


def process_expirations(*, session: Session, today: date) -> list[uuid.UUID]:
    """Daily check: suspend every active subscription whose expiration date has come."""
    due = list(session.scalars(select(Subscription).where(
        Subscription.status == Status.ACTIVE.value, Subscription.expiration_date <= today).with_for_update(
        skip_locked=True)))
    for subscription in due:
        subscription.status, subscription.suspension_reason = Status.SUSPENDED.value, SuspensionReason.EXPIRED.value
        subscription.updated_at = clock.now()
        request_provisioning(session, subscription, action=Action.SUSPEND)
        webhook_events.subscription_changed(session, subscription, webhook_events.EventType.SUBSCRIPTION_SUSPENDED)
    return [s.id for s in due]


def renew(*, session: Session, subscription_id: uuid.UUID, expiration: date | None) -> Subscription:
    """Renew an expired subscription: activate, new expiration date (or unlimited), unlock & sync. A
    subscription that has not expired is refused (NOT_EXPIRED): renewal would silently reset it."""
    subscription = get_or_raise(session, subscription_id=subscription_id, for_update=True)
    if not is_expired(subscription, clock.today()):
        raise DomainError(E.NOT_EXPIRED, "This subscription has not expired; only an expired one is renewed.",
                          field="id")
    if expiration is not None and expiration <= clock.today():
        raise DomainError(E.INVALID, "The new expiration date must be in the future.", field="expirationDate")
    subscription.expiration_date = expiration
    subscription.status, subscription.suspension_reason = Status.ACTIVE.value, ""
    request_provisioning(session, subscription, action=Action.ACTIVATE)
    if subscription.plan_id is not None:
        subscription.sync_state = SyncState.SYNCED.value
        subscription.customization = own_php_only(subscription)
    return resync(session, subscription)


def delete_subscription(*, session: Session, subscription_id: uuid.UUID, confirm: bool) -> uuid.UUID:
    if not confirm:
        raise DomainError(E.CONFIRMATION_REQUIRED, "Deleting removes the subscription and its sites: confirm it.",
                          field="confirm")
    subscription = get_or_raise(session, subscription_id=subscription_id, for_update=True)
    request_provisioning(session, subscription, action=Action.DELETE)
    webhook_events.subscription_changed(session, subscription, webhook_events.EventType.SUBSCRIPTION_CANCELLED)
    session.delete(subscription)
    session.flush()
    return subscription_id
