"""Pure rules of plans and subscriptions: add-on arithmetic, effective values with their origin,
synchronisation, conflicts with what the system can provide, PHP inheritance, visibility."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

from comptoir.hosting.plan_values import (
    OVERUSE_LENIENCY,
    PLAN_RESOURCES,
    LogSettings,
    PlanValues,
    SshShell,
    ValidityPeriod,
)
from comptoir.hosting.vocabulary import Resource, SubscriptionPermission

P = SubscriptionPermission


def permission_problems(permissions: frozenset[SubscriptionPermission]) -> list[SubscriptionPermission]:
    """Permissions that may only be granted together with hosting settings management (SPEC §4.3)."""
    if P.HOSTING_SETTINGS_MANAGEMENT in permissions:
        return []
    dependent = (P.COMMON_PHP_SETTINGS_MANAGEMENT, P.PERFORMANCE_SETTINGS_MANAGEMENT)
    return [p for p in dependent if p in permissions]


def validity_problem(validity: ValidityPeriod | None) -> str | None:
    """A validity period is positive, or absent (unlimited)."""
    if validity is not None and not 0 < validity.count <= 10_000:
        return "The validity period must be positive (or unlimited)."
    return None


# ---- add-ons: values are added, nothing is taken away ---------------------------------------

def add_limit(base: int | None, extra: int | None) -> int | None:
    """Unlimited absorbs everything; otherwise limits add up."""
    if base is None or extra is None:
        return None
    return base + extra


def _merge_settings(base: Any, addon: Any) -> Any:
    """An add-on's set values replace the plan's; booleans only switch on; sets only grow."""
    changes = {}
    for f in fields(base):
        mine, theirs = getattr(base, f.name), getattr(addon, f.name)
        if isinstance(mine, frozenset):
            changes[f.name] = mine | theirs
        elif f.name == "directives":
            changes[f.name] = tuple(sorted({**dict(mine), **dict(theirs)}.items()))
        elif theirs is None:
            continue
        elif isinstance(theirs, bool):
            changes[f.name] = bool(mine) or theirs
        else:
            changes[f.name] = theirs
    return replace(base, **changes)


def with_addon(plan: PlanValues, addon: PlanValues) -> PlanValues:
    limits = plan.limits_map()
    for resource, extra in addon.limits:
        limits[resource] = add_limit(limits.get(resource, 0), extra)
    overuse = plan.overuse
    if addon.overuse is not None and (overuse is None or OVERUSE_LENIENCY[addon.overuse] > OVERUSE_LENIENCY[overuse]):
        overuse = addon.overuse
    return replace(
        plan.with_limits(limits),
        overuse=overuse,
        permissions=plan.permissions | addon.permissions,
        hosting=_merge_settings(plan.hosting, addon.hosting),
        php=_merge_settings(plan.php, addon.php),
        mail=_merge_settings(plan.mail, addon.mail),
        dns=_merge_settings(plan.dns, addon.dns),
        performance=_merge_settings(plan.performance, addon.performance),
        logs=_merge_settings(plan.logs, addon.logs),
        all_applications=plan.all_applications or addon.all_applications,
        applications=plan.applications | addon.applications,
        additional_services=plan.additional_services | addon.additional_services,
    )


def combine(plan: PlanValues, addons: Sequence[PlanValues]) -> PlanValues:
    combined = plan
    for addon in addons:
        combined = with_addon(combined, addon)
    return combined


# ---- effective values and where they come from --------------------------------------------

class Origin(enum.Enum):
    PLAN = "plan"
    ADDON = "addon"
    CUSTOMIZATION = "customization"
    DEFAULT_PLAN = "default_plan"  # custom subscriptions start from the default plan's values
    RESELLER_PERMISSION = "reseller_permission"  # withheld: the reseller's allocation lacks the permission


@dataclass(frozen=True)
class Effective:
    name: str  # "limit.disk_space", "permission.dns_zone_management", "hosting.ssl_support", …
    value: Any
    origin: Origin
    source_name: str | None = None  # the plan's or add-on's name


@dataclass(frozen=True)
class NamedValues:
    name: str
    values: PlanValues


def flatten(values: PlanValues) -> dict[str, Any]:
    """Every property as 'group.field' → value (limits and permissions expanded)."""
    flat: dict[str, Any] = {f"limit.{r.value}": values.limit(r) for r in PLAN_RESOURCES}
    flat.update({f"permission.{p.value}": p in values.permissions for p in SubscriptionPermission})
    flat["overuse"] = values.overuse
    flat["disk_notify_at"] = values.disk_notify_at
    flat["traffic_notify_at"] = values.traffic_notify_at
    for group in ("hosting", "mail", "dns", "performance", "logs"):
        settings = getattr(values, group)
        flat.update({f"{group}.{f.name}": getattr(settings, f.name) for f in fields(settings)})
    flat.update({f"php.{name}": getattr(values.php, name) for name in ("handler", "safe_mode", "version")})
    flat["applications.all"] = values.all_applications
    flat["applications.selected"] = values.applications
    flat["additional_services"] = values.additional_services
    return flat


def effective_values(plan: NamedValues | None, addons: Sequence[NamedValues],
                     customization: Mapping[str, Any], *, default_plan: PlanValues) -> list[Effective]:
    """Each property's effective value and the level that set it, lowest level winning."""
    base = plan.values if plan else default_plan
    base_origin = (Origin.PLAN, plan.name) if plan else (Origin.DEFAULT_PLAN, None)
    current = flatten(base)
    origin = {key: base_origin for key in current}
    combined = base
    for addon in addons:
        combined = with_addon(combined, addon.values)
        after = flatten(combined)
        for key, value in after.items():
            if value != current[key]:
                origin[key] = (Origin.ADDON, addon.name)
        current = after
    for key, value in customization.items():
        if key in current:
            current[key] = value
            origin[key] = (Origin.CUSTOMIZATION, None)
    return [Effective(key, current[key], *origin[key]) for key in current]


# ---- synchronisation (SPEC §4.6) --------------------------------------------------------------

# A setting the owner may change himself is not synchronised while he holds this permission.
OWNER_MANAGED: dict[SubscriptionPermission, tuple[str, ...]] = {
    P.DNS_ZONE_MANAGEMENT: ("dns.",),
    # SSH, web statistics, write/modify permissions and hard quota follow their own permissions below.
    P.HOSTING_SETTINGS_MANAGEMENT: ("hosting.hosting_enabled", "hosting.ssl_support", "hosting.custom_error_documents",
                                    "hosting.scripting", "hosting.web_users_scripting", "hosting.frontpage"),
    P.PHP_SAFE_MODE_MANAGEMENT: ("php.safe_mode",),
    P.SSH_ACCESS_MANAGEMENT: ("hosting.ssh_shell",),
    P.WEB_STATISTICS_MANAGEMENT: ("hosting.web_statistics", "hosting.webstat_protected"),
    P.LOG_ROTATION_MANAGEMENT: tuple(f"logs.{f.name}" for f in fields(LogSettings)),
    P.MAILING_LISTS_MANAGEMENT: ("mail.mailing_lists_enabled",),
    P.PERFORMANCE_SETTINGS_MANAGEMENT: ("performance.max_bandwidth_kbps", "performance.max_connections"),
    P.IIS_APPLICATION_POOL_MANAGEMENT: ("performance.dedicated_iis_pool", "performance.max_cpu_percent"),
    P.ADDITIONAL_WRITE_PERMISSIONS_MANAGEMENT: ("hosting.write_modify_permissions",),
    P.HARD_DISK_QUOTA_ASSIGNMENT: ("hosting.hard_disk_quota",),
}


def owner_managed_keys(permissions: frozenset[SubscriptionPermission], keys: Sequence[str]) -> set[str]:
    prefixes = [prefix for permission in permissions for prefix in OWNER_MANAGED.get(permission, ())]
    return {key for key in keys if any(key == p or (p.endswith(".") and key.startswith(p)) for p in prefixes)}


def synchronised(current: Mapping[str, Any], plan_values: Mapping[str, Any],
                 permissions: frozenset[SubscriptionPermission]) -> dict[str, Any]:
    """The subscription's properties after "sync": the plan's, except what the owner manages himself."""
    kept = owner_managed_keys(permissions, list(plan_values))
    return {key: (current[key] if key in kept and key in current else value) for key, value in plan_values.items()}


class ConflictReason(enum.Enum):
    """Why a plan value is not provided: the reseller's allocation is full, the hosting server cannot, or the
    reseller lacks the permission (then the value is withheld, and the subscription still syncs)."""

    ALLOCATION = "allocation"
    SERVER = "server"
    RESELLER_PERMISSION = "reseller_permission"


@dataclass(frozen=True)
class Conflict:
    name: str
    plan_value: Any
    available_value: Any
    reason: ConflictReason = ConflictReason.SERVER


def fits(required: Any, available: Any) -> bool:
    """Whether a required value can be provided: limits compare as numbers (None = unlimited)."""
    if isinstance(required, bool) or isinstance(available, bool):
        return not required or bool(available)
    if isinstance(required, int | type(None)) and isinstance(available, int | type(None)):
        if available is None:
            return True
        return required is not None and required <= available
    return required == available


def conflicts(required: Mapping[str, Any], available: Mapping[str, Any]) -> list[Conflict]:
    """Properties whose plan value the system cannot provide (only those it reports on)."""
    return [Conflict(key, required[key], available[key]) for key in sorted(available)
            if key in required and not fits(required[key], available[key])]


def accept_available(required: Mapping[str, Any], found: Sequence[Conflict]) -> dict[str, Any]:
    return dict(required) | {c.name: c.available_value for c in found}


def common_available(name: str, offers: Sequence[Any]) -> Any:
    """The one value a plan can take so that every subscription's available value is met: the lowest limit
    (None = unlimited), the languages all can have, else what none can refuse (None/False) or the first."""
    if name.startswith("limit."):
        finite = [o for o in offers if o is not None]
        return min(finite) if finite else None
    if all(isinstance(o, list | tuple | frozenset | set) for o in offers):
        common = set(offers[0])
        for offer in offers[1:]:
            common &= set(offer)
        return sorted(common)
    for weakest in (None, False):
        if any(o is weakest for o in offers):
            return weakest
    return offers[0]


def plan_overrides(reports: Sequence[Sequence[Mapping[str, Any]]]) -> dict[str, Any]:
    """ "Update & Sync" a plan to the available values: per property of the subscriptions' conflict reports
    (reseller permissions aside: the plan keeps offering those), the value all of them can have."""
    offers: dict[str, list[Any]] = {}
    for report in reports:
        for conflict in report:
            if conflict.get("reason") != ConflictReason.RESELLER_PERMISSION.value:
                offers.setdefault(conflict["name"], []).append(conflict["available_value"])
    return {name: common_available(name, values) for name, values in offers.items()}


# ---- reseller permissions cascade (SPEC §2) ----------------------------------------------------

# Services a reseller permission gates: without it no subscription of the reseller gets them.
GATED_SETTINGS: dict[SubscriptionPermission, tuple[tuple[str, Any], ...]] = {
    P.SSH_ACCESS_MANAGEMENT: (("hosting.ssh_shell", SshShell.FORBIDDEN),),
    P.HARD_DISK_QUOTA_ASSIGNMENT: (("hosting.hard_disk_quota", None),),
    P.ADDITIONAL_WRITE_PERMISSIONS_MANAGEMENT: (("hosting.write_modify_permissions", False),),
    P.IIS_APPLICATION_POOL_MANAGEMENT: (("performance.dedicated_iis_pool", False),),
}


def cascade(values: PlanValues, reseller: frozenset[SubscriptionPermission] | None
            ) -> tuple[PlanValues, list[Conflict]]:
    """The values a subscription really gets: its permissions intersected with the reseller's (None: the
    provider, who lacks nothing), the services they gate switched off; each withheld value reported."""
    if reseller is None or values.permissions <= reseller:
        return values, []
    why = ConflictReason.RESELLER_PERMISSION
    flat = flatten(values)
    withheld: list[Conflict] = []
    changes: dict[str, dict[str, Any]] = {}
    for permission in sorted(values.permissions - reseller, key=lambda p: p.value):
        withheld.append(Conflict(f"permission.{permission.value}", True, False, why))
        for key, off in GATED_SETTINGS.get(permission, ()):
            if flat[key] not in (None, False, off):
                withheld.append(Conflict(key, flat[key], off, why))
                group, _, name = key.partition(".")
                changes.setdefault(group, {})[name] = off
    groups = {group: replace(getattr(values, group), **fields_) for group, fields_ in changes.items()}
    return replace(values, permissions=values.permissions & reseller, **groups), withheld


# ---- PHP settings hierarchy (SPEC §4.5) -------------------------------------------------------

class PhpLevelKind(enum.Enum):
    SERVER = "server"
    PLAN = "plan"
    ADDON = "addon"
    SUBSCRIPTION = "subscription"
    SITE = "site"


# Directives scripts may change at run time (ini_set): PHP_INI_ALL.
PHP_INI_ALL = frozenset({"memory_limit", "max_execution_time", "display_errors", "log_errors", "error_reporting",
                         "include_path", "session.save_path", "open_basedir", "default_charset",
                         "date.timezone"})
PERFORMANCE_DIRECTIVES = frozenset({"memory_limit", "max_execution_time", "max_input_time", "post_max_size",
                                    "upload_max_filesize", "max_input_vars"})
DEFAULT = "Default"


@dataclass(frozen=True)
class PhpLevel:
    kind: PhpLevelKind
    name: str
    directives: Mapping[str, str]  # a value of "Default" (or absence) inherits from the level above


@dataclass(frozen=True)
class EffectivePhp:
    directive: str
    value: str
    level: PhpLevelKind
    level_name: str
    runtime_changeable: bool


def effective_php(levels: Sequence[PhpLevel]) -> dict[str, EffectivePhp]:
    """Walk from the server defaults down; a lower level's non-Default value overrides."""
    result: dict[str, EffectivePhp] = {}
    for level in levels:
        for directive, value in level.directives.items():
            if value == DEFAULT:
                continue
            result[directive] = EffectivePhp(directive, value, level.kind, level.name, directive in PHP_INI_ALL)
    return result


def site_php_level(site: PhpLevel, permissions: frozenset[SubscriptionPermission]) -> PhpLevel:
    """A site may override only the groups its owner is permitted to manage."""
    def allowed(directive: str) -> bool:
        if directive in PERFORMANCE_DIRECTIVES:
            return P.PERFORMANCE_SETTINGS_MANAGEMENT in permissions
        return P.COMMON_PHP_SETTINGS_MANAGEMENT in permissions

    return replace(site, directives={k: v for k, v in site.directives.items() if allowed(k)})


# ---- visibility to customers (SPEC §4.9) -------------------------------------------------------

RESOURCE_PERMISSION: dict[Resource, SubscriptionPermission] = {
    Resource.DOMAINS: P.DOMAIN_CREATION,
    Resource.SUBDOMAINS: P.SUBDOMAIN_MANAGEMENT,
    Resource.DOMAIN_ALIASES: P.DOMAIN_ALIAS_MANAGEMENT,
    Resource.ADDITIONAL_FTP_ACCOUNTS: P.ADDITIONAL_FTP_ACCOUNTS_MANAGEMENT,
    Resource.JAVA_APPLICATIONS: P.JAVA_APPLICATIONS_MANAGEMENT,
    Resource.MAILING_LISTS: P.MAILING_LISTS_MANAGEMENT,
    Resource.SHARED_SSL_LINKS: P.SHARED_SSL_MANAGEMENT,
    Resource.IIS_APPLICATION_POOLS: P.IIS_APPLICATION_POOL_MANAGEMENT,
}


class Visibility(enum.Enum):
    HIDDEN = "hidden"
    READ_ONLY = "read_only"
    EDITABLE = "editable"


def resource_visible(limit: int | None, permission: bool, *, viewer_is_staff: bool) -> bool:
    """The §4.9 table: a zero limit hides from everyone; a missing permission hides from the customer."""
    if limit == 0:
        return False
    return viewer_is_staff or permission


def boolean_feature_visibility(enabled: bool, permission: bool, *, viewer_is_staff: bool) -> Visibility:
    """Without the permission a customer sees enabled features read-only and disabled ones not at all."""
    if viewer_is_staff or permission:
        return Visibility.EDITABLE
    return Visibility.READ_ONLY if enabled else Visibility.HIDDEN


