"""GraphQL types of plans, add-ons and subscriptions."""

from __future__ import annotations

import enum
import json
from datetime import datetime
from typing import Any

import strawberry

from comptoir.hosting import plan_values as pv
from comptoir.hosting import rules
from comptoir.hosting.errors import HostingErrorCode as _HostingErrorCode
from comptoir.hosting.models import BackgroundJob as JobModel
from comptoir.hosting.models import ServicePlan as PlanModel
from comptoir.hosting.vocabulary import Resource, SubscriptionPermission
from comptoir.schema.base import Node, UserError, error_code_enum
from comptoir.schema.generated import from_input, graphql_enum, object_and_input, to_output
from comptoir.schema.ids import encode_id
from comptoir.tenancy.errors import ValidationErrorCode

SubscriptionPermissionEnum = graphql_enum(SubscriptionPermission)
ResourceEnum = graphql_enum(Resource)
OverusePolicyEnum = graphql_enum(pv.OverusePolicy)
ValidityUnitEnum = graphql_enum(pv.ValidityUnit)
HostingErrorCode = error_code_enum("HostingErrorCode", _HostingErrorCode, ValidationErrorCode)
OriginEnum = strawberry.enum(rules.Origin, name="ValueOrigin")
ConflictReasonEnum = strawberry.enum(rules.ConflictReason, name="ConflictReason", description=(
    "ALLOCATION and SERVER make a subscription unsynced; RESELLER_PERMISSION: the reseller's allocation lacks the"
    " permission, so the value is withheld (SPEC §2) and the subscription still syncs."))
PhpLevelEnum = strawberry.enum(rules.PhpLevelKind, name="PhpLevel")
VisibilityEnum = strawberry.enum(rules.Visibility, name="FeatureVisibility")

HostingSettings, HostingSettingsInput = object_and_input(pv.HostingSettings, "HostingSettings")
PhpSettings, PhpSettingsInput = object_and_input(pv.PhpSettings, "PhpSettings", skip=("directives",))
MailSettings, MailSettingsInput = object_and_input(pv.MailSettings, "MailSettings")
DnsSettings, DnsSettingsInput = object_and_input(pv.DnsSettings, "DnsSettings")
PerformanceSettings, PerformanceSettingsInput = object_and_input(pv.PerformanceSettings, "PerformanceSettings")
LogSettings, LogSettingsInput = object_and_input(pv.LogSettings, "LogSettings")


@strawberry.enum
class PlanKind(enum.Enum):
    SERVICE = "service"
    ADDON = "addon"


@strawberry.type
class HostingError(UserError):
    code: HostingErrorCode  # type: ignore[valid-type]


@strawberry.type
class PlanLimit:
    resource: ResourceEnum  # type: ignore[valid-type]
    limit: int | None = strawberry.field(description="null means unlimited")


@strawberry.type
class PhpDirective:
    name: str
    value: str


@strawberry.type
class ValidityPeriod:
    count: int
    unit: ValidityUnitEnum  # type: ignore[valid-type]


@strawberry.type
class PlanValues:
    limits: list[PlanLimit]
    overuse: OverusePolicyEnum | None  # type: ignore[valid-type]
    disk_notify_at: int | None
    traffic_notify_at: int | None
    validity: ValidityPeriod | None = strawberry.field(description="null: unlimited")
    permissions: list[SubscriptionPermissionEnum]  # type: ignore[valid-type]
    hosting: HostingSettings  # type: ignore[valid-type]
    php: PhpSettings  # type: ignore[valid-type]
    php_directives: list[PhpDirective]
    mail: MailSettings  # type: ignore[valid-type]
    dns: DnsSettings  # type: ignore[valid-type]
    performance: PerformanceSettings  # type: ignore[valid-type]
    logs: LogSettings  # type: ignore[valid-type]
    all_applications: bool
    applications: list[str]
    additional_services: list[str]

    @classmethod
    def from_values(cls, values: pv.PlanValues) -> PlanValues:
        return cls(
            limits=[PlanLimit(resource=r, limit=v) for r, v in values.limits],
            overuse=values.overuse, disk_notify_at=values.disk_notify_at, traffic_notify_at=values.traffic_notify_at,
            validity=ValidityPeriod(count=values.validity.count, unit=values.validity.unit) if values.validity else None,
            permissions=sorted(values.permissions, key=lambda p: p.value),
            hosting=to_output(HostingSettings, values.hosting), php=to_output(PhpSettings, values.php),
            php_directives=[PhpDirective(name=k, value=v) for k, v in values.php.directives],
            mail=to_output(MailSettings, values.mail), dns=to_output(DnsSettings, values.dns),
            performance=to_output(PerformanceSettings, values.performance), logs=to_output(LogSettings, values.logs),
            all_applications=values.all_applications, applications=sorted(values.applications),
            additional_services=sorted(values.additional_services),
        )


@strawberry.input
class PlanLimitInput:
    resource: ResourceEnum  # type: ignore[valid-type]
    limit: int | None = strawberry.field(default=None, description="null means unlimited")


@strawberry.input
class PhpDirectiveInput:
    name: str
    value: str = strawberry.field(description='"Default" inherits from the level above')


@strawberry.input
class ValidityPeriodInput:
    count: int
    unit: ValidityUnitEnum  # type: ignore[valid-type]


@strawberry.input(description="Only the fields given change; in `limits` only the resources listed, "
                             "other lists are replaced whole.")
class PlanValuesInput:
    limits: list[PlanLimitInput] | None = strawberry.UNSET
    overuse: OverusePolicyEnum | None = strawberry.UNSET  # type: ignore[valid-type]
    disk_notify_at: int | None = strawberry.UNSET
    traffic_notify_at: int | None = strawberry.UNSET
    validity: ValidityPeriodInput | None = strawberry.UNSET
    permissions: list[SubscriptionPermissionEnum] | None = strawberry.UNSET  # type: ignore[valid-type]
    hosting: HostingSettingsInput | None = strawberry.UNSET  # type: ignore[valid-type]
    php: PhpSettingsInput | None = strawberry.UNSET  # type: ignore[valid-type]
    php_directives: list[PhpDirectiveInput] | None = strawberry.UNSET
    mail: MailSettingsInput | None = strawberry.UNSET  # type: ignore[valid-type]
    dns: DnsSettingsInput | None = strawberry.UNSET  # type: ignore[valid-type]
    performance: PerformanceSettingsInput | None = strawberry.UNSET  # type: ignore[valid-type]
    logs: LogSettingsInput | None = strawberry.UNSET  # type: ignore[valid-type]
    all_applications: bool | None = strawberry.UNSET
    applications: list[str] | None = strawberry.UNSET
    additional_services: list[str] | None = strawberry.UNSET

    def apply(self, base: pv.PlanValues) -> pv.PlanValues:
        from dataclasses import replace

        changes: dict[str, Any] = {}
        if self.limits is not strawberry.UNSET:
            given = {item.resource: item.limit for item in self.limits or []}
            changes["limits"] = tuple(sorted((base.limits_map() | given).items(), key=lambda kv: kv[0].value))
        for name in ("overuse", "disk_notify_at", "traffic_notify_at"):
            if getattr(self, name) is not strawberry.UNSET:
                changes[name] = getattr(self, name)
        if self.validity is not strawberry.UNSET:
            changes["validity"] = pv.ValidityPeriod(self.validity.count, self.validity.unit) if self.validity else None
        for name in ("permissions", "applications", "additional_services"):
            if getattr(self, name) is not strawberry.UNSET:
                changes[name] = frozenset(getattr(self, name) or ())
        if self.all_applications not in (strawberry.UNSET, None):
            changes["all_applications"] = self.all_applications
        groups = {"hosting": pv.HostingSettings, "mail": pv.MailSettings, "dns": pv.DnsSettings,
                  "performance": pv.PerformanceSettings, "logs": pv.LogSettings}
        for name, cls in groups.items():
            changes[name] = from_input(cls, getattr(self, name), getattr(base, name))
        php = from_input(pv.PhpSettings, self.php, base.php)
        if self.php_directives is not strawberry.UNSET:
            php = replace(php, directives=tuple(sorted((d.name, d.value) for d in self.php_directives or [])))
        changes["php"] = php
        return replace(base, **changes)


@strawberry.type
class Plan(Node):
    name: str
    kind: PlanKind
    created_at: datetime
    updated_at: datetime
    model: strawberry.Private[PlanModel]

    @strawberry.field
    def values(self) -> PlanValues:
        # Decoded only when selected: a page of subscriptions names its plans without their values.
        return PlanValues.from_values(pv.from_json(self.model.values))

    @strawberry.field
    def subscription_count(self, info: strawberry.Info) -> int:
        from comptoir.schema.dataloaders import ready

        return ready(info.context.loaders.plan_usage, self.model.id)  # type: ignore[no-any-return]

    @classmethod
    def from_model(cls, plan: PlanModel) -> Plan:
        return cls(id=strawberry.ID(encode_id("Plan", plan.id)), name=plan.name, kind=PlanKind(plan.kind),
                   created_at=plan.created_at, updated_at=plan.updated_at, model=plan)


@strawberry.type
class BackgroundJob(Node):
    kind: str
    status: str
    total: int
    done: int
    last_error: str
    created_at: datetime
    finished_at: datetime | None

    @strawberry.field(description="Share of the work done, 0 to 100.")
    def progress(self) -> float:
        return 100.0 if self.total == 0 else round(100 * self.done / self.total, 1)

    @classmethod
    def from_model(cls, job: JobModel) -> BackgroundJob:
        return cls(id=strawberry.ID(encode_id("BackgroundJob", job.id)), kind=job.kind, status=job.status,
                   total=job.total, done=job.done, last_error=job.last_error, created_at=job.created_at,
                   finished_at=job.finished_at)


def json_text(value: Any) -> str:
    """A property value as JSON text (enums by value): one scalar type for properties of every kind."""
    if isinstance(value, enum.Enum):
        value = value.value
    elif isinstance(value, frozenset | set | tuple):
        value = sorted(getattr(v, "value", v) for v in value)
    return json.dumps(value)


@strawberry.type
class SyncConflict:
    property: str
    plan_value: str = strawberry.field(description="JSON; null means unlimited")
    available_value: str = strawberry.field(description="JSON; null means unlimited")
    reason: ConflictReasonEnum = rules.ConflictReason.SERVER  # type: ignore[valid-type]


@strawberry.type
class EffectiveValue:
    property: str
    value: str = strawberry.field(description="JSON text")
    origin: OriginEnum  # type: ignore[valid-type]
    source_name: str | None = strawberry.field(description="The plan's or add-on's name")


@strawberry.type
class EffectivePhpDirective:
    directive: str
    value: str
    level: PhpLevelEnum  # type: ignore[valid-type]
    level_name: str
    runtime_changeable: bool = strawberry.field(description="PHP_INI_ALL: scripts may change it at run time")


@strawberry.type
class VisibleFeature:
    feature: str
    visibility: VisibilityEnum  # type: ignore[valid-type]
    value: str = strawberry.field(description="JSON text")


