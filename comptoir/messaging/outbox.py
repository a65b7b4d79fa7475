"""Queue e-mails in the outbox (inside the caller's transaction) and deliver them over SMTP.
Delivery is performed by automation (row lock, attempts, backoff); a sent e-mail is never sent twice."""

from __future__ import annotations

import smtplib
import uuid
from email.message import EmailMessage

from sqlalchemy.orm import Session

from comptoir.messaging.models import OutboundEmail
from comptoir.messaging.templates import render
from comptoir.settings import get_settings

MAX_ATTEMPTS = 5


def enqueue(*, session: Session, seller_id: uuid.UUID, customer_id: uuid.UUID | None, to_address: str,
            template: str, language: str, variables: dict[str, object]) -> OutboundEmail:
    """Write the e-mail intent; it is delivered once the transaction commits (see database.intents)."""
    subject, body = render(template, language, variables)
    email = OutboundEmail(seller_id=seller_id, customer_id=customer_id, template=template, language=language,
                          to_address=to_address, subject=subject, body_text=body)
    session.add(email)
    session.flush()
    return email


def deliver(*, session: Session, email: OutboundEmail) -> None:
    """Send one locked, pending e-mail over SMTP; raises what the SMTP server or network raised."""
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
