"""Query and Mutation fields of hosting servers, certificate stores and subscriptions' service settings."""

from __future__ import annotations

import strawberry

from comptoir.resolvers import servers as r
from comptoir.resolvers import service_settings as settings_resolvers
from comptoir.schema.permissions import IsAuthenticated, IsProvider, IsStaff
from comptoir.schema.servers import (
    HostingServer,
    HostingServerDeletePayload,
    HostingServerPayload,
    PlanServerPinPayload,
    ServerPoolEntry,
    SslCertificate,
    SslCertificateDeletePayload,
    SslCertificatePayload,
)
from comptoir.schema.subscriptions import SubscriptionPayload

PROVIDER = [IsProvider]
STAFF = [IsStaff]


@strawberry.type
class ServerQuery:
    hosting_servers: list[HostingServer] = strawberry.field(
        resolver=r.hosting_servers, permission_classes=PROVIDER, description="The servers the provider registered.")
    my_servers: list[ServerPoolEntry] = strawberry.field(
        resolver=r.my_servers, permission_classes=STAFF,
        description="The servers the seller may place subscriptions on (empty: the default server).")
    ssl_certificates: list[SslCertificate] = strawberry.field(
        resolver=r.ssl_certificates, permission_classes=STAFF, description="The seller's certificate store.")


@strawberry.type
class ServerMutation:
    hosting_server_register: HostingServerPayload = strawberry.mutation(
        resolver=r.hosting_server_register, permission_classes=PROVIDER,
        description="Register a server; it enters the provider's own pool.")
    hosting_server_update: HostingServerPayload = strawberry.mutation(
        resolver=r.hosting_server_update, permission_classes=PROVIDER)
    hosting_server_assign: HostingServerPayload = strawberry.mutation(
        resolver=r.hosting_server_assign, permission_classes=PROVIDER,
        description="Let a reseller place subscriptions on the server.")
    hosting_server_unassign: HostingServerPayload = strawberry.mutation(
        resolver=r.hosting_server_unassign, permission_classes=PROVIDER)
    hosting_server_delete: HostingServerDeletePayload = strawberry.mutation(
        resolver=r.hosting_server_delete, permission_classes=PROVIDER,
        description="Delete a server no subscription or plan uses.")
    plan_server_pin: PlanServerPinPayload = strawberry.mutation(
        resolver=r.plan_server_pin, permission_classes=STAFF,
        description="Place the plan's new subscriptions on one server of your pool (null: the least loaded).")
    ssl_certificate_add: SslCertificatePayload = strawberry.mutation(
        resolver=r.ssl_certificate_add, permission_classes=STAFF)
    ssl_certificate_delete: SslCertificateDeletePayload = strawberry.mutation(
        resolver=r.ssl_certificate_delete, permission_classes=STAFF,
        description="Remove a certificate no address of yours uses.")
    subscription_service_settings_update: SubscriptionPayload = strawberry.mutation(
        resolver=settings_resolvers.subscription_service_settings_update, permission_classes=[IsAuthenticated],
        description="Hosting, PHP, mail, DNS, performance, logs & statistics of one subscription: staff, or its"
                    " customer for each setting whose permission it holds. The webspace follows.")
