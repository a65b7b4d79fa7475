"""The business events domain code emits, with the data each carries (ids as plain UUIDs)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from comptoir.webhooks.service import EventType, emit

__all__ = ["EventType", "customer_created", "subscription_changed", "emit"]


def customer_created(session: Session, customer: Any) -> None:
    emit(session, seller_id=customer.seller_id, event_type=EventType.CUSTOMER_CREATED, data={"customer": {
        "id": str(customer.id), "status": customer.status, "contactName": customer.contact_name,
        "companyName": customer.company_name, "email": customer.email, "country": customer.country}})


def subscription_changed(session: Session, subscription: Any, event_type: EventType) -> None:
    emit(session, seller_id=subscription.seller_id, event_type=event_type, data={"subscription": {
        "id": str(subscription.id), "customerId": str(subscription.customer_id) if subscription.customer_id else None,
        "planId": str(subscription.plan_id) if subscription.plan_id else None,
        "domainName": subscription.domain_name, "status": subscription.status,
        "suspensionReason": subscription.suspension_reason}})
