"""Queue e-mails in the outbox (inside the caller's transaction) and deliver them over SMTP."""

from __future__ import annotations

import smtplib
import uuid
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.database.hooks import after_commit
from comptoir.messaging.models import OutboundEmail
from comptoir.messaging.templates import render
from comptoir.settings import get_settings

MAX_ATTEMPTS = 5


def enqueue(*, session: Session, seller_id: uuid.UUID, customer_id: uuid.UUID | None, to_address: str,
            template: str, language: str, variables: dict[str, object]) -> OutboundEmail:
    """Write the e-mail intent; its delivery is dispatched once the transaction commits."""
    subject, body = render(template, language, variables)
    email = OutboundEmail(seller_id=seller_id, customer_id=customer_id, template=template, language=language,
                          to_address=to_address, subject=subject, body_text=body)
    session.add(email)
    session.flush()
    from comptoir.automation.jobs import dispatch_email_delivery

    email_id = email.id
    after_commit(session, lambda: dispatch_email_delivery(seller_id, email_id))
    return email


def deliver(*, session: Session, email_id: uuid.UUID) -> OutboundEmail | None:
    """Send one queued e-mail; idempotent: a sent one is never sent twice (row lock, status check)."""
    email = session.scalars(
        select(OutboundEmail).where(OutboundEmail.id == email_id).with_for_update()
    ).one_or_none()
    if email is None or email.status == "sent":
        return email
    email.attempts += 1
    try:
        _send_smtp(email)
    except (OSError, smtplib.SMTPException) as exc:
        email.last_error = f"{type(exc).__name__}: {exc}"[:1000]
        email.status = "failed" if email.attempts >= MAX_ATTEMPTS else "pending"
        return email
    email.status, email.sent_at, email.last_error = "sent", clock.now(), ""
    return email


def _send_smtp(email: OutboundEmail) -> None:
    settings = get_settings()
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message["Message-ID"] = f"<{email.id}@comptoir>"
    message.set_content(email.body_text)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password)
        smtp.send_message(message)
