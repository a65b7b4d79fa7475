"""The client's address: X-Forwarded-For is believed only from trusted proxies (COMPTOIR_TRUSTED_PROXIES)."""

from __future__ import annotations

import pytest

from comptoir.settings import get_settings
from comptoir.tenancy.client_address import client_address, trusted_networks
from tests import factories
from tests.conftest import LOGIN
from tests.tenancy.support import cheap_password_hashing  # noqa: F401

INGRESS = "10.0.3.7"
SESSIONS = "{ viewer { sessions { clientAddress } } }"


@pytest.fixture
def trusted(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    def trust(setting: str) -> None:
        monkeypatch.setattr(get_settings(), "trusted_proxies", setting)
    return trust


def test_without_trusted_proxies_the_peer_is_the_client_whatever_it_forwards(trusted):
    trusted("")
    assert client_address(INGRESS, ["198.51.100.9"]) == INGRESS


def test_a_trusted_proxy_names_the_client(trusted):
    trusted("10.0.0.0/8")
    assert client_address(INGRESS, ["198.51.100.9"]) == "198.51.100.9"


def test_an_untrusted_peer_cannot_name_another_client(trusted):
    trusted("10.0.0.0/8")
    assert client_address("203.0.113.5", ["198.51.100.9"]) == "203.0.113.5"


def test_entries_the_client_wrote_left_of_the_trusted_proxies_are_ignored(trusted):
    # given: the client sent "X-Forwarded-For: 192.0.2.66"; its load balancer and the ingress appended
    trusted("10.0.0.0/8, 172.16.0.0/12")
    # when
    address = client_address(INGRESS, ["192.0.2.66, 198.51.100.9, 172.16.4.4"])
    # then
    assert address == "198.51.100.9"


def test_several_headers_are_read_as_one_list(trusted):
    trusted("10.0.0.0/8")
    assert client_address(INGRESS, ["192.0.2.66", "198.51.100.9"]) == "198.51.100.9"


def test_ports_and_brackets_are_dropped(trusted):
    trusted("10.0.0.0/8")
    assert client_address(INGRESS, ["198.51.100.9:4711"]) == "198.51.100.9"
    assert client_address(INGRESS, ["[2001:db8::9]:4711"]) == "2001:db8::9"


def test_garbage_from_a_trusted_proxy_leaves_the_proxy_as_the_client(trusted):
    trusted("10.0.0.0/8")
    assert client_address(INGRESS, ["unknown"]) == INGRESS


def test_a_malformed_setting_names_itself():
    with pytest.raises(ValueError, match="COMPTOIR_TRUSTED_PROXIES"):
        trusted_networks("10.0.0.0/8, ingress")


@pytest.mark.usefixtures("cheap_password_hashing")
async def test_sessions_record_the_address_a_trusted_proxy_forwarded(client, trusted):
    # given: the test client's peer address is 203.0.113.7
    trusted("203.0.113.0/24")
    factories.provider("boss")
    response = await client.http.post("/graphql", json={"query": LOGIN, "variables": {
        "u": "boss", "p": factories.PASSWORD}}, headers={"x-forwarded-for": "198.51.100.9"})
    token = response.json()["data"]["sessionCreate"]["token"]
    # when
    result = await client.execute(SESSIONS, token=token)
    # then
    assert result["data"]["viewer"]["sessions"] == [{"clientAddress": "198.51.100.9"}]


def test_the_helm_chart_default_keeps_clients_behind_an_ingress_apart():
    # given: the chart as installed, a client reaching the API through an ingress pod
    # Imported here: the chart renderer needs PyYAML, which skips only this test when missing.
    from tests.deploy.test_helm_chart import PRODUCTION, container, manifests

    objects = manifests(PRODUCTION)
    setting = objects["ConfigMap/shop-comptoir"]["data"]["COMPTOIR_TRUSTED_PROXIES"]
    api = container(objects, "Deployment/shop-comptoir-api")
    # when
    seen = {client: _address_with(setting, INGRESS, [client]) for client in ("198.51.100.9", "192.0.2.44")}
    # then
    assert seen == {"198.51.100.9": "198.51.100.9", "192.0.2.44": "192.0.2.44"}
    assert "--no-proxy-headers" in api["command"]  # one reader of X-Forwarded-For: the application


def _address_with(setting: str, peer: str, forwarded_for: list[str]) -> str:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(get_settings(), "trusted_proxies", setting)
        return client_address(peer, forwarded_for)
