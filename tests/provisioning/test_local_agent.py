"""The embedded hosting agent builds real webspaces on disk, from the seller's skeleton or the stock one."""

from __future__ import annotations

import hashlib
import stat
import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from comptoir.hosting.plan_values import default_plan_values
from comptoir.hosting.rules import flatten
from comptoir.provisioning import stock_skeleton
from comptoir.provisioning.hosting_agent import (
    AgentError,
    AgentErrorCode,
    HostingAgent,
    WebspaceSpec,
    get_hosting_agent,
)
from comptoir.provisioning.local_agent import LimitedAgent, LocalDirectoryAgent
from comptoir.settings import Settings
from tests.hosting import archive_builders as build
from tests.hosting.archive_builders import FRIENDLY, file


@pytest.fixture(autouse=True)
def clean_tables():
    """These tests touch no table: nothing to clean after them."""
    yield


@pytest.fixture
def agent(tmp_path) -> LocalDirectoryAgent:
    return LocalDirectoryAgent(tmp_path / "webspaces")


def _spec(**changes) -> WebspaceSpec:
    spec = WebspaceSpec(subscription_id=uuid.uuid4(), seller_id=uuid.uuid4(), domain_name="example.test",
                        system_login="example", values=flatten(default_plan_values()))
    return replace(spec, **changes)


def _tree(root: Path) -> set[str]:
    return {path.relative_to(root).as_posix() for path in root.rglob("*")}


def test_the_local_agent_is_a_hosting_agent(agent):
    assert isinstance(agent, HostingAgent)


def test_a_webspace_is_created_from_the_uploaded_skeleton(agent):
    # given
    spec = _spec(skeleton=build.tar(FRIENDLY, gzip=True))
    # when
    agent.create_webspace(spec)
    # then
    home = agent.webspace_path(spec.subscription_id)
    assert home == agent.root / str(spec.seller_id) / "example.test"
    assert (home / "httpdocs/index.html").read_bytes() == b"<h1>Welcome</h1>"
    assert (home / "cgi-bin/hello.cgi").stat().st_mode & stat.S_IXUSR
    assert {p for p in _tree(home) if "/" not in p} == {"httpdocs", "cgi-bin", "anon_ftp", "error_docs"}
    written = agent.read_spec(spec.subscription_id)
    assert written["skeleton"] == hashlib.sha256(spec.skeleton).hexdigest()
    assert written["values"]["php.handler"] == "fastcgi"
    assert written["values"]["hosting.scripting"] == ["cgi", "php"]


def test_a_skeleton_without_some_root_folders_still_gives_all_four(agent):
    # given
    spec = _spec(skeleton=build.zip_([file("httpdocs/index.html", b"hi")]))
    # when
    agent.create_webspace(spec)
    # then
    home = agent.webspace_path(spec.subscription_id)
    assert all((home / folder).is_dir() for folder in ("httpdocs", "cgi-bin", "anon_ftp", "error_docs"))


def test_without_a_skeleton_the_stock_one_is_used(agent):
    # given
    spec = _spec()
    # when
    agent.create_webspace(spec)
    # then
    home = agent.webspace_path(spec.subscription_id)
    assert _tree(home) == {entry.rstrip("/") for entry in stock_skeleton.ENTRIES}
    assert b"being set up" in (home / "httpdocs/index.html").read_bytes()
    assert agent.read_spec(spec.subscription_id)["skeleton"] == "stock"


def test_creating_twice_is_harmless_and_keeps_the_content(agent):
    # given
    spec = _spec()
    agent.create_webspace(spec)
    home = agent.webspace_path(spec.subscription_id)
    (home / "httpdocs/mine.html").write_text("customer's page")
    # when
    agent.create_webspace(spec)
    # then
    assert (home / "httpdocs/mine.html").read_text() == "customer's page"
    assert sorted(p.name for p in home.parent.iterdir()) == [".agent", "example.test"]


def test_another_subscription_cannot_take_an_existing_webspace(agent):
    # given
    spec = _spec()
    agent.create_webspace(spec)
    # when
    with pytest.raises(AgentError) as refused:
        agent.create_webspace(replace(spec, subscription_id=uuid.uuid4()))
    # then
    assert refused.value.code is AgentErrorCode.WEBSPACE_CONFLICT


def test_update_rewrites_the_values(agent):
    # given
    spec = _spec()
    agent.create_webspace(spec)
    values = dict(spec.values) | {"hosting.hard_disk_quota": 2048}
    # when
    agent.update_webspace(replace(spec, values=values, system_login="renamed"))
    # then
    written = agent.read_spec(spec.subscription_id)
    assert written["values"]["hosting.hard_disk_quota"] == 2048
    assert written["systemLogin"] == "renamed"


def test_update_cannot_move_a_webspace_to_another_domain(agent):
    # given
    spec = _spec()
    agent.create_webspace(spec)
    # when
    with pytest.raises(AgentError) as refused:
        agent.update_webspace(replace(spec, domain_name="other.test"))
    # then
    assert refused.value.code is AgentErrorCode.INVALID_SPEC


def test_suspend_and_activate_are_idempotent(agent):
    # given
    spec = _spec()
    agent.create_webspace(spec)
    # when / then
    agent.suspend_webspace(spec.subscription_id)
    agent.suspend_webspace(spec.subscription_id)
    assert agent.is_suspended(spec.subscription_id)
    agent.activate_webspace(spec.subscription_id)
    agent.activate_webspace(spec.subscription_id)
    assert not agent.is_suspended(spec.subscription_id)


def test_delete_removes_the_webspace_and_deleting_again_is_harmless(agent):
    # given
    spec = _spec()
    agent.create_webspace(spec)
    # when
    agent.delete_webspace(spec.subscription_id)
    agent.delete_webspace(spec.subscription_id)
    # then
    assert agent.webspace_path(spec.subscription_id) is None
    assert not (agent.root / str(spec.seller_id) / "example.test").exists()
    assert list((agent.root / ".subscriptions").iterdir()) == []


@pytest.mark.parametrize("operation", ["update_webspace", "suspend_webspace", "activate_webspace"])
def test_operations_on_a_missing_webspace_say_so(agent, operation):
    # given
    spec = _spec()
    # when
    with pytest.raises(AgentError) as refused:
        getattr(agent, operation)(spec if operation == "update_webspace" else spec.subscription_id)
    # then
    assert refused.value.code is AgentErrorCode.WEBSPACE_NOT_FOUND


@pytest.mark.parametrize("domain", ["../../etc", "Example.test", "a/b.test", ".hidden", "-x.test", ""])
def test_a_domain_that_is_not_a_plain_host_name_is_refused_before_touching_the_disk(agent, domain):
    # when
    with pytest.raises(AgentError) as refused:
        agent.create_webspace(_spec(domain_name=domain))
    # then
    assert refused.value.code is AgentErrorCode.INVALID_SPEC
    assert not agent.root.exists()


def test_a_hostile_skeleton_fails_the_creation_and_leaves_nothing_behind(tmp_path, agent):
    # given
    spec = _spec(skeleton=build.tar(FRIENDLY + [file("httpdocs/../../../../escaped.txt", b"x")]))
    # when
    with pytest.raises(AgentError) as refused:
        agent.create_webspace(spec)
    # then
    assert refused.value.code is AgentErrorCode.SKELETON_REJECTED
    assert "leaves the archive's root" in refused.value.message
    assert agent.webspace_path(spec.subscription_id) is None
    assert _tree(tmp_path) == {"webspaces", f"webspaces/{spec.seller_id}", f"webspaces/{spec.seller_id}/.agent"}


def test_the_full_life_of_a_webspace_from_an_uploaded_skeleton(agent):
    # given
    spec = _spec(skeleton=build.zip_(FRIENDLY))
    # when / then
    agent.create_webspace(spec)
    home = agent.webspace_path(spec.subscription_id)
    assert (home / "error_docs/not_found.html").exists()
    agent.update_webspace(replace(spec, values=dict(spec.values) | {"limit.disk_space": 500}))
    assert agent.read_spec(spec.subscription_id)["values"]["limit.disk_space"] == 500
    agent.suspend_webspace(spec.subscription_id)
    assert agent.is_suspended(spec.subscription_id)
    agent.activate_webspace(spec.subscription_id)
    assert not agent.is_suspended(spec.subscription_id)
    agent.delete_webspace(spec.subscription_id)
    assert not home.exists()
    assert _tree(agent.root) == {str(spec.seller_id), f"{spec.seller_id}/.agent", ".subscriptions"}


def test_the_agents_records_stay_outside_the_webspace_its_owner_can_write(agent):
    # given
    spec = _spec()
    agent.create_webspace(spec)
    home = agent.webspace_path(spec.subscription_id)
    # when
    agent.suspend_webspace(spec.subscription_id)
    # then: nothing in the home but the skeleton's folders, so its owner cannot lift the suspension
    assert {p.name for p in home.iterdir()} == {"httpdocs", "cgi-bin", "anon_ftp", "error_docs"}
    assert agent.is_suspended(spec.subscription_id)


def test_the_setting_chooses_the_driver(tmp_path):
    # when
    local = get_hosting_agent(Settings(hosting_agent="local", webspace_root=tmp_path))
    limited = get_hosting_agent(Settings(hosting_agent="limited"), root=tmp_path)
    # then
    assert type(local) is LocalDirectoryAgent and local.root == tmp_path
    assert type(limited) is LimitedAgent and limited.root == tmp_path
    with pytest.raises(ValueError, match="Unknown hosting agent"):
        get_hosting_agent(Settings(hosting_agent="plesk"))
