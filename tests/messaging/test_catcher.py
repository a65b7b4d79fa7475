"""Embedded mode without an SMTP server: the local catcher receives what the product sends, and the
provider lists it through caughtEmails."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from comptoir import app as application
from comptoir.automation import intents
from comptoir.database.engine import session_scope
from comptoir.messaging import catcher, outbox
from comptoir.settings import get_settings
from comptoir.tenancy.context import Role, TenantContext
from tests import factories
from tests.tenancy.support import cheap_password_hashing  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_password_hashing", "published_intents")

CAUGHT = "{ caughtEmails { number recipients subject text html headers } }"


@pytest.fixture
def embedded_catcher(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(get_settings(), "smtp_host", "")
    monkeypatch.setattr(get_settings(), "broker_url", "")
    monkeypatch.setattr(get_settings(), "smtp_catcher_port", 0)
    assert application.start_smtp_catcher()
    catcher.clear()
    yield
    catcher.stop()
    catcher.clear()


async def test_with_no_smtp_server_the_catcher_gets_the_email_and_the_provider_sees_it(client: Any,
                                                                                      embedded_catcher: None):
    # given
    boss = factories.provider("boss")
    with session_scope(TenantContext(Role.SYSTEM, boss.seller_id)) as session:
        email_id = outbox.enqueue(session=session, seller_id=boss.seller_id, customer_id=None,
                                  to_address="ada@example.test", template="welcome", language="es",
                                  variables={"name": "Ada", "username": "ada", "login_link": "https://x.test/l"}).id
    # when
    status = intents.perform("email", boss.seller_id, email_id)
    token = await client.login("boss", factories.PASSWORD)
    answer = await client.execute(CAUGHT, token=token)
    # then
    assert status == "done"
    [caught] = answer["data"]["caughtEmails"]
    assert caught["recipients"] == ["ada@example.test"] and caught["subject"].startswith("Bienvenido")
    assert "https://x.test/l" in caught["text"] and '<a href="https://x.test/l">' in caught["html"]
    assert ["Content-Language", "es"] in caught["headers"]


def test_a_configured_smtp_server_means_no_catcher(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(get_settings(), "smtp_host", "smtp.example.test")
    assert application.start_smtp_catcher() is False and catcher.address() is None
