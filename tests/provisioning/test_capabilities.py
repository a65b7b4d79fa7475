"""What a hosting server cannot provide makes a subscription unsynced (SPEC §4.6): capabilities say what."""

from __future__ import annotations

import pytest

from comptoir.hosting.plan_values import PhpHandler, ScriptingLanguage, SshShell, default_plan_values, to_json
from comptoir.hosting.rules import Conflict, accept_available, flatten
from comptoir.provisioning.hosting_agent import AgentCapabilities, OsFamily
from comptoir.provisioning.local_agent import LIMITED_CAPABILITIES, LOCAL_CAPABILITIES, LimitedAgent

DEFAULT = flatten(default_plan_values())


@pytest.fixture(autouse=True)
def clean_tables():
    """These tests touch no table: nothing to clean after them."""
    yield


def test_the_local_server_provides_the_default_plan():
    assert LOCAL_CAPABILITIES.conflicts(DEFAULT) == []


def test_the_local_server_provides_a_hard_disk_quota():
    assert LOCAL_CAPABILITIES.conflicts(DEFAULT | {"hosting.hard_disk_quota": 500}) == []


def test_the_limited_server_reports_each_property_it_cannot_provide_with_what_it_can(tmp_path):
    # given
    required = DEFAULT | {"hosting.hard_disk_quota": 500, "php.version": "8.3", "php.handler": PhpHandler.CGI,
                          "hosting.scripting": frozenset({ScriptingLanguage.PHP, ScriptingLanguage.PERL})}
    # when
    found = LimitedAgent(tmp_path).capabilities().conflicts(required)
    # then
    assert found == [
        Conflict("hosting.hard_disk_quota", 500, None),
        Conflict("hosting.scripting", frozenset({ScriptingLanguage.PHP, ScriptingLanguage.PERL}),
                 frozenset({ScriptingLanguage.PHP})),
        Conflict("limit.disk_space", 10_240, 1024),
        Conflict("php.handler", PhpHandler.CGI, PhpHandler.FASTCGI),
        Conflict("php.version", "8.3", "8.1"),
    ]


def test_accepting_the_available_values_leaves_no_conflict():
    # given
    required = DEFAULT | {"hosting.hard_disk_quota": 500, "php.version": "8.3"}
    # when
    accepted = accept_available(required, LIMITED_CAPABILITIES.conflicts(required))
    # then
    assert LIMITED_CAPABILITIES.conflicts(accepted) == []


def test_an_unlimited_disk_is_capped_by_the_server_ceiling():
    assert LIMITED_CAPABILITIES.conflicts({"limit.disk_space": None}) == [Conflict("limit.disk_space", None, 1024)]


def test_values_stored_as_json_strings_compare_like_enum_members():
    # given: the stored form of the plan ('fastcgi', ['cgi', 'php'])
    stored = to_json(default_plan_values())
    required = {"php.handler": stored["php"]["handler"], "hosting.scripting": stored["hosting"]["scripting"]}
    # then
    assert LOCAL_CAPABILITIES.conflicts(required) == []


def test_windows_only_settings_cannot_be_provided_by_a_unix_server():
    # given
    required = {"hosting.frontpage": True, "performance.dedicated_iis_pool": True, "hosting.write_modify_permissions": None}
    # then
    assert LOCAL_CAPABILITIES.conflicts(required) == [
        Conflict("hosting.frontpage", True, False), Conflict("performance.dedicated_iis_pool", True, False)]


def test_a_windows_server_provides_no_ssh_shell():
    windows = AgentCapabilities(os_family=OsFamily.WINDOWS, hard_disk_quota=True,
                                php_handlers=frozenset({PhpHandler.ISAPI, PhpHandler.FASTCGI}), php_versions=("5.6",),
                                scripting=frozenset({ScriptingLanguage.ASP_NET}))
    assert windows.conflicts({"hosting.ssh_shell": SshShell.BASH, "hosting.frontpage": True}) == [
        Conflict("hosting.ssh_shell", SshShell.BASH, SshShell.FORBIDDEN)]
