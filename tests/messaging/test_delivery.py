"""Delivery to a real SMTP server started by the tests: the message's parts and headers, the recipient's
language, attachments, the seller's own server, and an SMTP server that is down for a while."""

from __future__ import annotations

import uuid

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from comptoir.automation import intents
from comptoir.database.engine import session_scope
from comptoir.messaging import outbox, smtp
from comptoir.messaging.attachments import Attachment, register_document_reader
from comptoir.messaging.models import OutboundEmail
from comptoir.tenancy.context import Role, TenantContext
from tests import factories
from tests.tenancy.support import Mailbox, body_of, cheap_password_hashing, free_port, smtp_server  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_password_hashing", "published_intents")

RESET = {"name": "Ada", "username": "ada", "minutes": 60, "link": "https://panel.example.test/r?token=t"}


@pytest.fixture
def seller_id() -> uuid.UUID:
    return factories.provider("boss").seller_id


def _system(seller_id: uuid.UUID):  # type: ignore[no-untyped-def]
    return session_scope(TenantContext(Role.SYSTEM, seller_id))


def _enqueue(seller_id: uuid.UUID, *, language: str = "en", **extra: object) -> uuid.UUID:
    with _system(seller_id) as session:
        return outbox.enqueue(session=session, seller_id=seller_id, customer_id=None, to_address="ada@example.test",
                              template="password_reset", language=language, variables=RESET,
                              **extra).id  # type: ignore[arg-type]


def _row(seller_id: uuid.UUID, email_id: uuid.UUID) -> OutboundEmail:
    with _system(seller_id) as session:
        return session.scalars(select(OutboundEmail).where(OutboundEmail.id == email_id)).one()


def test_an_email_goes_out_as_text_and_html_alternatives_with_its_headers(seller_id, smtp_server):
    # given
    email_id = _enqueue(seller_id, cc=["boss@example.test"])
    # when
    intents.perform("email", seller_id, email_id)
    # then
    [message] = smtp_server.messages
    assert message.get_content_type() == "multipart/alternative"
    assert (message["To"], message["Cc"], message["Content-Language"]) == (
        "ada@example.test", "boss@example.test", "en")
    assert message["Auto-Submitted"] == "auto-generated" and message["Date"]
    html = message.get_body(preferencelist=("html",)).get_content()
    assert '<a href="https://panel.example.test/r?token=t">' in html
    assert RESET["link"] in body_of(message)
    assert _row(seller_id, email_id).from_address == "Comptoir <no-reply@localhost>"


def test_the_recipients_language_chooses_the_text(seller_id, smtp_server):
    # when
    intents.perform("email", seller_id, _enqueue(seller_id, language="de"))
    # then
    [message] = smtp_server.messages
    assert (message["Subject"], message["Content-Language"]) == ("Passwort zurücksetzen", "de")
    assert "Hallo Ada" in body_of(message)


def test_attachments_travel_as_bytes_or_as_a_stored_document_read_at_delivery(seller_id, smtp_server):
    # given: a document kind whose bytes live elsewhere (as issued invoice PDFs do)
    document_id = uuid.uuid4()
    register_document_reader("test_document", lambda session, key: b"%PDF-1.7 stored " + key.bytes)
    files = [Attachment("notes.txt", "text/plain", b"plain bytes"),
             Attachment("invoice.pdf", "application/pdf", document_kind="test_document", document_id=document_id)]
    # when
    intents.perform("email", seller_id, _enqueue(seller_id, attachments=files))
    # then
    [message] = smtp_server.messages
    assert message.get_content_type() == "multipart/mixed"
    parts = {part.get_filename(): part for part in message.iter_attachments()}
    assert parts["notes.txt"].get_content() == "plain bytes"
    assert parts["invoice.pdf"].get_content() == b"%PDF-1.7 stored " + document_id.bytes
    assert "Ada" in body_of(message)


def test_a_seller_with_its_own_smtp_server_sends_through_it(seller_id, smtp_server):
    # given: the seller's server, needing a login the provider's does not have
    own = Mailbox()
    controller = Controller(own, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        with session_scope(TenantContext(Role.PROVIDER, seller_id)) as session:
            smtp.update_settings(session, seller_id=seller_id, change=smtp.SmtpSettingsChange(
                host="127.0.0.1", port=controller.port, security="none", from_address="shop@seller.test"))
        # when
        intents.perform("email", seller_id, _enqueue(seller_id))
    finally:
        controller.stop()
    # then
    assert smtp_server.messages == []
    [message] = own.messages
    assert message["From"] == "shop@seller.test"


def test_the_smtp_password_is_stored_sealed(seller_id):
    # when
    with session_scope(TenantContext(Role.PROVIDER, seller_id)) as session:
        row = smtp.update_settings(session, seller_id=seller_id, change=smtp.SmtpSettingsChange(
            host="smtp.seller.test", port=587, security="starttls", username="u", password="hunter2"))
        sealed = row.password_sealed
        server = smtp.server_for(session, seller_id=seller_id)
    # then
    assert "hunter2" not in sealed and server.password == "hunter2"


def test_an_smtp_server_down_for_a_while_gets_the_email_later_exactly_once(seller_id, superuser_connection,
                                                                           monkeypatch):
    # given: nothing listens where the provider's server should be
    port = free_port()
    from comptoir.settings import get_settings

    monkeypatch.setattr(get_settings(), "smtp_host", "127.0.0.1")
    monkeypatch.setattr(get_settings(), "smtp_port", port)
    email_id = _enqueue(seller_id)
    first = intents.perform("email", seller_id, email_id)
    assert (first, _row(seller_id, email_id).status) == ("pending", "pending")
    assert "ConnectionRefusedError" in _row(seller_id, email_id).last_error
    # when: the server comes back, the backoff passes and the relay runs twice
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        superuser_connection.execute("UPDATE email_outbox SET next_attempt_at = now() WHERE id = %s", (email_id,))
        handed_out = [intents.relay(inline=True), intents.relay(inline=True)]
    finally:
        controller.stop()
    # then
    assert handed_out == [1, 0]
    assert len(mailbox.messages) == 1
    row = _row(seller_id, email_id)
    assert (row.status, row.attempts, row.last_error) == ("done", 2, "")


def test_no_smtp_server_at_all_is_a_failed_attempt_not_a_lost_email(seller_id, monkeypatch):
    # given
    from comptoir.settings import get_settings

    monkeypatch.setattr(get_settings(), "smtp_host", "")
    email_id = _enqueue(seller_id)
    # when
    status = intents.perform("email", seller_id, email_id)
    # then
    assert status == "pending" and "no SMTP server" in _row(seller_id, email_id).last_error


def test_a_resent_email_is_a_new_log_entry_with_the_same_content(seller_id, smtp_server):
    # given
    email_id = _enqueue(seller_id, attachments=[Attachment("a.txt", "text/plain", b"same")])
    intents.perform("email", seller_id, email_id)
    # when
    with _system(seller_id) as session:
        again = outbox.resend(session=session, email=session.get_one(OutboundEmail, email_id)).id
    intents.perform("email", seller_id, again)
    # then
    first, second = smtp_server.messages
    assert (second["Subject"], body_of(second)) == (first["Subject"], body_of(first))
    assert [p.get_content() for p in second.iter_attachments()] == ["same"]
    assert _row(seller_id, again).resent_from_id == email_id
