"""GraphQL types of e-mails (SPEC §11): templates, the log, SMTP settings, mass e-mails, caught e-mails."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

import strawberry
from sqlalchemy.orm import Session

from comptoir.database.pagination import SortDirection
from comptoir.messaging import mass
from comptoir.messaging.catcher import CaughtEmail as CaughtModel
from comptoir.messaging.log import EmailSort as _EmailSort
from comptoir.messaging.models import MassEmail as MassEmailModel
from comptoir.messaging.models import OutboundEmail
from comptoir.messaging.models import SmtpSettings as SmtpSettingsModel
from comptoir.messaging.overrides import EffectiveTemplate
from comptoir.messaging.sandbox import TemplateErrorCode
from comptoir.messaging.templates import RenderedEmail
from comptoir.schema.base import Node, UserError, error_code_enum
from comptoir.schema.dataloaders import Loader, value_or_later
from comptoir.schema.ids import encode_id
from comptoir.tenancy.errors import ValidationErrorCode

EmailErrorCode = error_code_enum("EmailErrorCode", TemplateErrorCode, ValidationErrorCode)


@strawberry.type
class EmailError(UserError):
    code: EmailErrorCode  # type: ignore[valid-type]


class EmailStatus(enum.Enum):
    PENDING = "pending"
    RUNNING = "running"
    SENT = "done"
    FAILED = "failed"


EmailStatusEnum = strawberry.enum(EmailStatus, name="EmailStatus",
                                  description="PENDING: queued or waiting for a retry; SENT: accepted by the "
                                              "SMTP server; FAILED: gave up after the last attempt.")
EmailSortField = strawberry.enum(_EmailSort, name="EmailSortField")
SmtpSecurity = strawberry.enum(enum.Enum("SmtpSecurity", {"NONE": "none", "STARTTLS": "starttls", "TLS": "tls"}),
                               name="SmtpSecurity")


@strawberry.type(description="An automatic e-mail's template in one language: the seller's version if it "
                             "saved one (overridden), else the shipped default.")
class EmailTemplate:
    name: str
    language: str
    variables: list[str] = strawberry.field(description="What the template may use ({{ name }}).")
    subject: str
    body_html: str = strawberry.field(description="Empty: the HTML part is made from the text.")
    body_text: str = strawberry.field(description="Empty: the text part is made from the HTML.")
    overridden: bool
    default_subject: str
    default_body_html: str
    default_body_text: str

    @classmethod
    def of(cls, chosen: EffectiveTemplate) -> EmailTemplate:
        own, shipped = chosen.template, chosen.default
        return cls(name=chosen.name, language=chosen.language, variables=sorted(own.allowed),
                   subject=own.subject, body_html=own.html, body_text=own.body, overridden=chosen.overridden,
                   default_subject=shipped.subject, default_body_html=shipped.html, default_body_text=shipped.body)


@strawberry.type(description="An e-mail as it would be sent, with sample data.")
class EmailPreview:
    subject: str
    text: str
    html: str

    @classmethod
    def of(cls, rendered: RenderedEmail) -> EmailPreview:
        return cls(subject=rendered.subject, text=rendered.text, html=rendered.html)


@strawberry.type(description="One e-mail of the log: what was sent (or is to be), to whom, and how it went.")
class Email(Node):
    template: str
    language: str
    to_address: str
    cc: list[str]
    from_address: str = strawberry.field(description="The sender used at the last attempt.")
    subject: str
    body_text: str
    body_html: str
    status: EmailStatusEnum  # type: ignore[valid-type]
    attempts: int
    last_error: str
    created_at: datetime
    sent_at: datetime | None = strawberry.field(description="When it was sent, or failed for good.")
    next_attempt_at: datetime | None
    customer_id: strawberry.ID | None
    mass_email_id: strawberry.ID | None
    resent_from_id: strawberry.ID | None

    @classmethod
    def from_model(cls, email: OutboundEmail) -> Email:
        return cls(
            id=strawberry.ID(encode_id("Email", email.id)), template=email.template, language=email.language,
            to_address=email.to_address, cc=list(email.cc), from_address=email.from_address,
            subject=email.subject, body_text=email.body_text, body_html=email.body_html,
            status=EmailStatus(email.status), attempts=email.attempts, last_error=email.last_error,
            created_at=email.created_at, sent_at=email.done_at,
            next_attempt_at=None if email.is_finished else email.next_attempt_at,
            customer_id=_id("Customer", email.customer_id), mass_email_id=_id("MassEmail", email.mass_email_id),
            resent_from_id=_id("Email", email.resent_from_id))


def _id(kind: str, value: uuid.UUID | None) -> strawberry.ID | None:
    return strawberry.ID(encode_id(kind, value)) if value else None


@strawberry.type(description="The seller's own SMTP server (without one, the provider's is used).")
class SmtpSettings:
    host: str
    port: int
    security: SmtpSecurity  # type: ignore[valid-type]
    username: str
    has_password: bool = strawberry.field(description="The password itself is never returned.")
    from_address: str
    updated_at: datetime

    @classmethod
    def from_model(cls, row: SmtpSettingsModel) -> SmtpSettings:
        return cls(host=row.host, port=row.port, security=SmtpSecurity(row.security),  # type: ignore[operator]
                   username=row.username, has_password=bool(row.password_sealed), from_address=row.from_address,
                   updated_at=row.updated_at)


@strawberry.type(description="How far a mass e-mail has gone: its e-mails by status.")
class MassEmailProgress:
    total: int
    pending: int
    sent: int
    failed: int


class MassEmailProgressLoader(Loader[uuid.UUID, MassEmailProgress]):
    def fetch(self, session: Session, keys: list[uuid.UUID]) -> list[MassEmailProgress]:
        found = mass.progress_of(session, keys)
        return [MassEmailProgress(**vars(found[key])) for key in keys]


@strawberry.type(description="A mailing to the customers a filter selected; queued, then one e-mail each.")
class MassEmail(Node):
    subject: str
    body_html: str
    body_text: str
    status: EmailStatusEnum  # type: ignore[valid-type]
    recipients: int = strawberry.field(description="Customers it was written to (0 until queued).")
    progress: MassEmailProgress
    last_error: str
    created_at: datetime
    queued_at: datetime | None = strawberry.field(description="When its e-mails were written.")

    @classmethod
    def from_model(cls, mailing: MassEmailModel, *, loaders: Any) -> MassEmail:
        loader = loaders.extra("mass_email_progress", MassEmailProgressLoader)
        return cls(id=strawberry.ID(encode_id("MassEmail", mailing.id)), subject=mailing.subject,
                   body_html=mailing.body_html, body_text=mailing.body_text, status=EmailStatus(mailing.status),
                   recipients=mailing.recipients, progress=value_or_later(loader, mailing.id),
                   last_error=mailing.last_error, created_at=mailing.created_at, queued_at=mailing.done_at)


@strawberry.type(description="A message the local SMTP catcher received (embedded development mode only).")
class CaughtEmail:
    number: int
    received_at: datetime
    sender: str
    recipients: list[str]
    subject: str
    text: str
    html: str
    attachments: list[str] = strawberry.field(description="File names.")
    headers: list[list[str]] = strawberry.field(description="[name, value] pairs, in order.")

    @classmethod
    def of(cls, caught: CaughtModel) -> CaughtEmail:
        return cls(number=caught.number, received_at=caught.received_at, sender=caught.sender,
                   recipients=list(caught.recipients), subject=caught.subject, text=caught.part("plain"),
                   html=caught.part("html"), attachments=caught.attachments,
                   headers=[[k, str(v)] for k, v in caught.message.items()])


# ---- inputs and payloads ------------------------------------------------------------------------------

@strawberry.input
class EmailTemplateInput:
    template: str
    language: str
    subject: str
    body_html: str = ""
    body_text: str = ""


@strawberry.input
class EmailTemplateKeyInput:
    template: str
    language: str


@strawberry.type
class EmailTemplatePayload:
    email_template: EmailTemplate | None = None
    errors: list[EmailError] = strawberry.field(default_factory=list)


@strawberry.type
class EmailTemplatePreviewPayload:
    preview: EmailPreview | None = None
    errors: list[EmailError] = strawberry.field(default_factory=list)


@strawberry.input
class EmailFilterInput:
    status: list[EmailStatusEnum] | None = None  # type: ignore[valid-type]
    template: str | None = None
    recipient: str | None = strawberry.field(default=None, description="A part of the address.")
    customer_id: strawberry.ID | None = None
    mass_email_id: strawberry.ID | None = None


@strawberry.input
class EmailSortInput:
    field: EmailSortField = _EmailSort.CREATED_AT  # type: ignore[valid-type]
    direction: SortDirection = SortDirection.DESC


@strawberry.input
class EmailResendInput:
    id: strawberry.ID


@strawberry.type
class EmailResendPayload:
    email: Email | None = None
    errors: list[EmailError] = strawberry.field(default_factory=list)


@strawberry.input
class SmtpSettingsInput:
    host: str
    port: int = 587
    security: SmtpSecurity = strawberry.field(default_factory=lambda: SmtpSecurity("starttls"))  # type: ignore[valid-type,operator]
    username: str = ""
    password: str | None = strawberry.field(default=None, description="Null: keep the stored password.")
    from_address: str = ""


@strawberry.type
class SmtpSettingsPayload:
    smtp_settings: SmtpSettings | None = None
    errors: list[EmailError] = strawberry.field(default_factory=list)


@strawberry.input
class MassEmailAudienceInput:
    statuses: list[str] = strawberry.field(default_factory=list, description="Customer statuses, e.g. active.")
    plan_ids: list[strawberry.ID] = strawberry.field(default_factory=list,
                                                      description="Customers subscribed to one of these plans.")
    store_ids: list[strawberry.ID] = strawberry.field(default_factory=list,
                                                       description="Customers who ordered in one of these stores.")
    languages: list[str] = strawberry.field(default_factory=list)


@strawberry.input
class MassEmailCreateInput:
    subject: str
    body_html: str = ""
    body_text: str = ""
    audience: MassEmailAudienceInput = strawberry.field(default_factory=MassEmailAudienceInput)


@strawberry.type
class MassEmailCreatePayload:
    mass_email: MassEmail | None = None
    errors: list[EmailError] = strawberry.field(default_factory=list)
