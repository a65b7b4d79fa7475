"""GraphQL types of outgoing webhooks (SPEC §12)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from comptoir.database.intents import IntentStatus
from comptoir.schema.base import Node, UserError, error_code_enum
from comptoir.schema.ids import encode_id
from comptoir.webhooks.models import WebhookDelivery as DeliveryModel
from comptoir.webhooks.models import WebhookEndpoint as EndpointModel
from comptoir.webhooks.service import EventType as _EventType
from comptoir.webhooks.service import WebhookErrorCode as _WebhookErrorCode

WebhookErrorCode = error_code_enum("WebhookErrorCode", _WebhookErrorCode)
WebhookEventType = strawberry.enum(_EventType, name="WebhookEventType",
                                   description="Business events an endpoint can subscribe to.")
WebhookDeliveryStatus = strawberry.enum(IntentStatus, name="WebhookDeliveryStatus")


@strawberry.type
class WebhookError(UserError):
    code: WebhookErrorCode  # type: ignore[valid-type]


@strawberry.type(description="An HTTPS endpoint receiving the seller's business events, signed as the Standard "
                             "Webhooks specification says (webhook-id, webhook-timestamp, webhook-signature).")
class WebhookEndpoint(Node):
    url: str
    description: str
    event_types: list[WebhookEventType]  # type: ignore[valid-type]
    enabled: bool
    disabled_reason: str = strawberry.field(description="Why it was disabled (repeated failures, or staff).")
    failed_deliveries: int = strawberry.field(description="Deliveries given up in a row; 5 disable the endpoint.")
    created_at: datetime

    @classmethod
    def from_model(cls, endpoint: EndpointModel) -> WebhookEndpoint:
        return cls(id=strawberry.ID(encode_id("WebhookEndpoint", endpoint.id)), url=endpoint.url,
                   description=endpoint.description,
                   event_types=[_EventType(value) for value in endpoint.event_types], enabled=endpoint.enabled,
                   disabled_reason=endpoint.disabled_reason, failed_deliveries=endpoint.failed_deliveries,
                   created_at=endpoint.created_at)


@strawberry.type(description="One event sent (or to send) to one endpoint, with its attempts.")
class WebhookDelivery(Node):
    endpoint_id: strawberry.ID
    message_id: str = strawberry.field(description="The webhook-id header: the same on retries and resends.")
    event_type: WebhookEventType  # type: ignore[valid-type]
    payload: JSON
    status: WebhookDeliveryStatus  # type: ignore[valid-type]
    attempts: int
    next_attempt_at: datetime
    last_error: str
    response_status: int | None
    created_at: datetime

    @classmethod
    def from_model(cls, delivery: DeliveryModel) -> WebhookDelivery:
        return cls(id=strawberry.ID(encode_id("WebhookDelivery", delivery.id)),
                   endpoint_id=strawberry.ID(encode_id("WebhookEndpoint", delivery.endpoint_id)),
                   message_id=delivery.message_id, event_type=_EventType(delivery.event_type),
                   payload=delivery.payload, status=IntentStatus(delivery.status), attempts=delivery.attempts,
                   next_attempt_at=delivery.next_attempt_at, last_error=delivery.last_error,
                   response_status=delivery.response_status, created_at=delivery.created_at)


@strawberry.input
class WebhookEndpointCreateInput:
    url: str
    event_types: list[WebhookEventType]  # type: ignore[valid-type]
    description: str = ""


@strawberry.input
class WebhookEndpointUpdateInput:
    id: strawberry.ID
    url: str
    event_types: list[WebhookEventType]  # type: ignore[valid-type]
    description: str = ""
    enabled: bool | None = strawberry.field(default=None, description="Re-enable (resets the failure count) "
                                                                      "or disable; null keeps it.")


@strawberry.input
class WebhookEndpointIdInput:
    id: strawberry.ID


@strawberry.input
class WebhookDeliveryIdInput:
    id: strawberry.ID


@strawberry.input
class WebhookDeliveryFilterInput:
    endpoint_id: strawberry.ID | None = None
    status: WebhookDeliveryStatus | None = None  # type: ignore[valid-type]


@strawberry.type
class WebhookEndpointPayload:
    endpoint: WebhookEndpoint | None = None
    secret: str | None = strawberry.field(default=None, description="The signing secret (whsec_…): given once, "
                                                                    "at creation.")
    errors: list[WebhookError] = strawberry.field(default_factory=list)


@strawberry.type
class WebhookEndpointDeletePayload:
    deleted_id: strawberry.ID | None = None
    errors: list[WebhookError] = strawberry.field(default_factory=list)


@strawberry.type
class WebhookDeliveryPayload:
    delivery: WebhookDelivery | None = None
    errors: list[WebhookError] = strawberry.field(default_factory=list)
