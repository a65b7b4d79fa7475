"""E-mails through GraphQL: a seller edits, previews and resets its templates, reads the log and resends,
and sends a mass e-mail to a filtered set of customers, following its progress."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import update

from comptoir.automation import intents
from comptoir.database.engine import session_scope
from comptoir.tenancy import auth
from comptoir.tenancy.context import Role, TenantContext
from comptoir.tenancy.models import Customer, User
from tests import factories
from tests.tenancy.support import body_of, cheap_password_hashing, smtp_server  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

UPDATE = """mutation($input: EmailTemplateInput!) { emailTemplateUpdate(input: $input) {
  emailTemplate { name language subject bodyHtml bodyText overridden defaultSubject variables }
  errors { field code message } } }"""
RESET = """mutation($input: EmailTemplateKeyInput!) { emailTemplateReset(input: $input) {
  emailTemplate { subject overridden } errors { code } } }"""
PREVIEW = """query($t: String!, $l: String!, $s: String, $h: String! = "", $x: String! = "") {
  emailTemplatePreview(template: $t, language: $l, subject: $s, bodyHtml: $h, bodyText: $x) {
    preview { subject text html } errors { field code message } } }"""
TEMPLATES = """query($t: String, $l: String) { emailTemplates(template: $t, language: $l) { name language overridden } }"""
EMAILS = """query($f: EmailFilterInput) { emails(filter: $f) { totalCount edges { node {
  id template toAddress subject status attempts language resentFromId } } } }"""
RESEND = """mutation($id: ID!) { emailResend(input: {id: $id}) { email { id status resentFromId } errors { code } } }"""
MASS = """mutation($input: MassEmailCreateInput!) { massEmailCreate(input: $input) {
  massEmail { id status recipients progress { total pending sent failed } } errors { field code message } } }"""
MASS_LIST = """{ massEmails { edges { node { id status recipients progress { total pending sent failed } } } } }"""


def _as_provider():  # type: ignore[no-untyped-def]
    return session_scope(TenantContext(Role.PROVIDER, uuid.UUID(int=0)))


def _reset_password(username: str, email: str) -> None:
    with session_scope(None) as session:
        auth.request_password_reset(session, username=username, email=email)


@pytest.fixture
async def staff(client: Any) -> tuple[Any, str, Any]:
    provider = factories.provider("boss")
    reseller = factories.reseller(provider, "Alpha Hosting", "alpha")
    return reseller, await client.login("alpha", factories.PASSWORD), client


async def _ok(client: Any, query: str, variables: dict[str, Any], token: str, field: str) -> dict[str, Any]:
    answer = await client.execute(query, variables, token=token)
    assert "errors" not in answer, answer
    return answer["data"][field]  # type: ignore[no-any-return]


async def test_a_seller_overrides_a_template_in_one_language_and_its_emails_use_it(staff, published_intents,
                                                                                  smtp_server):
    # given
    reseller, token, client = staff
    change = {"template": "password_reset", "language": "fr", "subject": "{{ seller_name }} : mot de passe",
              "bodyHtml": "<p>Bonjour {{ name }}, <a href=\"{{ link }}\">cliquez</a></p>"}
    # when
    saved = await _ok(client, UPDATE, {"input": change}, token, "emailTemplateUpdate")
    factories.customer(reseller, "bob", email="bob@example.test")
    with _as_provider() as session:
        session.execute(update(User).where(User.username == "bob").values(locale="fr"))
    _reset_password("bob", "bob@example.test")
    [(seller_id, email_id)] = published_intents["email"]
    intents.perform("email", seller_id, email_id)
    # then
    assert saved["errors"] == [] and saved["emailTemplate"]["overridden"] is True
    assert "name" in saved["emailTemplate"]["variables"]
    [message] = smtp_server.messages
    assert message["Subject"] == "Alpha Hosting : mot de passe"
    assert "cliquez (https://" in body_of(message)  # the text part, derived from the HTML
    # and the other languages keep the shipped default
    listed = await _ok(client, TEMPLATES, {"t": "password_reset"}, token, "emailTemplates")
    assert {(t["language"], t["overridden"]) for t in listed} == {
        ("en", False), ("fr", True), ("de", False), ("es", False), ("ru", False)}


@pytest.mark.parametrize(("body", "code"), [
    ("{{ ''.__class__.__mro__ }}", "UNSAFE_TEMPLATE"),
    ("{% for i in range(10**9) %}x{% endfor %}", "UNSAFE_TEMPLATE"),
    ("{{ name.__init__.__globals__ }}", "UNSAFE_TEMPLATE"),
    ("Hello {{ password_hash }}", "UNKNOWN_VARIABLE"),
    ("{{ name ", "TEMPLATE_SYNTAX"),
])
async def test_an_unsafe_or_unknown_template_is_refused_at_save_time(staff, body, code):
    # given
    _, token, client = staff
    change = {"template": "password_reset", "language": "en", "subject": "S", "bodyText": body}
    # when
    refused = await _ok(client, UPDATE, {"input": change}, token, "emailTemplateUpdate")
    # then
    assert refused["emailTemplate"] is None
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [("bodyText", code)]
    listed = await _ok(client, TEMPLATES, {"t": "password_reset", "l": "en"}, token, "emailTemplates")
    assert listed[0]["overridden"] is False


async def test_preview_renders_sample_data_and_reset_brings_back_the_default(staff):
    # given
    _, token, client = staff
    await _ok(client, UPDATE, {"input": {"template": "password_reset", "language": "en", "subject": "Mine",
                                         "bodyText": "Go to {{ link }}"}}, token, "emailTemplateUpdate")
    # when
    saved = await _ok(client, PREVIEW, {"t": "password_reset", "l": "en"}, token, "emailTemplatePreview")
    unsaved = await _ok(client, PREVIEW, {"t": "password_reset", "l": "en", "s": "Hi {{ name }}", "x": "<{{ name }}>",
                                          "h": ""}, token, "emailTemplatePreview")
    reset = await _ok(client, RESET, {"input": {"template": "password_reset", "language": "en"}}, token,
                      "emailTemplateReset")
    # then
    assert saved["preview"]["subject"] == "Mine" and "token=sample" in saved["preview"]["text"]
    assert unsaved["preview"]["subject"] == "Hi Ada Lovelace" and "&lt;Ada Lovelace&gt;" in unsaved["preview"]["html"]
    assert reset["emailTemplate"] == {"subject": "Reset your password", "overridden": False}


async def test_the_log_lists_sent_emails_and_a_resend_sends_the_same_again(staff, published_intents, smtp_server):
    # given: one reset e-mail of the reseller's customer, sent
    reseller, token, client = staff
    factories.customer(reseller, "carol", email="carol@example.test")
    _reset_password("carol", "carol@example.test")
    [(seller_id, email_id)] = published_intents["email"]
    intents.perform("email", seller_id, email_id)
    # when
    log = await _ok(client, EMAILS, {"f": {"recipient": "carol@", "status": ["SENT"]}}, token, "emails")
    [entry] = [edge["node"] for edge in log["edges"]]
    resent = await _ok(client, RESEND, {"id": entry["id"]}, token, "emailResend")
    intents.perform("email", seller_id, published_intents["email"][-1][1])
    # then
    assert (entry["template"], entry["status"], entry["attempts"]) == ("password_reset", "SENT", 1)
    assert resent["errors"] == [] and resent["email"]["resentFromId"] == entry["id"]
    assert len(smtp_server.messages) == 2
    assert smtp_server.messages[0]["Subject"] == smtp_server.messages[1]["Subject"]


async def test_another_sellers_email_cannot_be_resent(staff, client):
    # given: the provider's own e-mail
    _, token, _ = staff
    provider_token = await client.login("boss", factories.PASSWORD)
    _reset_password("boss", "boss@p.test")
    everything = await _ok(client, EMAILS, {}, provider_token, "emails")
    boss_email = next(e["node"]["id"] for e in everything["edges"] if e["node"]["toAddress"].startswith("boss"))
    # when
    refused = await _ok(client, RESEND, {"id": boss_email}, token, "emailResend")
    # then
    assert refused == {"email": None, "errors": [{"code": "NOT_FOUND"}]}


async def test_a_mass_email_reaches_the_filtered_customers_with_its_progress(staff, published_intents, smtp_server):
    # given: two customers in French, one in English
    reseller, token, client = staff
    for name, locale in (("dora", "fr"), ("emil", "fr"), ("finn", "en")):
        actor = factories.customer(reseller, name, email=f"{name}@example.test")
        with _as_provider() as session:
            session.execute(update(Customer).where(Customer.id == actor.customer_id).values(locale=locale))
    audience = {"languages": ["fr"], "statuses": ["active"]}
    # when
    created = await _ok(client, MASS, {"input": {"subject": "Nouveautés de {{ seller_name }}",
                                                 "bodyText": "Bonjour {{ customer_name }}", "audience": audience}},
                        token, "massEmailCreate")
    [(seller_id, mailing_id)] = published_intents["mass_email"]
    intents.perform("mass_email", seller_id, mailing_id)
    queued = await _ok(client, MASS_LIST, {}, token, "massEmails")
    for _, email_id in published_intents["email"]:
        intents.perform("email", seller_id, email_id)
    done = await _ok(client, MASS_LIST, {}, token, "massEmails")
    # then
    assert created["errors"] == [] and created["massEmail"]["status"] == "PENDING"
    assert queued["edges"][0]["node"]["progress"] == {"total": 2, "pending": 2, "sent": 0, "failed": 0}
    assert done["edges"][0]["node"]["progress"] == {"total": 2, "pending": 0, "sent": 2, "failed": 0}
    assert done["edges"][0]["node"]["recipients"] == 2
    assert sorted(m["To"] for m in smtp_server.messages) == ["dora@example.test", "emil@example.test"]
    assert all(m["Subject"] == "Nouveautés de Alpha Hosting" for m in smtp_server.messages)


async def test_a_mass_email_with_an_unsafe_body_is_refused(staff):
    _, token, client = staff
    refused = await _ok(client, MASS, {"input": {"subject": "x", "bodyText": "{{ customer_name.__class__ }}"}},
                        token, "massEmailCreate")
    assert refused["massEmail"] is None and refused["errors"][0]["code"] == "UNSAFE_TEMPLATE"
