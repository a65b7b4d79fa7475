"""Resolvers of outgoing webhooks: endpoints and their deliveries (seller staff)."""

from __future__ import annotations

import strawberry
from sqlalchemy.orm import Session
from strawberry.types import Info

from comptoir.database.pagination import SortDirection
from comptoir.schema.base import Connection, mutate, page_request
from comptoir.schema.ids import decode_id, decode_optional_id, encode_id
from comptoir.schema.webhooks import (
    WebhookDelivery,
    WebhookDeliveryFilterInput,
    WebhookDeliveryIdInput,
    WebhookDeliveryPayload,
    WebhookEndpoint,
    WebhookEndpointCreateInput,
    WebhookEndpointDeletePayload,
    WebhookEndpointIdInput,
    WebhookEndpointPayload,
    WebhookEndpointUpdateInput,
)
from comptoir.webhooks import service
from comptoir.webhooks.service import EndpointInput


async def webhook_endpoints(info: Info, first: int | None = None, after: str | None = None
                            ) -> Connection[WebhookEndpoint]:
    request = page_request(info, first, after, SortDirection.ASC)
    seller_id = info.context.tenant.seller_id

    def load(session: Session) -> Connection[WebhookEndpoint]:
        page = service.list_endpoints(session, seller_id=seller_id, page=request)
        return Connection[WebhookEndpoint].from_page(page, WebhookEndpoint.from_model)
    return await info.context.run(load)


async def webhook_deliveries(info: Info, first: int | None = None, after: str | None = None,
                             filter: WebhookDeliveryFilterInput | None = None) -> Connection[WebhookDelivery]:
    request = page_request(info, first, after, SortDirection.DESC)
    seller_id = info.context.tenant.seller_id
    endpoint_id = decode_optional_id(filter.endpoint_id if filter else None, "WebhookEndpoint", field="endpointId")
    status = filter.status.value if filter and filter.status else None

    def load(session: Session) -> Connection[WebhookDelivery]:
        page = service.list_deliveries(session, seller_id=seller_id, endpoint_id=endpoint_id, status=status,
                                       page=request)
        return Connection[WebhookDelivery].from_page(page, WebhookDelivery.from_model)
    return await info.context.run(load)


async def webhook_endpoint_create(info: Info, input: WebhookEndpointCreateInput) -> WebhookEndpointPayload:
    seller_id = info.context.tenant.seller_id
    given = EndpointInput(input.url, tuple(input.event_types), input.description)
    return await mutate(
        info, WebhookEndpointPayload,
        lambda s: service.create_endpoint(s, seller_id=seller_id, given=given),
        lambda made: WebhookEndpointPayload(endpoint=WebhookEndpoint.from_model(made[0]), secret=made[1]))


async def webhook_endpoint_update(info: Info, input: WebhookEndpointUpdateInput) -> WebhookEndpointPayload:
    seller_id = info.context.tenant.seller_id
    given = EndpointInput(input.url, tuple(input.event_types), input.description)
    return await mutate(
        info, WebhookEndpointPayload,
        lambda s: WebhookEndpoint.from_model(service.update_endpoint(
            s, seller_id=seller_id, endpoint_id=decode_id(input.id, "WebhookEndpoint"), given=given,
            enabled=input.enabled)),
        lambda endpoint: WebhookEndpointPayload(endpoint=endpoint))


async def webhook_endpoint_delete(info: Info, input: WebhookEndpointIdInput) -> WebhookEndpointDeletePayload:
    seller_id = info.context.tenant.seller_id
    return await mutate(
        info, WebhookEndpointDeletePayload,
        lambda s: service.delete_endpoint(s, seller_id=seller_id, endpoint_id=decode_id(input.id, "WebhookEndpoint")),
        lambda deleted: WebhookEndpointDeletePayload(deleted_id=strawberry.ID(encode_id("WebhookEndpoint", deleted))))


async def webhook_delivery_resend(info: Info, input: WebhookDeliveryIdInput) -> WebhookDeliveryPayload:
    seller_id = info.context.tenant.seller_id
    return await mutate(
        info, WebhookDeliveryPayload,
        lambda s: WebhookDelivery.from_model(service.resend(s, seller_id=seller_id,
                                                            delivery_id=decode_id(input.id, "WebhookDelivery"))),
        lambda delivery: WebhookDeliveryPayload(delivery=delivery))
