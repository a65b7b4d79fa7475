"""UserError messages come in the reader's language: the user's preference, else Accept-Language."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

from comptoir.database.engine import session_scope
from comptoir.tenancy.context import Role, TenantContext
from comptoir.tenancy.models import User
from tests import factories
from tests.conftest import LOGIN
from tests.tenancy.support import cheap_password_hashing  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

UPDATE = """mutation { emailTemplateUpdate(input: {template: "welcome", language: "en", subject: "S",
  bodyText: "{{ secret }}"}) { errors { code message } } }"""


async def _post(client: Any, query: str, variables: dict[str, Any], *, language: str,
                token: str | None = None) -> dict[str, Any]:
    headers = {"accept-language": language, **({"authorization": f"Bearer {token}"} if token else {})}
    response = await client.http.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    return response.json()["data"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(("language", "message"), [
    ("fr-FR,fr;q=0.9", "Identifiant ou mot de passe incorrect."),
    ("de", "Benutzername oder Passwort falsch."),
    ("ru", "Неверное имя пользователя или пароль."),
    ("it, es;q=0.5", "Nombre de usuario o contraseña incorrectos."),
    ("ja", "Wrong username or password."),
])
async def test_an_anonymous_readers_error_follows_accept_language(client, language, message):
    factories.provider("boss")
    answer = await _post(client, LOGIN, {"u": "boss", "p": "wrong password!"}, language=language)
    assert [e["message"] for e in answer["sessionCreate"]["errors"]] == [message]


async def test_a_users_preference_wins_over_accept_language_and_placeholders_are_filled(client):
    # given: a reseller whose admin prefers German
    provider = factories.provider("boss")
    factories.reseller(provider, "Alpha Hosting", "alpha")
    with session_scope(TenantContext(Role.PROVIDER, provider.seller_id)) as session:
        session.execute(update(User).where(User.username == "alpha").values(locale="de"))
    token = await client.login("alpha", factories.PASSWORD)
    # when
    answer = await _post(client, UPDATE, {}, language="fr", token=token)
    # then
    assert answer["emailTemplateUpdate"]["errors"] == [
        {"code": "UNKNOWN_VARIABLE", "message": "Unbekannte Variable(n): secret."}]
