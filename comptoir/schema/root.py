"""The one schema: Query and Mutation declare fields only; resolvers live in comptoir.resolvers."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.tools import merge_types
from strawberry.types import Info

from comptoir.resolvers import accounts as account_resolvers
from comptoir.resolvers import billing as billing_resolvers
from comptoir.resolvers import branding as branding_resolvers
from comptoir.resolvers import customers as customer_resolvers
from comptoir.resolvers import domains as domain_resolvers
from comptoir.resolvers import documents as document_resolvers
from comptoir.resolvers import ip_addresses as ip_resolvers
from comptoir.resolvers import payments as payment_resolvers
from comptoir.resolvers import messaging as messaging_resolvers
from comptoir.resolvers import plans as plan_resolvers
from comptoir.resolvers import resellers as reseller_resolvers
from comptoir.resolvers import servers as server_resolvers
from comptoir.resolvers import subscriptions as subscription_resolvers
from comptoir.schema import accounts as account_types
from comptoir.schema.audit_root import AuditQuery
from comptoir.schema.automation_root import AutomationMutation, AutomationQuery
from comptoir.schema.base import Connection, Node, check_error_codes
from comptoir.schema.billing import Invoice
from comptoir.schema.billing_root import BillingMutation, BillingQuery
from comptoir.schema.branding import CustomButton
from comptoir.schema.branding_root import BrandingMutation, BrandingQuery
from comptoir.schema.customers import Customer
from comptoir.schema.encryption_root import EncryptionMutation, EncryptionQuery
from comptoir.schema.domains import Domain, RegistrarAccount
from comptoir.schema.domains_root import DomainsMutation, DomainsQuery
from comptoir.schema.documents import Document
from comptoir.schema.documents_root import DocumentMutation, DocumentQuery
from comptoir.schema.extensions import MaskInternalErrors, OperationTransaction, Schema, SingleOperation
from comptoir.schema.hosting import BackgroundJob, Plan
from comptoir.schema.hosting_root import HostingMutation, HostingQuery
from comptoir.schema.ids import parse_id
from comptoir.schema.ip_addresses import IpAddress, IpPoolEntry
from comptoir.schema.ip_addresses_root import IpMutation, IpQuery
from comptoir.schema.payments import GatewayConfig, Payment, PaymentMethod
from comptoir.schema.payments_root import PaymentsMutation, PaymentsQuery
from comptoir.schema.messaging import Email, MassEmail
from comptoir.schema.messaging_root import MessagingMutation, MessagingQuery
from comptoir.schema.permissions import IsAuthenticated, IsProvider, IsReseller, IsStaff
from comptoir.schema.pricing_root import PricingMutation, PricingQuery
from comptoir.schema.resellers import (
    OversellingPolicySetPayload,
    Reseller,
    ResellerAllocation,
    ResellerDeletePayload,
    ResellerPayload,
)
from comptoir.schema.servers import HostingServer, ServerPoolEntry, SslCertificate
from comptoir.schema.servers_root import ServerMutation, ServerQuery
from comptoir.schema.skeletons_root import SkeletonMutation, SkeletonQuery
from comptoir.schema.storefront import Offer, Store
from comptoir.schema.storefront_cart import Order
from comptoir.schema.storefront_home_root import StorefrontHomeMutation, StorefrontHomeQuery
from comptoir.schema.storefront_root import StorefrontMutation, StorefrontQuery
from comptoir.schema.subscriptions import Subscription
from comptoir.schema.updates_root import SubscriptionRoot
from comptoir.schema.uploads import SCALAR_OVERRIDES
from comptoir.schema.usage_root import UsageMutation, UsageQuery
from comptoir.schema.webhooks_root import WebhookMutation, WebhookQuery
from comptoir.settings import get_settings
from comptoir.tenancy.context import Role
from comptoir.tenancy.models import User as UserModel
from comptoir.tenancy.models import UserSession as SessionModel

NodeLoader = Callable[[Info, uuid.UUID], Awaitable[Any]]


async def _user_node(info: Info, user_id: uuid.UUID) -> account_types.User | None:
    user = await info.context.loaders.rows(UserModel).load(user_id)
    return account_types.User.from_model(user) if user else None


async def _session_node(info: Info, session_id: uuid.UUID) -> account_types.Session | None:
    context = info.context
    row = await context.loaders.rows(SessionModel).load(session_id)
    if row is None or row.user_id != context.tenant.user_id:
        return None
    return account_types.Session.from_model(row, current_id=context.tenant.session_id)


# Which roles may fetch each node type; the database then decides which rows they see.
NODE_LOADERS: dict[str, tuple[frozenset[Role], NodeLoader]] = {
    "User": (frozenset({Role.PROVIDER, Role.RESELLER, Role.CUSTOMER}), _user_node),
    "Session": (frozenset({Role.PROVIDER, Role.RESELLER, Role.CUSTOMER}), _session_node),
    "Reseller": (frozenset({Role.PROVIDER}), reseller_resolvers.load_reseller),
    "Customer": (frozenset({Role.PROVIDER, Role.RESELLER, Role.CUSTOMER}), customer_resolvers.load_customer),
    "Plan": (frozenset({Role.PROVIDER, Role.RESELLER}), plan_resolvers.load_plan),
    "Subscription": (frozenset({Role.PROVIDER, Role.RESELLER, Role.CUSTOMER}), subscription_resolvers.load_subscription),
    "BackgroundJob": (frozenset({Role.PROVIDER, Role.RESELLER}), plan_resolvers.load_job),
    "CustomButton": (frozenset({Role.PROVIDER, Role.RESELLER, Role.CUSTOMER}),
                     branding_resolvers.load_custom_button),
    "IpAddress": (frozenset({Role.PROVIDER}), ip_resolvers.load_ip_address),
    "IpPoolEntry": (frozenset({Role.PROVIDER, Role.RESELLER}), ip_resolvers.load_ip_pool_entry),
    "HostingServer": (frozenset({Role.PROVIDER}), server_resolvers.load_hosting_server),
    "ServerPoolEntry": (frozenset({Role.PROVIDER, Role.RESELLER, Role.CUSTOMER}),
                        server_resolvers.load_server_pool_entry),
    "SslCertificate": (frozenset({Role.PROVIDER, Role.RESELLER}), server_resolvers.load_certificate),
    "Invoice": (frozenset({Role.PROVIDER, Role.RESELLER, Role.CUSTOMER}), billing_resolvers.load_invoice),
    # a customer reads its own payments and methods (the database confines it to them)
    "Payment": (frozenset({Role.PROVIDER, Role.RESELLER, Role.CUSTOMER}), payment_resolvers.load_payment),
    "PaymentMethod": (frozenset({Role.PROVIDER, Role.RESELLER, Role.CUSTOMER}), payment_resolvers.load_payment_method),
    "Email": (frozenset({Role.PROVIDER, Role.RESELLER}), messaging_resolvers.load_email),
    "MassEmail": (frozenset({Role.PROVIDER, Role.RESELLER}), messaging_resolvers.load_mass_email),
    "Domain": (frozenset({Role.PROVIDER, Role.RESELLER, Role.CUSTOMER}), domain_resolvers.load_domain),
    "RegistrarAccount": (frozenset({Role.PROVIDER, Role.RESELLER}), domain_resolvers.load_registrar_account),
    "Document": (frozenset({Role.PROVIDER, Role.RESELLER, Role.CUSTOMER}), document_resolvers.load_document),
}


async def resolve_node(info: Info, id: strawberry.ID) -> Node | None:
    parsed = parse_id(id)
    tenant = info.context.tenant
    if parsed is None or tenant is None or tenant.user_id is None or parsed[0] not in NODE_LOADERS:
        return None
    roles, loader = NODE_LOADERS[parsed[0]]
    return await loader(info, parsed[1]) if tenant.role in roles else None


async def resolve_nodes(info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
    # Concurrently, so the loaders answer the ids of each type with one query.
    return list(await asyncio.gather(*(resolve_node(info, node_id) for node_id in ids[: get_settings().max_page_size])))


@strawberry.type
class CoreQuery:
    node: Node | None = strawberry.field(resolver=resolve_node, description="Fetch any object by its global id.")
    nodes: list[Node | None] = strawberry.field(resolver=resolve_nodes)
    me: account_types.User | None = strawberry.field(resolver=account_resolvers.me, description="The logged-in user.")
    viewer: account_types.Viewer | None = strawberry.field(resolver=account_resolvers.viewer)
    languages: list[account_types.Language] = strawberry.field(resolver=account_resolvers.languages)
    themes: list[str] = strawberry.field(resolver=account_resolvers.themes)
    resellers: Connection[Reseller] = strawberry.field(
        resolver=reseller_resolvers.resellers_connection, permission_classes=[IsProvider])
    reseller: Reseller | None = strawberry.field(resolver=reseller_resolvers.reseller, permission_classes=[IsProvider])
    my_resources: ResellerAllocation | None = strawberry.field(
        resolver=reseller_resolvers.my_resources, permission_classes=[IsReseller],
        description="The reseller's allocation: allocated, used, remaining; and its permissions.")
    customers: Connection[Customer] = strawberry.field(
        resolver=customer_resolvers.customers_connection, permission_classes=[IsStaff])


@strawberry.type
class CoreMutation:
    session_create: account_types.SessionCreatePayload = strawberry.mutation(
        resolver=account_resolvers.session_create, description="Log in with username and password.")
    session_delete: account_types.SessionRevokePayload = strawberry.mutation(
        resolver=account_resolvers.session_delete, permission_classes=[IsAuthenticated], description="Log out.")
    session_revoke: account_types.SessionRevokePayload = strawberry.mutation(
        resolver=account_resolvers.session_revoke, permission_classes=[IsAuthenticated])
    password_change: account_types.UserPayload = strawberry.mutation(
        resolver=account_resolvers.password_change, permission_classes=[IsAuthenticated])
    profile_update: account_types.UserPayload = strawberry.mutation(
        resolver=account_resolvers.profile_update, permission_classes=[IsAuthenticated])
    preferences_update: account_types.UserPayload = strawberry.mutation(
        resolver=account_resolvers.preferences_update, permission_classes=[IsAuthenticated])
    password_reset_request: account_types.PasswordResetRequestPayload = strawberry.mutation(
        resolver=account_resolvers.password_reset_request)
    password_reset_confirm: account_types.UserPayload = strawberry.mutation(
        resolver=account_resolvers.password_reset_confirm)
    seller_settings_update: account_types.SellerSettingsUpdatePayload = strawberry.mutation(
        resolver=account_resolvers.seller_settings_update, permission_classes=[IsStaff])
    reseller_create: ResellerPayload = strawberry.mutation(
        resolver=reseller_resolvers.reseller_create, permission_classes=[IsProvider])
    reseller_update: ResellerPayload = strawberry.mutation(
        resolver=reseller_resolvers.reseller_update, permission_classes=[IsProvider])
    reseller_suspend: ResellerPayload = strawberry.mutation(
        resolver=reseller_resolvers.reseller_suspend, permission_classes=[IsProvider])
    reseller_activate: ResellerPayload = strawberry.mutation(
        resolver=reseller_resolvers.reseller_activate, permission_classes=[IsProvider])
    reseller_delete: ResellerDeletePayload = strawberry.mutation(
        resolver=reseller_resolvers.reseller_delete, permission_classes=[IsProvider])
    overselling_policy_set: OversellingPolicySetPayload = strawberry.mutation(
        resolver=reseller_resolvers.overselling_policy_set, permission_classes=[IsReseller],
        description="A reseller allowed to, sets its own overselling policy.")


# Each domain declares its own Query/Mutation classes; the schema merges them (one line per domain, so
# parallel work on several domains merges without conflicts).
QUERIES: list[type] = [
    CoreQuery,
    HostingQuery,
    BrandingQuery,
    SkeletonQuery,
    IpQuery,
    AutomationQuery,
    UsageQuery,
    ServerQuery,
    StorefrontQuery,
    StorefrontHomeQuery,
    AuditQuery,
    WebhookQuery,
    PricingQuery,
    BillingQuery,
    PaymentsQuery,
    EncryptionQuery,
    MessagingQuery,
    DomainsQuery,
    DocumentQuery,
]
MUTATIONS: list[type] = [
    CoreMutation,
    HostingMutation,
    BrandingMutation,
    SkeletonMutation,
    IpMutation,
    AutomationMutation,
    UsageMutation,
    ServerMutation,
    StorefrontMutation,
    StorefrontHomeMutation,
    WebhookMutation,
    PricingMutation,
    BillingMutation,
    PaymentsMutation,
    EncryptionMutation,
    MessagingMutation,
    DomainsMutation,
    DocumentMutation,
]
NODE_TYPES: list[type] = [
    account_types.User,
    account_types.Session,
    account_types.SellerAccount,
    Reseller,
    Customer,
    Plan,
    Subscription,
    BackgroundJob,
    CustomButton,
    IpAddress,
    IpPoolEntry,
    HostingServer,
    ServerPoolEntry,
    SslCertificate,
    Store,
    Offer,
    Order,
    Invoice,
    GatewayConfig,
    PaymentMethod,
    Payment,
    Email,
    MassEmail,
    Domain,
    RegistrarAccount,
    Document,
]

Query = merge_types("Query", tuple(QUERIES))
Mutation = merge_types("Mutation", tuple(MUTATIONS))


def build_schema() -> strawberry.Schema:
    check_error_codes()
    settings = get_settings()
    # The limit rules are built once: a fresh rule class per request would never hit the validation cache
    # (validation is ~40% of a small query's cost, measured in bench/).
    limit_rules = [*QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
                   *MaxAliasesLimiter(max_alias_count=settings.max_query_aliases).validation_rules]
    if not settings.introspection:
        limit_rules.append(NoSchemaIntrospectionCustomRule)
    return Schema(
        query=Query,
        mutation=Mutation,
        subscription=SubscriptionRoot,
        types=NODE_TYPES,
        scalar_overrides=SCALAR_OVERRIDES,
        extensions=[
            OperationTransaction,
            SingleOperation,
            MaskInternalErrors,
            lambda: MaxTokensLimiter(max_token_count=settings.max_query_tokens),
            lambda: AddValidationRules(limit_rules),
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
        ],
    )


schema = build_schema()
