"""A subscription's service settings (SPEC §4.4): hosting, PHP, mail, DNS, performance, logs & statistics,
changed through its control-panel settings by the seller's staff, or by the customer for each setting
whose permission it holds (the §4.9 visibility rules: a setting without its permission is read-only or
hidden to the customer). The webspace follows through the provisioning intent.

A customer's change stays through "Update & Sync" because the setting is the owner's while he holds
its permission (rules.OWNER_MANAGED). A staff change on a subscription with a plan is "Update & Lock"
unless the owner manages every changed setting; on a custom subscription it becomes its own value.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import fields, replace
from typing import Any

from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.errors import DomainError
from comptoir.hosting import ip_pools, rules, servers
from comptoir.hosting import plan_values as pv
from comptoir.hosting.errors import HostingErrorCode as E
from comptoir.hosting.models import Subscription
from comptoir.hosting.provisioning import request_provisioning
from comptoir.hosting.subscriptions import SyncState, get_or_raise
from comptoir.hosting.vocabulary import SubscriptionPermission as P
from comptoir.provisioning.hosting_agent import plain_value

GROUPS: dict[str, type[Any]] = {"hosting": pv.HostingSettings, "mail": pv.MailSettings, "dns": pv.DnsSettings,
                                "performance": pv.PerformanceSettings, "logs": pv.LogSettings}
PHP_KEYS = ("php.handler", "php.safe_mode", "php.version")
SETTING_KEYS = frozenset([f"{group}.{f.name}" for group, cls in GROUPS.items() for f in fields(cls)] + list(PHP_KEYS))

# Which permission lets the customer change a setting; a setting absent here is the seller's alone.
_BY_PREFIX: tuple[tuple[str, P | None], ...] = (
    ("hosting.ssh_shell", P.SSH_ACCESS_MANAGEMENT),
    ("hosting.web_statistics", P.WEB_STATISTICS_MANAGEMENT),
    ("hosting.webstat_protected", P.WEB_STATISTICS_MANAGEMENT),
    ("hosting.write_modify_permissions", P.ADDITIONAL_WRITE_PERMISSIONS_MANAGEMENT),
    ("hosting.hard_disk_quota", P.HARD_DISK_QUOTA_ASSIGNMENT),
    ("hosting.anonymous_ftp", P.ANONYMOUS_FTP_MANAGEMENT),
    ("hosting.hosting_enabled", None),
    ("hosting.", P.HOSTING_SETTINGS_MANAGEMENT),
    ("php.safe_mode", P.PHP_SAFE_MODE_MANAGEMENT),
    ("php.", P.HOSTING_SETTINGS_MANAGEMENT),
    ("mail.mailing_lists_enabled", P.MAILING_LISTS_MANAGEMENT),
    ("dns.", P.DNS_ZONE_MANAGEMENT),
    ("performance.max_bandwidth_kbps", P.PERFORMANCE_SETTINGS_MANAGEMENT),
    ("performance.max_connections", P.PERFORMANCE_SETTINGS_MANAGEMENT),
    ("performance.", P.IIS_APPLICATION_POOL_MANAGEMENT),
    ("logs.", P.LOG_ROTATION_MANAGEMENT),
)


def customer_permission(key: str) -> P | None:
    """The permission a customer needs to change `key` (None: only the seller's staff may)."""
    return next((permission for prefix, permission in _BY_PREFIX if key.startswith(prefix)), None)


def customer_may_change(key: str, permissions: frozenset[P]) -> bool:
    needed = customer_permission(key)
    return needed is not None and needed in permissions


def _checked(changes: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(changes) - SETTING_KEYS)
    if unknown:
        raise DomainError(E.INVALID, f"Not a service setting: {', '.join(unknown)[:200]}.", field="settings")
    coerced = pv.coerce_flat(dict(changes))
    for key, value in coerced.items():
        if isinstance(value, int) and not isinstance(value, bool) and not 0 <= value <= 2**31 - 1:
            raise DomainError(E.INVALID, f"{key} takes a number from 0.", field=key)
        if isinstance(value, str) and (len(value) > 255 or not value.isprintable()):
            raise DomainError(E.INVALID, f"{key} takes up to 255 printable characters.", field=key)
    return coerced


def _with_changes(values: pv.PlanValues, changes: Mapping[str, Any]) -> pv.PlanValues:
    groups = {group: replace(getattr(values, group), **{key.partition(".")[2]: value
                                                        for key, value in changes.items()
                                                        if key.partition(".")[0] == group})
              for group in (*GROUPS, "php")}
    return replace(values, **groups)


def update(*, session: Session, subscription_id: uuid.UUID, changes: Mapping[str, Any],
           as_customer: bool = False) -> Subscription:
    """Change service settings ('group.setting' → value) of one subscription; the webspace follows."""
    subscription = get_or_raise(session, subscription_id=subscription_id, for_update=True)
    coerced = _checked(changes)
    current = pv.from_json(subscription.values)
    if as_customer:
        refused = sorted(key for key in coerced if not customer_may_change(key, current.permissions))
        if refused:
            raise DomainError(E.NOT_PERMITTED, f"Your subscription does not let you change {', '.join(refused)}.",
                              field=refused[0])
    wanted = _with_changes(current, coerced)
    _refuse_unavailable(subscription, wanted, coerced)
    subscription.values = pv.to_json(wanted)
    if not as_customer:
        _record_staff_change(subscription, current.permissions, coerced)
    subscription.updated_at = clock.now()
    ip_pools.require_dedicated_ip_for(session, subscription)
    request_provisioning(session, subscription)
    return subscription


def _refuse_unavailable(subscription: Subscription, wanted: pv.PlanValues, changed: Mapping[str, Any]) -> None:
    """A setting its server cannot provide is refused (a plan's would make the subscription unsynced)."""
    found = [c for c in servers.conflicts_on_server(subscription, wanted) if c.name in changed]
    if found:
        names = ", ".join(f"{c.name} (available: {c.available_value})" for c in found)
        raise DomainError(E.SETTING_NOT_AVAILABLE, f"The subscription's server cannot provide {names}.",
                          field=found[0].name)


def _record_staff_change(subscription: Subscription, permissions: frozenset[P], changed: Mapping[str, Any]) -> None:
    # The customisation keeps the change through resyncs of a custom subscription and shows its origin.
    subscription.customization = dict(subscription.customization) | {
        key: plain_value(value) for key, value in changed.items()}
    owners = rules.owner_managed_keys(permissions, list(changed))
    if subscription.plan_id is not None and set(changed) - owners and \
            subscription.sync_state == SyncState.SYNCED.value:
        subscription.sync_state = SyncState.LOCKED.value



def visible_settings(values: pv.PlanValues, *, viewer_is_staff: bool) -> list[tuple[str, rules.Visibility, Any]]:
    """Each service setting as the viewer sees it (SPEC §4.9): staff edit all; a customer edits what its
    permissions let it, sees the others read-only when they are on (or set), and not at all otherwise."""
    flat = rules.flatten(values)
    seen = []
    for key in sorted(SETTING_KEYS):
        value = flat.get(key)
        if viewer_is_staff or customer_may_change(key, values.permissions):
            seen.append((key, rules.Visibility.EDITABLE, value))
        elif value not in (None, False, frozenset()):
            seen.append((key, rules.Visibility.READ_ONLY, value))
    return seen
