"""Pure rules of issue 8: reseller permissions cascade (SPEC §2), synchronisation exclusions (SPEC §4.6),
accepting available values at plan level, plan validity; tested without a database."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from comptoir.hosting import rules
from comptoir.hosting.plan_values import (
    HostingSettings,
    PlanValues,
    SshShell,
    ValidityPeriod,
    ValidityUnit,
    WebStatisticsEngine,
    default_plan_values,
)
from comptoir.hosting.vocabulary import SubscriptionPermission as P

RESELLER = rules.ConflictReason.RESELLER_PERMISSION
permissions = st.frozensets(st.sampled_from(list(P)))


def with_ssh() -> PlanValues:
    values = default_plan_values()
    return replace(values, permissions=values.permissions | {P.SSH_ACCESS_MANAGEMENT},
                   hosting=replace(values.hosting, ssh_shell=SshShell.BASH))


def test_reseller_without_ssh_management_delivers_no_ssh_and_says_why():
    values = with_ssh()
    delivered, withheld = rules.cascade(values, values.permissions - {P.SSH_ACCESS_MANAGEMENT})
    assert P.SSH_ACCESS_MANAGEMENT not in delivered.permissions
    assert delivered.hosting.ssh_shell is SshShell.FORBIDDEN
    assert withheld == [rules.Conflict("permission.ssh_access_management", True, False, RESELLER),
                        rules.Conflict("hosting.ssh_shell", SshShell.BASH, SshShell.FORBIDDEN, RESELLER)]


def test_the_provider_lacks_no_permission():
    values = with_ssh()
    assert rules.cascade(values, None) == (values, [])


@given(permissions, permissions)
def test_cascade_delivers_the_intersection_and_is_idempotent(offered, reseller):
    values = replace(default_plan_values(), permissions=offered)
    delivered, withheld = rules.cascade(values, reseller)
    assert delivered.permissions == offered & reseller
    assert {c.name for c in withheld if c.name.startswith("permission.")} == {
        f"permission.{p.value}" for p in offered - reseller}
    assert rules.cascade(delivered, reseller) == (delivered, [])


def test_ssh_web_statistics_write_permissions_and_hard_quota_follow_their_own_permissions():
    hosting_only = frozenset({P.HOSTING_SETTINGS_MANAGEMENT})
    plan = rules.flatten(replace(default_plan_values(), hosting=HostingSettings(
        hosting_enabled=True, ssh_shell=SshShell.FORBIDDEN, web_statistics=WebStatisticsEngine.AWSTATS,
        write_modify_permissions=False, hard_disk_quota=100, ssl_support=True)))
    owner = plan | {"hosting.ssh_shell": SshShell.BASH, "hosting.web_statistics": WebStatisticsEngine.WEBALIZER,
                    "hosting.write_modify_permissions": True, "hosting.hard_disk_quota": 50,
                    "hosting.ssl_support": False}
    synced = rules.synchronised(owner, plan, hosting_only)
    own_permission_keys = ("hosting.ssh_shell", "hosting.web_statistics", "hosting.write_modify_permissions",
                           "hosting.hard_disk_quota")
    assert {k: synced[k] for k in own_permission_keys} == {k: plan[k] for k in own_permission_keys}
    assert synced["hosting.ssl_support"] is False  # a hosting setting proper stays the owner's
    each_own = hosting_only | {P.SSH_ACCESS_MANAGEMENT, P.WEB_STATISTICS_MANAGEMENT,
                               P.ADDITIONAL_WRITE_PERMISSIONS_MANAGEMENT, P.HARD_DISK_QUOTA_ASSIGNMENT}
    kept = rules.synchronised(owner, plan, each_own)
    assert {k: kept[k] for k in own_permission_keys} == {k: owner[k] for k in own_permission_keys}


def test_owner_set_php_safe_mode_is_kept_with_the_safe_mode_permission():
    plan = rules.flatten(default_plan_values())
    owner = plan | {"php.safe_mode": True}
    assert rules.synchronised(owner, plan, frozenset({P.PHP_SAFE_MODE_MANAGEMENT}))["php.safe_mode"] is True
    assert rules.synchronised(owner, plan, frozenset())["php.safe_mode"] is False


def test_plan_level_accept_takes_the_value_every_subscription_can_have():
    reports = [
        [{"name": "limit.disk_space", "plan_value": 5000, "available_value": 1024, "reason": "server"},
         {"name": "hosting.scripting", "plan_value": ["cgi", "perl", "php"], "available_value": ["cgi", "php"],
          "reason": "server"},
         {"name": "hosting.hard_disk_quota", "plan_value": 100, "available_value": None, "reason": "server"},
         {"name": "permission.ssh_access_management", "plan_value": True, "available_value": False,
          "reason": "reseller_permission"}],
        [{"name": "limit.disk_space", "plan_value": 5000, "available_value": 800, "reason": "allocation"},
         {"name": "hosting.scripting", "plan_value": ["cgi", "perl", "php"], "available_value": ["php", "perl"],
          "reason": "server"},
         {"name": "php.version", "plan_value": "8.3", "available_value": "8.1", "reason": "server"}],
    ]
    assert rules.plan_overrides(reports) == {"limit.disk_space": 800, "hosting.scripting": ["php"],
                                             "hosting.hard_disk_quota": None, "php.version": "8.1"}


def test_plan_validity_must_be_positive_or_unlimited():
    assert rules.validity_problem(None) is None
    assert rules.validity_problem(ValidityPeriod(1, ValidityUnit.MONTHS)) is None
    assert rules.validity_problem(ValidityPeriod(0, ValidityUnit.DAYS)) is not None
    assert rules.validity_problem(ValidityPeriod(-3, ValidityUnit.YEARS)) is not None
