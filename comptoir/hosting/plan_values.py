"""What a service plan, an add-on or a subscription defines (SPEC §4.2–4.4), as immutable values.

Plans hold every property; add-ons hold only what they add (a missing limit adds nothing, a setting
left unset changes nothing). Serialised to JSON for storage and back without loss.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, fields, replace
from functools import cached_property, lru_cache
from typing import Any

import msgspec

from comptoir.hosting.vocabulary import Resource, SubscriptionPermission

# Resources a subscription can have (the reseller-only counters are not per subscription).
PLAN_RESOURCES = tuple(r for r in Resource if r not in (Resource.SUBSCRIPTIONS, Resource.CUSTOMERS))


class OverusePolicy(enum.Enum):
    """Ordered from strictest to most lenient (an add-on may only relax it)."""

    NOT_ALLOWED_SUSPEND = "not_allowed_suspend"  # suspend when disk or traffic exceeds its limit
    NOT_ALLOWED = "not_allowed"  # only notify
    ALLOWED = "allowed"


OVERUSE_LENIENCY = {p: i for i, p in enumerate(OverusePolicy)}


class ValidityUnit(enum.Enum):
    DAYS = "days"
    MONTHS = "months"
    YEARS = "years"


class ScriptingLanguage(enum.Enum):
    ASP_NET = "asp_net"
    PHP = "php"
    CGI = "cgi"
    PERL = "perl"
    PYTHON = "python"
    FASTCGI = "fastcgi"
    ASP = "asp"
    SSI = "ssi"
    COLDFUSION = "coldfusion"
    MIVA = "miva"


class WebStatisticsEngine(enum.Enum):
    NONE = "none"
    AWSTATS = "awstats"
    WEBALIZER = "webalizer"


class SshShell(enum.Enum):
    FORBIDDEN = "/bin/false"
    BASH = "/bin/bash"
    CHROOTED = "chrooted"


class PhpHandler(enum.Enum):
    ISAPI = "isapi"  # Windows only
    APACHE_MODULE = "apache_module"  # Unix only
    FASTCGI = "fastcgi"
    CGI = "cgi"


class NonexistentMailPolicy(enum.Enum):
    BOUNCE = "bounce"
    FORWARD = "forward"
    REJECT = "reject"
    REDIRECT_TO_SERVER = "redirect_to_server"  # Windows


class DnsZoneType(enum.Enum):
    MASTER = "master"
    SLAVE = "slave"


class LogRotation(enum.Enum):
    BY_SIZE = "by_size"
    BY_TIME = "by_time"


@dataclass(frozen=True)
class ValidityPeriod:
    count: int
    unit: ValidityUnit


@dataclass(frozen=True)
class HostingSettings:
    hosting_enabled: bool | None = None
    hard_disk_quota: int | None = None  # MB; None = not set
    ssl_support: bool | None = None
    web_statistics: WebStatisticsEngine | None = None
    webstat_protected: bool | None = None
    custom_error_documents: bool | None = None
    ssh_shell: SshShell | None = None
    scripting: frozenset[ScriptingLanguage] = frozenset()
    write_modify_permissions: bool | None = None
    web_users_scripting: bool | None = None
    frontpage: bool | None = None
    # Both need a dedicated IP address (SPEC §3; comptoir.hosting.ip_rules.dedicated_ip_features).
    anonymous_ftp: bool | None = None
    genuine_ssl: bool | None = None  # the sites use their own certificate, not the address's


@dataclass(frozen=True)
class PhpSettings:
    handler: PhpHandler | None = None
    safe_mode: bool | None = None
    version: str | None = None
    # directive -> value; a directive absent here is "Default" (inherited from the level above)
    directives: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class MailSettings:
    webmail: bool | None = None
    mailing_lists_enabled: bool | None = None
    nonexistent_user_policy: NonexistentMailPolicy | None = None
    bounce_message: str | None = None
    forward_address: str | None = None
    redirect_server_ip: str | None = None


@dataclass(frozen=True)
class DnsSettings:
    zone_type: DnsZoneType | None = None


@dataclass(frozen=True)
class PerformanceSettings:
    dedicated_iis_pool: bool | None = None
    max_cpu_percent: int | None = None
    max_bandwidth_kbps: int | None = None
    max_connections: int | None = None


@dataclass(frozen=True)
class LogSettings:
    statistics_months: int | None = None
    rotation: LogRotation | None = None
    rotation_size_kb: int | None = None
    rotation_period: str | None = None  # daily / weekly / monthly
    kept_logs: int | None = None
    compress: bool | None = None
    email_processed_logs_to: str | None = None


@dataclass(frozen=True)
class PlanValues:
    """Everything a plan (or an add-on, partially) defines."""

    limits: tuple[tuple[Resource, int | None], ...] = ()  # None = unlimited; absent = not defined
    overuse: OverusePolicy | None = None
    disk_notify_at: int | None = None
    traffic_notify_at: int | None = None
    validity: ValidityPeriod | None = None  # None = unlimited
    permissions: frozenset[SubscriptionPermission] = frozenset()
    hosting: HostingSettings = field(default_factory=HostingSettings)
    php: PhpSettings = field(default_factory=PhpSettings)
    mail: MailSettings = field(default_factory=MailSettings)
    dns: DnsSettings = field(default_factory=DnsSettings)
    performance: PerformanceSettings = field(default_factory=PerformanceSettings)
    logs: LogSettings = field(default_factory=LogSettings)
    all_applications: bool = False
    applications: frozenset[str] = frozenset()
    additional_services: frozenset[str] = frozenset()

    @cached_property
    def _limit_table(self) -> dict[Resource, int | None]:
        # Built once per (immutable) value: effective values ask for every limit of every level.
        return dict(self.limits)

    def limit(self, resource: Resource) -> int | None:
        """The limit of `resource`; absent counts as 0 (nothing allowed)."""
        return self._limit_table.get(resource, 0)

    def limits_map(self) -> dict[Resource, int | None]:
        return dict(self._limit_table)

    def with_limits(self, limits: dict[Resource, int | None]) -> PlanValues:
        return replace(self, limits=tuple(sorted(limits.items(), key=lambda kv: kv[0].value)))


@lru_cache(maxsize=1)
def default_plan_values() -> PlanValues:
    """The stock "default plan" custom subscriptions start from (immutable, so built once)."""
    limits = {r: None for r in PLAN_RESOURCES} | {Resource.DISK_SPACE: 10_240, Resource.TRAFFIC: 102_400}
    return PlanValues(
        overuse=OverusePolicy.NOT_ALLOWED,
        permissions=frozenset({SubscriptionPermission.DOMAIN_CREATION, SubscriptionPermission.SUBDOMAIN_MANAGEMENT,
                               SubscriptionPermission.DOMAIN_ALIAS_MANAGEMENT,
                               SubscriptionPermission.ADDITIONAL_FTP_ACCOUNTS_MANAGEMENT}),
        hosting=HostingSettings(hosting_enabled=True, ssl_support=True, web_statistics=WebStatisticsEngine.AWSTATS,
                                custom_error_documents=True, ssh_shell=SshShell.FORBIDDEN,
                                scripting=frozenset({ScriptingLanguage.PHP, ScriptingLanguage.CGI})),
        php=PhpSettings(handler=PhpHandler.FASTCGI, safe_mode=False, version="8.3"),
        mail=MailSettings(webmail=True, mailing_lists_enabled=False,
                          nonexistent_user_policy=NonexistentMailPolicy.REJECT),
        dns=DnsSettings(zone_type=DnsZoneType.MASTER),
        logs=LogSettings(statistics_months=3, rotation=LogRotation.BY_TIME, rotation_period="daily", kept_logs=3,
                         compress=True),
        all_applications=True,
    ).with_limits(limits)


# ---- JSON storage -------------------------------------------------------------------------

def to_json(values: PlanValues) -> dict[str, Any]:
    return _encode(values)


def from_json(data: dict[str, Any]) -> PlanValues:
    """Decode stored values with msgspec's compiled converter (≈ 13× the reflective decoder below, which
    stays as the fallback for stored data the strict converter refuses)."""
    try:
        return msgspec.convert(_as_pairs(data), PlanValues)
    except msgspec.ValidationError:
        return _decode(PlanValues, data)


def _as_pairs(data: dict[str, Any]) -> dict[str, Any]:
    """Limits and PHP directives are stored as objects but held as sorted pairs."""
    data = dict(data)
    if "limits" in data:
        data["limits"] = sorted(data["limits"].items())
    php = data.get("php")
    if php and "directives" in php:
        data["php"] = {**php, "directives": sorted(php["directives"].items())}
    return data


def plain(value: Any) -> Any:
    """One value (a flattened property) as JSON: enum members by value, sets as sorted lists."""
    return _encode(value)


def plain_flat(flat: dict[str, Any]) -> dict[str, Any]:
    return {key: _encode(value) for key, value in flat.items()}


def _encode(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, frozenset):
        return sorted(_encode(v) for v in value)
    if hasattr(value, "__dataclass_fields__"):
        out = {}
        for f in fields(value):
            item = getattr(value, f.name)
            if f.name == "limits":
                out[f.name] = {r.value: v for r, v in item}
            elif f.name == "directives":
                out[f.name] = dict(item)
            else:
                out[f.name] = _encode(item)
        return out
    return value


@lru_cache(maxsize=None)
def _hints(cls: type[Any]) -> dict[str, Any]:
    """Type hints of a plan-values dataclass (resolving them is costly: every decode needs them)."""
    import typing

    return typing.get_type_hints(cls)


def _decode(cls: type[Any], data: dict[str, Any]) -> Any:
    hints = _hints(cls)
    kwargs: dict[str, Any] = {}
    for f in fields(cls):
        if f.name not in data:
            continue
        raw, hint = data[f.name], hints[f.name]
        if f.name == "limits":
            kwargs[f.name] = tuple(sorted(((Resource(k), v) for k, v in raw.items()), key=lambda kv: kv[0].value))
        elif f.name == "directives":
            kwargs[f.name] = tuple(sorted(raw.items()))
        else:
            kwargs[f.name] = _decode_value(hint, raw)
    return cls(**kwargs)


def _decode_value(hint: Any, raw: Any) -> Any:
    import types
    import typing

    if raw is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(hint) if a is not type(None)][0]
        return _decode_value(inner, raw)
    if origin is frozenset:
        (inner,) = typing.get_args(hint)
        return frozenset(_decode_value(inner, v) for v in raw)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(raw)
    if isinstance(hint, type) and hasattr(hint, "__dataclass_fields__"):
        return _decode(hint, raw)
    return raw


def unflatten(flat: dict[str, Any]) -> PlanValues:
    """The inverse of comptoir.hosting.rules.flatten (keys 'group.field', 'limit.x', 'permission.x')."""
    limits = {Resource(k[6:]): v for k, v in flat.items() if k.startswith("limit.")}
    granted = frozenset(SubscriptionPermission(k[11:]) for k, v in flat.items() if k.startswith("permission.") and v)
    groups: dict[str, dict[str, Any]] = {}
    for key, value in flat.items():
        group, _, name = key.partition(".")
        if group in ("hosting", "mail", "dns", "performance", "logs", "php") and name:
            groups.setdefault(group, {})[name] = value
    base = PlanValues(
        overuse=flat.get("overuse"), disk_notify_at=flat.get("disk_notify_at"),
        traffic_notify_at=flat.get("traffic_notify_at"), permissions=granted,
        all_applications=bool(flat.get("applications.all")),
        applications=frozenset(flat.get("applications.selected") or ()),
        additional_services=frozenset(flat.get("additional_services") or ()),
        hosting=HostingSettings(**groups.get("hosting", {})), mail=MailSettings(**groups.get("mail", {})),
        dns=DnsSettings(**groups.get("dns", {})), performance=PerformanceSettings(**groups.get("performance", {})),
        logs=LogSettings(**groups.get("logs", {})),
    )
    return replace(base, php=replace(base.php, **groups.get("php", {}))).with_limits(limits)


_GROUPS = {"hosting": HostingSettings, "mail": MailSettings, "dns": DnsSettings, "performance": PerformanceSettings,
           "logs": LogSettings, "php": PhpSettings}


def coerce_flat(flat: dict[str, Any]) -> dict[str, Any]:
    """Flattened values read back from JSON (enums by value, sets as lists) as their Python types."""

    coerced: dict[str, Any] = {}
    for key, value in flat.items():
        group, _, name = key.partition(".")
        if group in _GROUPS and name in _GROUPS[group].__dataclass_fields__:
            hint = _hints(_GROUPS[group])[name]
            coerced[key] = _decode_value(hint, value) if value is not None else None
        elif key == "overuse" and value is not None:
            coerced[key] = OverusePolicy(value)
        else:
            coerced[key] = value
    return coerced
