"""PHP directives at every level (server < plan < add-on < subscription < site, SPEC §4.5) reach the
webspace: the local agent writes them to the webspace's php.ini, a [HOST=] section per differing site."""

from __future__ import annotations

from dataclasses import replace

import pytest

from comptoir.automation import intents
from comptoir.database.engine import session_scope
from comptoir.hosting import php_settings
from comptoir.hosting import plan_values as pv
from comptoir.hosting.inspection import sites_of
from comptoir.hosting.vocabulary import SubscriptionPermission as P
from comptoir.provisioning.local_agent import LocalDirectoryAgent
from comptoir.settings import get_settings
from tests import factories
from tests.hosting.support import addon, plan, pool_entry, subscribe, system


@pytest.fixture
def agent(monkeypatch, tmp_path) -> LocalDirectoryAgent:
    monkeypatch.setattr(get_settings(), "hosting_agent", "local")
    monkeypatch.setattr(get_settings(), "webspace_root", tmp_path)
    return LocalDirectoryAgent(tmp_path)


def deliver(dispatched) -> None:  # type: ignore[no-untyped-def]
    for seller_id, request_id in list(dispatched):
        assert intents.perform("provisioning", seller_id, request_id) == "done"
    dispatched.clear()


def test_php_directives_of_every_level_reach_the_webspace(agent, provisioning_dispatches):
    # given a plan and an add-on with directives, and permissions that let sites override
    provider = factories.provider()
    seller_id = provider.seller_id
    base = pv.default_plan_values()
    gold = plan(seller_id, values=replace(
        base, permissions=base.permissions | {P.HOSTING_SETTINGS_MANAGEMENT, P.COMMON_PHP_SETTINGS_MANAGEMENT,
                                              P.PERFORMANCE_SETTINGS_MANAGEMENT},
        php=replace(base.php, directives=(("display_errors", "on"), ("memory_limit", "256M")))))
    more = addon(seller_id, "Bigger uploads", values=pv.PlanValues(php=pv.PhpSettings(
        directives=(("upload_max_filesize", "64M"),))))
    sid = subscribe(seller_id, pool_entry(seller_id, seller_id), plan_id=gold, addon_ids=(more,))
    deliver(provisioning_dispatches)
    # when the subscription and its site override some
    with session_scope(system(seller_id)) as session:
        php_settings.set_directives(session=session, subscription_id=sid, directives={"memory_limit": "512M"})
        [site] = sites_of(session, sid)
        php_settings.set_directives(session=session, subscription_id=sid, site_id=site.id,
                                    directives={"max_execution_time": "120"})
        domain = site.domain_name
    deliver(provisioning_dispatches)
    # then the webspace's records carry the effective value of every level
    spec = agent.read_spec(sid)
    assert {k: spec["phpDirectives"][k] for k in ("display_errors", "memory_limit", "upload_max_filesize",
                                                  "max_execution_time")} == {
        "display_errors": "on", "memory_limit": "512M", "upload_max_filesize": "64M", "max_execution_time": "30"}
    assert spec["sitePhpDirectives"][domain]["max_execution_time"] == "120"
    ini = (agent.root / str(seller_id) / ".agent" / f"{domain}.php.ini").read_text()
    assert 'memory_limit = "512M"' in ini and f"[HOST={domain}]" in ini
    assert ini.index('max_execution_time = "30"') < ini.index(f"[HOST={domain}]") < ini.index(
        'max_execution_time = "120"')


def test_deleting_the_webspace_removes_its_php_ini(agent, provisioning_dispatches):
    provider = factories.provider()
    sid = subscribe(provider.seller_id, pool_entry(provider.seller_id, provider.seller_id))
    deliver(provisioning_dispatches)
    [ini] = (agent.root / str(provider.seller_id) / ".agent").glob("*.php.ini")
    agent.delete_webspace(sid)
    assert not ini.exists()
