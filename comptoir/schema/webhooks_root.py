"""Query and Mutation fields of outgoing webhooks (SPEC §12)."""

from __future__ import annotations

import strawberry

from comptoir.resolvers import webhooks as r
from comptoir.schema.base import Connection
from comptoir.schema.permissions import IsStaff
from comptoir.schema.webhooks import (
    WebhookDelivery,
    WebhookDeliveryPayload,
    WebhookEndpoint,
    WebhookEndpointDeletePayload,
    WebhookEndpointPayload,
)


@strawberry.type
class WebhookQuery:
    webhook_endpoints: Connection[WebhookEndpoint] = strawberry.field(
        resolver=r.webhook_endpoints, permission_classes=[IsStaff], description="The seller's endpoints, oldest first.")
    webhook_deliveries: Connection[WebhookDelivery] = strawberry.field(
        resolver=r.webhook_deliveries, permission_classes=[IsStaff],
        description="The delivery log, newest first: status, attempts, last error, the endpoint's answer.")


@strawberry.type
class WebhookMutation:
    webhook_endpoint_create: WebhookEndpointPayload = strawberry.mutation(
        resolver=r.webhook_endpoint_create, permission_classes=[IsStaff],
        description="Subscribe an endpoint to events; the payload carries its signing secret, once.")
    webhook_endpoint_update: WebhookEndpointPayload = strawberry.mutation(
        resolver=r.webhook_endpoint_update, permission_classes=[IsStaff])
    webhook_endpoint_delete: WebhookEndpointDeletePayload = strawberry.mutation(
        resolver=r.webhook_endpoint_delete, permission_classes=[IsStaff])
    webhook_delivery_resend: WebhookDeliveryPayload = strawberry.mutation(
        resolver=r.webhook_delivery_resend, permission_classes=[IsStaff],
        description="Send a delivery's message again (same webhook-id).")
