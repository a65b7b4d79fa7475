"""GraphQL types of subscriptions and of customer operations."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from functools import partial
from typing import TypeVar

import strawberry

from comptoir.database.pagination import SortDirection
from comptoir.hosting import plan_values as pv
from comptoir.hosting import rules
from comptoir.hosting.models import Site as SiteModel
from comptoir.hosting.models import Subscription as SubscriptionModel
from comptoir.schema.base import Node
from comptoir.schema.customers import Customer
from comptoir.schema.dataloaders import Later, Loaders, has_documents, value_or_later, with_documents
from comptoir.schema.hosting import (
    EffectivePhpDirective,
    EffectiveValue,
    HostingError,
    PhpDirectiveInput,
    Plan,
    PlanLimitInput,
    PlanValues,
    SubscriptionPermissionEnum,
    SyncConflict,
    VisibleFeature,
    json_text,
)
from comptoir.schema.ids import decode_id, encode_id
from comptoir.schema.servers import ServerPoolEntry
from comptoir.schema.usage import SubscriptionUsage

T = TypeVar("T")


@strawberry.enum
class SubscriptionStatus(enum.Enum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


@strawberry.enum
class SyncState(enum.Enum):
    SYNCED = "synced"
    LOCKED = "locked"
    UNSYNCED = "unsynced"


@strawberry.enum
class SubscriptionSortField(enum.Enum):
    DOMAIN_NAME = "domain_name"
    CREATED_AT = "created_at"
    STATUS = "status"
    EXPIRATION_DATE = "expiration_date"


@strawberry.type
class Site:
    id: strawberry.ID
    domain_name: str


@strawberry.type
class Subscription(Node):
    """Built from its row; its relations are plain fields holding the loaded value, or an awaitable that
    loads it through the operation's loaders if the client selected it (see dataloaders.value_or_later).
    Values are decoded only when selected."""

    name: str = strawberry.field(description='"domain (Plan)" or "domain (Custom)"')
    domain_name: str
    status: SubscriptionStatus
    suspension_reason: str
    sync_state: SyncState
    system_login: str
    ip_address: str | None
    expiration_date: date | None
    created_at: datetime
    plan: Plan | None = strawberry.field(description="null: a custom subscription")
    addons: list[Plan]
    customer: Customer | None = strawberry.field(description="null: the seller's own subscription")
    model: strawberry.Private[SubscriptionModel]

    @strawberry.field
    def values(self, info: strawberry.Info) -> PlanValues:
        return _with_documents(info, self.model, lambda: PlanValues.from_values(pv.from_json(self.model.values)))

    @strawberry.field
    def conflicts(self, info: strawberry.Info) -> list[SyncConflict]:
        return _with_documents(info, self.model, lambda: [  # type: ignore[no-any-return]
            SyncConflict(property=c["name"], plan_value=json_text(c["plan_value"]),
                         available_value=json_text(c["available_value"]),
                         reason=rules.ConflictReason(c.get("reason", "server"))) for c in self.model.conflicts])

    @strawberry.field(description="Each property's effective value and where it came from.")
    def effective_values(self, info: strawberry.Info) -> list[EffectiveValue]:
        return value_or_later(info.context.loaders.effective_values, self.model)  # type: ignore[no-any-return]

    @strawberry.field(description="Effective PHP directives at the subscription, or at one of its sites.")
    def php_settings(self, info: strawberry.Info, site_id: strawberry.ID | None = None
                     ) -> list[EffectivePhpDirective]:
        site = decode_id(site_id, "Site", field="siteId") if site_id else None
        return value_or_later(info.context.loaders.php_settings, (self.model, site))  # type: ignore[no-any-return]

    @strawberry.field(description="Hosting features the current viewer sees (SPEC §4.9).")
    def visible_features(self, info: strawberry.Info) -> list[VisibleFeature]:
        from comptoir.hosting import inspection

        def views() -> list[VisibleFeature]:
            tenant = info.context.tenant
            found = inspection.visible_features(pv.from_json(self.model.values),
                                                viewer_is_staff=bool(tenant and tenant.is_staff))
            return [VisibleFeature(feature=v.feature, visibility=v.visibility, value=json_text(v.value))
                    for v in found]

        return _with_documents(info, self.model, views)  # type: ignore[no-any-return]

    @strawberry.field(description="Measured usage beside the limits (SPEC §4.12).")
    async def usage(self, info: strawberry.Info) -> SubscriptionUsage:
        from comptoir.resolvers.usage import usage_loader

        return await usage_loader(info).load(self.model)

    @strawberry.field(description="Its service settings (hosting, PHP, mail, DNS, performance, logs) as the"
                                  " current viewer sees them: EDITABLE, or READ_ONLY (SPEC §4.9).")
    def service_settings(self, info: strawberry.Info) -> list[VisibleFeature]:
        from comptoir.hosting import service_settings

        tenant = info.context.tenant
        seen = service_settings.visible_settings(pv.from_json(self.model.values),
                                                 viewer_is_staff=bool(tenant and tenant.is_staff))
        return [VisibleFeature(feature=key, visibility=visibility, value=json_text(value))
                for key, visibility, value in seen]

    @strawberry.field(description="The hosting server it lives on; null: the default server.")
    async def server(self, info: strawberry.Info) -> ServerPoolEntry | None:
        from comptoir.resolvers.servers import load_server_pool_entry

        return await load_server_pool_entry(info, self.model.server_pool_id) if self.model.server_pool_id else None

    @strawberry.field
    def sites(self, info: strawberry.Info) -> list[Site]:
        return value_or_later(info.context.loaders.sites, self.model.id, _sites)  # type: ignore[no-any-return]

    @classmethod
    def from_model(cls, row: SubscriptionModel, loaders: Loaders) -> Subscription:
        domain, plan_id, customer_id = row.domain_name, row.plan_id, row.customer_id
        plan = value_or_later(loaders.plans, plan_id) if plan_id else None
        return cls(
            id=strawberry.ID(encode_id("Subscription", row.id)),
            name=(_name(domain, plan) if not isinstance(plan, Later)
                  else Later(loaders.plans, plan_id, partial(_name, domain))),
            domain_name=domain, status=_STATUS[row.status], suspension_reason=row.suspension_reason,
            sync_state=_SYNC_STATE[row.sync_state], system_login=row.system_login,
            ip_address=value_or_later(loaders.pool_addresses, row.ip_pool_id),
            expiration_date=row.expiration_date, created_at=row.created_at, plan=plan,
            addons=value_or_later(loaders.addons, row.id),
            customer=value_or_later(loaders.customers, customer_id) if customer_id else None,
            model=row,
        )


_STATUS = {status.value: status for status in SubscriptionStatus}
_SYNC_STATE = {state.value: state for state in SyncState}


def _with_documents(info: strawberry.Info, row: SubscriptionModel, compute: Callable[[], T]) -> T | Awaitable[T]:
    """compute(), at once when the row's JSON documents are loaded, else once they are."""
    if has_documents(row):
        return compute()

    async def later() -> T:
        await with_documents(info.context, [row])
        return compute()

    return later()


def _sites(rows: list[SiteModel]) -> list[Site]:
    return [Site(id=strawberry.ID(encode_id("Site", r.id)), domain_name=r.domain_name) for r in rows]


def _name(domain_name: str, plan: Plan | None) -> str:
    return f"{domain_name} ({plan.name if plan else 'Custom'})"


@strawberry.input
class SubscriptionFilterInput:
    status: SubscriptionStatus | None = None
    sync_state: SyncState | None = None
    plan_id: strawberry.ID | None = None
    customer_id: strawberry.ID | None = None
    search: str | None = None


@strawberry.input
class SubscriptionSortInput:
    field: SubscriptionSortField = SubscriptionSortField.CREATED_AT
    direction: SortDirection = SortDirection.ASC


@strawberry.input
class SubscriptionCreateInput:
    domain_name: str
    ip_pool_entry_id: strawberry.ID
    system_login: str
    system_password: str
    customer_id: strawberry.ID | None = strawberry.field(default=None, description="null: for yourself")
    plan_id: strawberry.ID | None = strawberry.field(default=None, description="null: custom subscription")
    addon_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    proceed_to_customize: bool = strawberry.field(default=False, description="Create locked (Update & Lock).")


@strawberry.type
class SubscriptionPayload:
    subscription: Subscription | None = None
    errors: list[HostingError] = strawberry.field(default_factory=list)


@strawberry.type
class SubscriptionResult:
    id: strawberry.ID
    subscription: Subscription | None = None
    errors: list[HostingError] = strawberry.field(default_factory=list)


@strawberry.type
class SubscriptionsPayload:
    results: list[SubscriptionResult] = strawberry.field(default_factory=list)
    errors: list[HostingError] = strawberry.field(default_factory=list)


@strawberry.input
class SubscriptionIdsInput:
    ids: list[strawberry.ID]


@strawberry.input
class SubscriptionChangePlanInput:
    ids: list[strawberry.ID]
    plan_id: strawberry.ID


@strawberry.input
class SubscriptionAddonInput:
    ids: list[strawberry.ID]
    addon_id: strawberry.ID


@strawberry.input
class PermissionSettingInput:
    permission: SubscriptionPermissionEnum  # type: ignore[valid-type]
    granted: bool


@strawberry.input
class SubscriptionCustomizeInput:
    id: strawberry.ID
    limits: list[PlanLimitInput] = strawberry.field(default_factory=list)
    permissions: list[PermissionSettingInput] = strawberry.field(default_factory=list)


@strawberry.input
class SubscriptionHostingSettingsInput:
    id: strawberry.ID
    ip_pool_entry_id: strawberry.ID | None = None
    system_login: str | None = None
    system_password: str | None = None


@strawberry.input
class SubscriptionTransferInput:
    ids: list[strawberry.ID]
    to_customer_id: strawberry.ID | None = strawberry.field(default=None, description="null: to yourself")


@strawberry.type
class TransferPreview:
    subscription_id: strawberry.ID
    becomes_custom: bool
    plan_removed: str | None
    addons_removed: list[str]
    from_customer_id: strawberry.ID | None
    to_customer_id: strawberry.ID | None


@strawberry.input
class SubscriptionRenewInput:
    id: strawberry.ID
    expiration_date: date | None = strawberry.field(default=None, description="null: unlimited")


@strawberry.input
class SubscriptionDeleteInput:
    ids: list[strawberry.ID]
    confirm: bool = False


@strawberry.input
class SubscriptionPhpSettingsInput:
    id: strawberry.ID
    directives: list[PhpDirectiveInput]
    site_id: strawberry.ID | None = strawberry.field(default=None, description="null: the subscription level")
