"""GraphQL types of subscriptions and of customer operations."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import date, datetime

import strawberry

from comptoir.database.pagination import SortDirection
from comptoir.hosting import plan_values as pv
from comptoir.hosting.models import Subscription as SubscriptionModel
from comptoir.schema.base import Node
from comptoir.schema.customers import Customer
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
from comptoir.schema.ids import encode_id
from comptoir.schema.servers import ServerPoolEntry


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


@dataclass
class SubscriptionRelations:
    """What a page of subscriptions needs besides its own rows, loaded in a fixed number of queries."""

    plans: dict[uuid.UUID, Plan]
    addons: dict[uuid.UUID, list[Plan]]
    customers: dict[uuid.UUID, Customer]
    addresses: dict[uuid.UUID, str]


@strawberry.type
class Site:
    id: strawberry.ID
    domain_name: str


@strawberry.type
class Subscription(Node):
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
    values: PlanValues
    conflicts: list[SyncConflict]
    model: strawberry.Private[SubscriptionModel]

    @strawberry.field(description="Each property's effective value and where it came from.")
    async def effective_values(self, info: strawberry.Info) -> list[EffectiveValue]:
        from comptoir.hosting import inspection

        found = await info.context.run(lambda s: inspection.effective_values(s, self.model))
        return [EffectiveValue(property=e.name, value=json_text(e.value), origin=e.origin,
                               source_name=e.source_name) for e in found]

    @strawberry.field(description="Effective PHP directives at the subscription, or at one of its sites.")
    async def php_settings(self, info: strawberry.Info, site_id: strawberry.ID | None = None
                           ) -> list[EffectivePhpDirective]:
        from comptoir.hosting import inspection
        from comptoir.schema.ids import decode_id

        def load(session):  # type: ignore[no-untyped-def]
            site = decode_id(site_id, "Site", field="siteId") if site_id else None
            return inspection.effective_php(session, self.model, site_id=site)

        found = await info.context.run(load)
        return [EffectivePhpDirective(directive=e.directive, value=e.value, level=e.level, level_name=e.level_name,
                                      runtime_changeable=e.runtime_changeable) for e in found]

    @strawberry.field(description="Hosting features the current viewer sees (SPEC §4.9).")
    def visible_features(self, info: strawberry.Info) -> list[VisibleFeature]:
        from comptoir.hosting import inspection

        tenant = info.context.tenant
        views = inspection.visible_features(pv.from_json(self.model.values),
                                             viewer_is_staff=bool(tenant and tenant.is_staff))
        return [VisibleFeature(feature=v.feature, visibility=v.visibility, value=json_text(v.value)) for v in views]

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
    async def sites(self, info: strawberry.Info) -> list[Site]:
        from comptoir.hosting import inspection

        rows = await info.context.run(lambda s: inspection.sites_of(s, self.model.id))
        return [Site(id=strawberry.ID(encode_id("Site", r.id)), domain_name=r.domain_name) for r in rows]

    @classmethod
    def from_model(cls, row: SubscriptionModel, relations: SubscriptionRelations) -> Subscription:
        plan = relations.plans.get(row.plan_id) if row.plan_id else None
        return cls(
            id=strawberry.ID(encode_id("Subscription", row.id)),
            name=f"{row.domain_name} ({plan.name if plan else 'Custom'})", domain_name=row.domain_name,
            status=SubscriptionStatus(row.status), suspension_reason=row.suspension_reason,
            sync_state=SyncState(row.sync_state), system_login=row.system_login,
            ip_address=relations.addresses.get(row.ip_pool_id), expiration_date=row.expiration_date,
            created_at=row.created_at, plan=plan, addons=relations.addons.get(row.id, []),
            customer=relations.customers.get(row.customer_id) if row.customer_id else None,
            values=PlanValues.from_values(pv.from_json(row.values)),
            conflicts=[SyncConflict(property=c["name"], plan_value=json_text(c["plan_value"]),
                                    available_value=json_text(c["available_value"])) for c in row.conflicts],
            model=row,
        )


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
