"""Queue e-mails in the outbox (inside the caller's transaction) and deliver them over SMTP.

`enqueue` renders the e-mail once (the seller's override of the template in the recipient's language,
else the shipped default) and writes it with its attachments: the row is what is delivered, logged and
resent. Delivery is performed by automation (row lock, attempts, backoff); a sent e-mail is never sent
twice.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from email.message import EmailMessage
from email.utils import format_datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.messaging import overrides, smtp
from comptoir.messaging.attachments import Attachment, load_content
from comptoir.messaging.models import EmailAttachment, OutboundEmail
from comptoir.messaging.templates import RenderedEmail, render_email

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


def enqueue(*, session: Session, seller_id: uuid.UUID, customer_id: uuid.UUID | None, to_address: str,
            template: str, language: str, variables: Mapping[str, object],
            attachments: Sequence[Attachment] = (), cc: Sequence[str] = ()) -> OutboundEmail:
    """Write the e-mail intent; it is delivered once the transaction commits (see database.intents)."""
    rendered = render(session=session, seller_id=seller_id, template=template, language=language,
                      variables=variables)
    return write(session=session, seller_id=seller_id, customer_id=customer_id, to_address=to_address,
                 template=template, language=language, rendered=rendered, attachments=attachments, cc=cc)


def render(*, session: Session, seller_id: uuid.UUID, template: str, language: str,
           variables: Mapping[str, object]) -> RenderedEmail:
    """The e-mail as the seller's template makes it; a stored override that fails to render (it passed no
    check: written around the API) gives way to the shipped default."""
    values = {**overrides.seller_variables(session, seller_id), **variables}
    chosen = overrides.effective(session, seller_id=seller_id, template=template, language=language)
    try:
        return render_email(chosen.template, values, language=language)
    except Exception:  # noqa: BLE001 -- whatever a broken override raises, the shipped text is sent
        if not chosen.overridden:
            raise
        log.warning("override of %s (%s) for seller %s failed to render", template, language, seller_id,
                    exc_info=True)
        return render_email(chosen.default, values, language=language)


def write(*, session: Session, seller_id: uuid.UUID, customer_id: uuid.UUID | None, to_address: str,
          template: str, language: str, rendered: RenderedEmail, attachments: Sequence[Attachment] = (),
          cc: Sequence[str] = (), mass_email_id: uuid.UUID | None = None,
          resent_from_id: uuid.UUID | None = None) -> OutboundEmail:
    email = OutboundEmail(seller_id=seller_id, customer_id=customer_id, template=template, language=language,
                          to_address=to_address, cc=list(cc), subject=rendered.subject, body_text=rendered.text,
                          body_html=rendered.html, mass_email_id=mass_email_id, resent_from_id=resent_from_id)
    session.add(email)
    session.flush()
    if attachments:
        session.add_all([EmailAttachment(seller_id=seller_id, email_id=email.id, position=position,
                                         filename=a.filename, content_type=a.content_type, content=a.content,
                                         document_kind=a.document_kind, document_id=a.document_id)
                         for position, a in enumerate(attachments)])
        session.flush()
    return email


def attachments_of(session: Session, email: OutboundEmail) -> list[EmailAttachment]:
    return list(session.scalars(select(EmailAttachment).where(EmailAttachment.email_id == email.id)
                                .order_by(EmailAttachment.position)))


def resend(*, session: Session, email: OutboundEmail) -> OutboundEmail:
    """A new e-mail with the same content, recipients and files (an issued document's same bytes)."""
    files = [Attachment(a.filename, a.content_type, a.content, a.document_kind, a.document_id)
             for a in attachments_of(session, email)]
    rendered = RenderedEmail(subject=email.subject, text=email.body_text, html=email.body_html)
    return write(session=session, seller_id=email.seller_id, customer_id=email.customer_id,
                 to_address=email.to_address, template=email.template, language=email.language,
                 rendered=rendered, attachments=files, cc=email.cc, resent_from_id=email.id)


def build_message(session: Session, email: OutboundEmail, *, sender: str) -> EmailMessage:
    """multipart/alternative (text, HTML), inside multipart/mixed when there are attachments."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to_address
    if email.cc:
        message["Cc"] = ", ".join(email.cc)
    message["Subject"] = email.subject
    message["Date"] = format_datetime(email.created_at)
    message["Message-ID"] = f"<{email.id}@comptoir>"
    if email.mass_email_id is None:
        message["Auto-Submitted"] = "auto-generated"
    message["X-Comptoir-Template"] = email.template
    message.set_content(email.body_text)
    if email.body_html:
        message.add_alternative(email.body_html, subtype="html")
    for attachment in attachments_of(session, email):
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(load_content(session, attachment), maintype=maintype, subtype=subtype,
                               filename=attachment.filename)
    message["Content-Language"] = email.language  # after the parts: setting content drops Content-* headers
    return message


def deliver(*, session: Session, email: OutboundEmail) -> None:
    """Send one locked, pending e-mail over SMTP; raises what the SMTP server or network raised."""
    server = smtp.server_for(session, seller_id=email.seller_id)
    email.from_address = server.sender
    smtp.send(server, build_message(session, email, sender=server.sender))

