"""Pure hosting rules (SPEC §4.2–4.9), tested without a database; laws checked with hypothesis."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from comptoir.hosting import rules
from comptoir.hosting.plan_values import (
    PLAN_RESOURCES,
    DnsSettings,
    DnsZoneType,
    OverusePolicy,
    PlanValues,
    ScriptingLanguage,
    default_plan_values,
)
from comptoir.hosting.rules import DEFAULT, PhpLevel, PhpLevelKind
from comptoir.hosting.vocabulary import Resource
from comptoir.hosting.vocabulary import SubscriptionPermission as P

limits = st.one_of(st.none(), st.integers(min_value=0, max_value=10**9))
resource_limits = st.dictionaries(st.sampled_from(PLAN_RESOURCES), limits)
permissions = st.frozensets(st.sampled_from(list(P)))


@st.composite
def plan_values(draw) -> PlanValues:  # type: ignore[no-untyped-def]
    return PlanValues(permissions=draw(permissions),
                      overuse=draw(st.one_of(st.none(), st.sampled_from(list(OverusePolicy))))
                      ).with_limits(draw(resource_limits))


def at_least(value: int | None, floor: int | None) -> bool:
    if value is None:
        return True
    return floor is not None and value >= floor


@given(plan_values(), plan_values())
def test_an_addon_never_lowers_a_limit_nor_removes_a_permission(plan, addon):
    combined = rules.with_addon(plan, addon)
    for resource in PLAN_RESOURCES:
        assert at_least(combined.limit(resource), plan.limit(resource))
    assert plan.permissions <= combined.permissions


@given(plan_values(), plan_values(), plan_values())
def test_addon_order_does_not_change_limits_or_permissions(plan, first, second):
    one = rules.combine(plan, [first, second])
    other = rules.combine(plan, [second, first])
    assert one.limits_map() == other.limits_map()
    assert one.permissions == other.permissions


def test_addon_values_are_added_to_the_plan():
    plan = PlanValues().with_limits({Resource.MAILBOXES: 10, Resource.DISK_SPACE: None})
    addon = PlanValues().with_limits({Resource.MAILBOXES: 5, Resource.DISK_SPACE: 100})
    combined = rules.with_addon(plan, addon)
    assert combined.limit(Resource.MAILBOXES) == 15
    assert combined.limit(Resource.DISK_SPACE) is None


def test_a_service_not_selected_in_an_addon_removes_nothing():
    plan = default_plan_values()
    addon = PlanValues()  # selects nothing at all
    assert rules.with_addon(plan, addon) == plan


def test_addon_can_enable_a_scripting_language_but_not_disable_one():
    plan = replace(default_plan_values(), hosting=replace(default_plan_values().hosting, ssl_support=True))
    addon = PlanValues(hosting=replace(PlanValues().hosting, ssl_support=False,
                                       scripting=frozenset({ScriptingLanguage.PYTHON})))
    combined = rules.with_addon(plan, addon)
    assert combined.hosting.ssl_support is True
    assert {ScriptingLanguage.PYTHON, ScriptingLanguage.PHP} <= combined.hosting.scripting


def test_addon_only_relaxes_the_overuse_policy():
    plan = PlanValues(overuse=OverusePolicy.ALLOWED)
    stricter = PlanValues(overuse=OverusePolicy.NOT_ALLOWED_SUSPEND)
    assert rules.with_addon(plan, stricter).overuse is OverusePolicy.ALLOWED


def test_common_php_and_performance_permissions_need_hosting_settings_management():
    granted = frozenset({P.COMMON_PHP_SETTINGS_MANAGEMENT, P.PERFORMANCE_SETTINGS_MANAGEMENT})
    assert set(rules.permission_problems(granted)) == set(granted)
    assert rules.permission_problems(granted | {P.HOSTING_SETTINGS_MANAGEMENT}) == []


def test_effective_values_name_the_level_that_set_them():
    plan = rules.NamedValues("Gold", PlanValues().with_limits({Resource.MAILBOXES: 10, Resource.DISK_SPACE: 500}))
    addon = rules.NamedValues("More mail", PlanValues().with_limits({Resource.MAILBOXES: 5}))
    effective = {e.name: e for e in rules.effective_values(
        plan, [addon], {"limit.disk_space": 800}, default_plan=default_plan_values())}
    assert (effective["limit.mailboxes"].value, effective["limit.mailboxes"].origin,
            effective["limit.mailboxes"].source_name) == (15, rules.Origin.ADDON, "More mail")
    assert (effective["limit.disk_space"].value, effective["limit.disk_space"].origin) == (
        800, rules.Origin.CUSTOMIZATION)
    assert effective["limit.subdomains"].origin is rules.Origin.PLAN


def test_custom_subscription_values_come_from_the_default_plan():
    effective = {e.name: e for e in rules.effective_values(None, [], {}, default_plan=default_plan_values())}
    assert effective["limit.disk_space"].origin is rules.Origin.DEFAULT_PLAN


def test_dns_setting_not_synced_when_dns_management_granted():
    plan = rules.flatten(replace(default_plan_values(), dns=DnsSettings(zone_type=DnsZoneType.MASTER)))
    current = plan | {"dns.zone_type": DnsZoneType.SLAVE}
    kept = rules.synchronised(current, plan, frozenset({P.DNS_ZONE_MANAGEMENT}))
    assert kept["dns.zone_type"] is DnsZoneType.SLAVE
    replaced = rules.synchronised(current, plan, frozenset())
    assert replaced["dns.zone_type"] is DnsZoneType.MASTER


def test_hard_quota_follows_the_plan_unless_its_assignment_is_granted():
    plan = rules.flatten(default_plan_values()) | {"hosting.hard_disk_quota": 100}
    current = plan | {"hosting.hard_disk_quota": 50}
    granted = frozenset({P.HOSTING_SETTINGS_MANAGEMENT})
    assert rules.synchronised(current, plan, granted)["hosting.hard_disk_quota"] == 100
    assert rules.synchronised(current, plan, granted | {P.HARD_DISK_QUOTA_ASSIGNMENT})[
        "hosting.hard_disk_quota"] == 50


@given(plan_values(), plan_values(), permissions)
def test_resyncing_a_synced_subscription_changes_nothing(plan, current, granted):
    plan_flat, current_flat = rules.flatten(plan), rules.flatten(current)
    once = rules.synchronised(current_flat, plan_flat, granted)
    assert rules.synchronised(once, plan_flat, granted) == once


@given(resource_limits, resource_limits)
def test_accepting_available_values_leaves_no_conflict(required_limits, available_limits):
    required = {f"limit.{r.value}": v for r, v in required_limits.items()}
    available = {f"limit.{r.value}": v for r, v in available_limits.items()}
    found = rules.conflicts(required, available)
    assert rules.conflicts(rules.accept_available(required, found), available) == []
    for conflict in found:
        assert conflict.plan_value == required[conflict.name]


def test_conflict_report_names_property_plan_value_and_available_value():
    found = rules.conflicts({"limit.disk_space": 1000, "limit.mailboxes": None},
                            {"limit.disk_space": 400, "limit.mailboxes": 20})
    assert found == [rules.Conflict("limit.disk_space", 1000, 400), rules.Conflict("limit.mailboxes", None, 20)]


SERVER = PhpLevel(PhpLevelKind.SERVER, "server", {"memory_limit": "128M", "max_input_time": "60",
                                                   "display_errors": "off"})


def test_php_lower_level_overrides_and_default_inherits():
    plan = PhpLevel(PhpLevelKind.PLAN, "Gold", {"memory_limit": "256M", "display_errors": DEFAULT})
    subscription = PhpLevel(PhpLevelKind.SUBSCRIPTION, "example.com", {"display_errors": "on"})
    effective = rules.effective_php([SERVER, plan, subscription])
    assert (effective["memory_limit"].value, effective["memory_limit"].level) == ("256M", PhpLevelKind.PLAN)
    assert (effective["display_errors"].value, effective["display_errors"].level) == (
        "on", PhpLevelKind.SUBSCRIPTION)
    assert effective["max_input_time"].level is PhpLevelKind.SERVER


def test_php_addon_default_keeps_the_plan_value_not_the_server_default():
    plan = PhpLevel(PhpLevelKind.PLAN, "Gold", {"memory_limit": "256M"})
    addon = PhpLevel(PhpLevelKind.ADDON, "Boost", {"memory_limit": DEFAULT, "max_input_time": "120"})
    effective = rules.effective_php([SERVER, plan, addon])
    assert effective["memory_limit"].value == "256M"
    assert effective["max_input_time"].value == "120"


def test_php_ini_all_directives_are_marked_runtime_changeable():
    effective = rules.effective_php([SERVER])
    assert effective["memory_limit"].runtime_changeable is True
    assert effective["max_input_time"].runtime_changeable is False


def test_site_php_overrides_need_the_matching_permission():
    site = PhpLevel(PhpLevelKind.SITE, "blog.example.com", {"memory_limit": "512M", "display_errors": "on"})
    none = rules.site_php_level(site, frozenset())
    assert dict(none.directives) == {}
    performance = rules.site_php_level(site, frozenset({P.PERFORMANCE_SETTINGS_MANAGEMENT}))
    assert dict(performance.directives) == {"memory_limit": "512M"}


@given(st.lists(st.dictionaries(st.sampled_from(["memory_limit", "display_errors", "max_input_time"]),
                                st.sampled_from(["1", "2", DEFAULT])), max_size=5))
def test_default_never_overrides(levels):
    stack = [SERVER] + [PhpLevel(PhpLevelKind.SUBSCRIPTION, str(i), d) for i, d in enumerate(levels)]
    effective = rules.effective_php(stack)
    assert all(e.value != DEFAULT for e in effective.values())


def test_visibility_table_of_spec_4_9():
    table = {(5, True): (True, True), (5, False): (False, True), (0, True): (False, False),
             (0, False): (False, False), (None, False): (False, True)}
    for (limit, permission), (customer_sees, staff_sees) in table.items():
        assert rules.resource_visible(limit, permission, viewer_is_staff=False) is customer_sees
        assert rules.resource_visible(limit, permission, viewer_is_staff=True) is staff_sees


def test_boolean_feature_without_permission_is_read_only_when_enabled_and_hidden_when_disabled():
    assert rules.boolean_feature_visibility(True, False, viewer_is_staff=False) is rules.Visibility.READ_ONLY
    assert rules.boolean_feature_visibility(False, False, viewer_is_staff=False) is rules.Visibility.HIDDEN
    assert rules.boolean_feature_visibility(False, True, viewer_is_staff=False) is rules.Visibility.EDITABLE
