"""Endpoints, events and deliveries of outgoing webhooks.

`emit` is what domain code calls, inside the transaction of the change: it writes one delivery intent per
enabled endpoint subscribed to the event, so an event is delivered if and only if its change commits.
`deliver` is the intent's handler: POST the signed body, 2xx or it raises (retried with backoff); when an
endpoint's deliveries keep failing for good it is disabled and the seller is told by e-mail.
"""

from __future__ import annotations

import enum
import ipaddress
import json
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.database.intents import IntentStatus
from comptoir.database.pagination import Page, PageRequest, paginate
from comptoir.errors import DomainError, ErrorCode
from comptoir.messaging import outbox
from comptoir.security import secrets
from comptoir.settings import get_settings
from comptoir.tenancy.models import Seller
from comptoir.webhooks import signing
from comptoir.webhooks.models import WebhookDelivery, WebhookEndpoint

MAX_ATTEMPTS = 8  # 30 s, 1, 2, 4, 8, 16, 32 min: about an hour of retries
DISABLE_AFTER = 5  # deliveries given up in a row
TIMEOUT_SECONDS = 10
MAX_ENDPOINTS = 20


class EventType(enum.Enum):
    ORDER_COMPLETED = "order.completed"
    INVOICE_ISSUED = "invoice.issued"
    INVOICE_PAID = "invoice.paid"
    INVOICE_OVERDUE = "invoice.overdue"
    PAYMENT_SUCCEEDED = "payment.succeeded"
    PAYMENT_FAILED = "payment.failed"
    SUBSCRIPTION_CREATED = "subscription.created"
    SUBSCRIPTION_SUSPENDED = "subscription.suspended"
    SUBSCRIPTION_CANCELLED = "subscription.cancelled"
    CUSTOMER_CREATED = "customer.created"


class WebhookErrorCode(ErrorCode):
    ENDPOINT_NOT_FOUND = "endpoint_not_found"
    DELIVERY_NOT_FOUND = "delivery_not_found"
    URL_INVALID = "url_invalid"
    NO_EVENT_TYPES = "no_event_types"
    TOO_MANY_ENDPOINTS = "too_many_endpoints"


class DeliveryRefused(Exception):
    """The endpoint answered, but not with 2xx."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status}")
        self.status, self.body = status, body


@dataclass(frozen=True)
class EndpointInput:
    url: str
    event_types: tuple[EventType, ...]
    description: str = ""


# -- endpoints -----------------------------------------------------------------------------------------------

def check_url(url: str) -> str:
    """https (http too where settings allow it: development, tests on loopback); no credentials in it."""
    parts = urlsplit(url.strip())
    allowed = {"https", "http"} if get_settings().webhooks_allow_http else {"https"}
    if parts.scheme not in allowed or not parts.hostname or parts.username or parts.password or len(url) > 2000:
        raise DomainError(WebhookErrorCode.URL_INVALID, f"Give an {' or '.join(sorted(allowed))} URL without "
                                                         "credentials.", field="url")
    if not get_settings().webhooks_allow_private and _is_private(parts.hostname):
        raise DomainError(WebhookErrorCode.URL_INVALID, "Private and loopback addresses are refused.", field="url")
    return url.strip()


def _is_private(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host == "localhost" or host.endswith(".localhost")
    return not address.is_global


def _checked(given: EndpointInput) -> EndpointInput:
    if not given.event_types:
        raise DomainError(WebhookErrorCode.NO_EVENT_TYPES, "Subscribe the endpoint to at least one event.",
                          field="eventTypes")
    if len(given.description) > 255:
        raise DomainError(WebhookErrorCode.URL_INVALID, "A description has at most 255 characters.",
                          field="description")
    return EndpointInput(check_url(given.url), tuple(dict.fromkeys(given.event_types)), given.description)


def create_endpoint(session: Session, *, seller_id: uuid.UUID, given: EndpointInput) -> tuple[WebhookEndpoint, str]:
    """The new endpoint and its signing secret (shown once; stored sealed)."""
    checked = _checked(given)
    existing = session.scalars(select(WebhookEndpoint.id).where(WebhookEndpoint.seller_id == seller_id)).all()
    if len(existing) >= MAX_ENDPOINTS:
        raise DomainError(WebhookErrorCode.TOO_MANY_ENDPOINTS, f"At most {MAX_ENDPOINTS} endpoints.", field="url")
    secret = signing.new_secret()
    endpoint = WebhookEndpoint(seller_id=seller_id, url=checked.url, description=checked.description,
                               event_types=[t.value for t in checked.event_types],
                               secret_sealed=secrets.seal(secret, seller_id=seller_id))
    session.add(endpoint)
    session.flush()
    return endpoint, secret


def get_endpoint(session: Session, *, seller_id: uuid.UUID, endpoint_id: uuid.UUID, lock: bool = False
                 ) -> WebhookEndpoint:
    endpoint = session.get(WebhookEndpoint, endpoint_id, with_for_update=lock or None)
    if endpoint is None or endpoint.seller_id != seller_id:
        raise DomainError(WebhookErrorCode.ENDPOINT_NOT_FOUND, "No webhook endpoint with this id.", field="id")
    return endpoint


def update_endpoint(session: Session, *, seller_id: uuid.UUID, endpoint_id: uuid.UUID, given: EndpointInput,
                    enabled: bool | None) -> WebhookEndpoint:
    checked = _checked(given)
    endpoint = get_endpoint(session, seller_id=seller_id, endpoint_id=endpoint_id, lock=True)
    endpoint.url, endpoint.description = checked.url, checked.description
    endpoint.event_types = [t.value for t in checked.event_types]
    if enabled is not None:
        _set_enabled(endpoint, enabled)
    endpoint.updated_at = clock.now()
    session.flush()
    return endpoint


def _set_enabled(endpoint: WebhookEndpoint, enabled: bool) -> None:
    endpoint.enabled = enabled
    endpoint.disabled_reason = "" if enabled else "disabled by staff"
    if enabled:
        endpoint.failed_deliveries = 0


def delete_endpoint(session: Session, *, seller_id: uuid.UUID, endpoint_id: uuid.UUID) -> uuid.UUID:
    endpoint = get_endpoint(session, seller_id=seller_id, endpoint_id=endpoint_id, lock=True)
    session.delete(endpoint)
    session.flush()
    return endpoint_id


def list_endpoints(session: Session, *, seller_id: uuid.UUID, page: PageRequest) -> Page[WebhookEndpoint]:
    statement = select(WebhookEndpoint).where(WebhookEndpoint.seller_id == seller_id)
    return paginate(session, statement, page, sort_column=WebhookEndpoint.created_at, id_column=WebhookEndpoint.id)


# -- events --------------------------------------------------------------------------------------------------

def emit(session: Session, *, seller_id: uuid.UUID, event_type: EventType, data: dict[str, Any]) -> int:
    """Queue the event for each enabled endpoint subscribed to it; how many deliveries were queued."""
    # Ids only, through a narrow look-up: a customer or a storefront visitor may emit, not read endpoints.
    endpoint_ids = list(session.scalars(text("SELECT comptoir_webhook_endpoints_for(:event)"),
                                        {"event": event_type.value}))
    event_id = f"evt_{uuid.uuid4().hex}"
    payload = {"id": event_id, "type": event_type.value, "timestamp": clock.now().isoformat(), "data": data}
    for endpoint_id in endpoint_ids:
        session.add(WebhookDelivery(seller_id=seller_id, endpoint_id=endpoint_id, event_type=event_type.value,
                                    message_id=f"msg_{uuid.uuid4().hex}", payload=payload))
    if endpoint_ids:
        session.flush()
    return len(endpoint_ids)


# -- deliveries ----------------------------------------------------------------------------------------------

def body_of(delivery: WebhookDelivery) -> bytes:
    return json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()


def deliver(session: Session, delivery: WebhookDelivery) -> None:
    """One attempt: POST the signed body; anything but 2xx raises (the intent retries with backoff)."""
    endpoint = session.get(WebhookEndpoint, delivery.endpoint_id)
    delivery.last_attempt_at = clock.now()
    if endpoint is None or not endpoint.enabled:
        delivery.response_body = "endpoint deleted or disabled: not sent"
        return
    secret = secrets.unseal(endpoint.secret_sealed)
    body = body_of(delivery)
    response = httpx.post(endpoint.url, content=body, headers=signing.headers(secret, delivery.message_id, body),
                          timeout=TIMEOUT_SECONDS, follow_redirects=False)
    if not 200 <= response.status_code < 300:
        raise DeliveryRefused(response.status_code, response.text[:1000])
    delivery.response_status, delivery.response_body = response.status_code, response.text[:1000]
    endpoint.failed_deliveries = 0


def attempt_failed(session: Session, delivery: WebhookDelivery, error: Exception) -> None:
    """Record the endpoint's answer; after the last attempt, count the delivery against the endpoint and,
    past the threshold, disable it and tell the seller."""
    delivery.last_attempt_at = clock.now()
    if isinstance(error, DeliveryRefused):
        delivery.response_status, delivery.response_body = error.status, error.body
    if delivery.status != IntentStatus.FAILED.value:
        return
    endpoint = session.get(WebhookEndpoint, delivery.endpoint_id, with_for_update=True)
    if endpoint is None or not endpoint.enabled:
        return
    endpoint.failed_deliveries += 1
    if endpoint.failed_deliveries < DISABLE_AFTER:
        return
    endpoint.enabled = False
    endpoint.disabled_reason = f"{endpoint.failed_deliveries} deliveries failed in a row"
    seller = session.get(Seller, endpoint.seller_id)
    if seller is not None and seller.email:
        outbox.enqueue(session=session, seller_id=seller.id, customer_id=None, to_address=seller.email,
                       template="webhook_endpoint_disabled", language=seller.locale,
                       variables={"url": endpoint.url, "failures": endpoint.failed_deliveries})


def resend(session: Session, *, seller_id: uuid.UUID, delivery_id: uuid.UUID) -> WebhookDelivery:
    """A new delivery of the same message (same webhook-id: the receiver may drop it as a duplicate)."""
    original = session.get(WebhookDelivery, delivery_id)
    if original is None or original.seller_id != seller_id:
        raise DomainError(WebhookErrorCode.DELIVERY_NOT_FOUND, "No webhook delivery with this id.", field="id")
    get_endpoint(session, seller_id=seller_id, endpoint_id=original.endpoint_id)
    copy = WebhookDelivery(seller_id=seller_id, endpoint_id=original.endpoint_id, event_type=original.event_type,
                           message_id=original.message_id, payload=original.payload)
    session.add(copy)
    session.flush()
    return copy


def list_deliveries(session: Session, *, seller_id: uuid.UUID, endpoint_id: uuid.UUID | None,
                    status: str | None, page: PageRequest) -> Page[WebhookDelivery]:
    statement = select(WebhookDelivery).where(WebhookDelivery.seller_id == seller_id)
    if endpoint_id is not None:
        statement = statement.where(WebhookDelivery.endpoint_id == endpoint_id)
    if status is not None:
        statement = statement.where(WebhookDelivery.status == status)
    return paginate(session, statement, page, sort_column=WebhookDelivery.created_at, id_column=WebhookDelivery.id)
