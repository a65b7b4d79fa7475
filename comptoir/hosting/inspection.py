"""Read-side views of a subscription: effective values with their origin, effective PHP settings
down to sites, and the features visible to the current viewer (SPEC §4.5, §4.9)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.errors import DomainError
from comptoir.hosting import plan_values as pv
from comptoir.hosting import plans, rules
from comptoir.hosting.errors import HostingErrorCode as E
from comptoir.hosting.models import ServicePlan, Site, Subscription
from comptoir.hosting.subscriptions import addon_ids, current_values
from comptoir.hosting.vocabulary import SubscriptionPermission

SERVER_PHP_DEFAULTS = {
    "memory_limit": "128M", "max_execution_time": "30", "max_input_time": "60", "post_max_size": "8M",
    "upload_max_filesize": "2M", "max_input_vars": "1000", "display_errors": "off", "log_errors": "on",
    "error_reporting": "E_ALL & ~E_DEPRECATED & ~E_STRICT", "short_open_tag": "off", "include_path": ".",
    "session.save_path": "/var/lib/php/sessions", "open_basedir": "{WEBSPACEROOT}{/}{:}{TMP}{/}",
    "allow_url_fopen": "on", "file_uploads": "on", "date.timezone": "UTC",
}
SUBSCRIPTION_PHP_KEY = "php_directives"


def _named(plan: ServicePlan) -> rules.NamedValues:
    return rules.NamedValues(plan.name, plans.values_of(plan))


def effective_values(session: Session, subscription: Subscription) -> list[rules.Effective]:
    """Each property's value with the level that set it (plan, add-on, customisation, default plan)."""
    plan = session.get(ServicePlan, subscription.plan_id) if subscription.plan_id else None
    addons = [session.get_one(ServicePlan, a) for a in addon_ids(session, subscription.id)]
    return effective_values_of(subscription, plan, addons)


def effective_values_of(subscription: Subscription, plan: ServicePlan | None, addons: Sequence[ServicePlan]
                        ) -> list[rules.Effective]:
    """effective_values from its plan and add-ons already loaded (a page's DataLoader loads them in bulk)."""
    customization = {k: v for k, v in subscription.customization.items() if k != SUBSCRIPTION_PHP_KEY}
    listed = rules.effective_values(_named(plan) if plan else None, [_named(a) for a in addons], customization,
                                    default_plan=pv.default_plan_values())
    # Owner-managed settings and accepted available values live in the subscription's own values; values the
    # reseller may not give are withheld (SPEC §2).
    actual = rules.flatten(current_values(subscription))
    withheld = {c["name"] for c in subscription.conflicts
                if c.get("reason") == rules.ConflictReason.RESELLER_PERMISSION.value}
    return [e if actual.get(e.name, e.value) == e.value else rules.Effective(
        e.name, actual[e.name], rules.Origin.RESELLER_PERMISSION if e.name in withheld else rules.Origin.CUSTOMIZATION)
            for e in listed]


def php_levels(session: Session, subscription: Subscription, site: Site | None) -> list[rules.PhpLevel]:
    plan = session.get_one(ServicePlan, subscription.plan_id) if subscription.plan_id else None
    addons = [session.get_one(ServicePlan, a) for a in addon_ids(session, subscription.id)] if plan else []
    return php_levels_of(subscription, plan, addons, site)


def php_levels_of(subscription: Subscription, plan: ServicePlan | None, addons: Sequence[ServicePlan],
                  site: Site | None) -> list[rules.PhpLevel]:
    """php_levels from the plan, add-ons and site already loaded."""
    levels = [rules.PhpLevel(rules.PhpLevelKind.SERVER, "server", SERVER_PHP_DEFAULTS)]
    if plan is not None and subscription.sync_state != "synced":
        # Locked and unsynced subscriptions keep the plan's PHP as last synced: a plan change does not reach them.
        levels.append(rules.PhpLevel(rules.PhpLevelKind.PLAN, plan.name,
                                     dict(current_values(subscription).php.directives)))
    elif plan is not None:
        levels.append(rules.PhpLevel(rules.PhpLevelKind.PLAN, plan.name, dict(plans.values_of(plan).php.directives)))
        for addon in addons:
            levels.append(rules.PhpLevel(rules.PhpLevelKind.ADDON, addon.name,
                                         dict(plans.values_of(addon).php.directives)))
    own = subscription.customization.get(SUBSCRIPTION_PHP_KEY, {})
    levels.append(rules.PhpLevel(rules.PhpLevelKind.SUBSCRIPTION, subscription.domain_name, own))
    if site is not None:
        levels.append(rules.site_php_level(rules.PhpLevel(rules.PhpLevelKind.SITE, site.domain_name,
                                                          site.php_directives),
                                           current_values(subscription).permissions))
    return levels


def effective_php(session: Session, subscription: Subscription, *, site_id: uuid.UUID | None = None
                  ) -> list[rules.EffectivePhp]:
    site = None
    if site_id is not None:
        site = session.get(Site, site_id)
        if site is None or site.subscription_id != subscription.id:
            raise DomainError(E.NOT_FOUND, "No such site in this subscription.", field="siteId")
    found = rules.effective_php(php_levels(session, subscription, site))
    return [found[name] for name in sorted(found)]


def sites_of(session: Session, subscription_id: uuid.UUID) -> list[Site]:
    return list(session.scalars(select(Site).where(Site.subscription_id == subscription_id).order_by(Site.created_at)))


@dataclass(frozen=True)
class FeatureView:
    feature: str
    visibility: rules.Visibility
    value: Any


def visible_features(values: pv.PlanValues, *, viewer_is_staff: bool) -> list[FeatureView]:
    """The §4.9 table applied to every resource, and boolean features governed by their permission."""
    views = []
    for resource in pv.PLAN_RESOURCES:
        limit = values.limit(resource)
        permission = rules.RESOURCE_PERMISSION.get(resource)
        granted = permission is None or permission in values.permissions
        if rules.resource_visible(limit, granted, viewer_is_staff=viewer_is_staff):
            editable = viewer_is_staff
            views.append(FeatureView(f"limit.{resource.value}",
                                     rules.Visibility.EDITABLE if editable else rules.Visibility.READ_ONLY, limit))
    hosting_managed = SubscriptionPermission.HOSTING_SETTINGS_MANAGEMENT in values.permissions
    for language in pv.ScriptingLanguage:
        enabled = language in values.hosting.scripting
        visibility = rules.boolean_feature_visibility(enabled, hosting_managed, viewer_is_staff=viewer_is_staff)
        if visibility is not rules.Visibility.HIDDEN:
            views.append(FeatureView(f"scripting.{language.value}", visibility, enabled))
    return views


