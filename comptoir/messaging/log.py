"""The e-mail log (SPEC §11): every e-mail queued, its status and errors; any of them can be resent."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.database.pagination import Page, PageRequest, paginate
from comptoir.errors import CommonErrorCode, DomainError
from comptoir.messaging import outbox
from comptoir.messaging.models import OutboundEmail


class EmailSort(enum.Enum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"


SORT_COLUMNS = {EmailSort.CREATED_AT: OutboundEmail.created_at, EmailSort.UPDATED_AT: OutboundEmail.updated_at}


@dataclass(frozen=True)
class EmailFilter:
    statuses: tuple[str, ...] = ()
    template: str | None = None
    recipient: str | None = None  # a part of the address
    customer_id: uuid.UUID | None = None
    mass_email_id: uuid.UUID | None = None


def list_page(session: Session, *, seller_id: uuid.UUID, filter: EmailFilter, page: PageRequest,
              sort: EmailSort = EmailSort.CREATED_AT) -> Page[OutboundEmail]:
    statement = select(OutboundEmail).where(OutboundEmail.seller_id == seller_id)
    if filter.statuses:
        statement = statement.where(OutboundEmail.status.in_(filter.statuses))
    if filter.template:
        statement = statement.where(OutboundEmail.template == filter.template)
    if filter.recipient:
        pattern = "%" + filter.recipient.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(OutboundEmail.to_address.ilike(pattern))
    if filter.customer_id:
        statement = statement.where(OutboundEmail.customer_id == filter.customer_id)
    if filter.mass_email_id:
        statement = statement.where(OutboundEmail.mass_email_id == filter.mass_email_id)
    return paginate(session, statement, page, sort_column=SORT_COLUMNS[sort], id_column=OutboundEmail.id)


def get_or_raise(session: Session, *, seller_id: uuid.UUID, email_id: uuid.UUID) -> OutboundEmail:
    email = session.get(OutboundEmail, email_id)
    if email is None or email.seller_id != seller_id:
        raise DomainError(CommonErrorCode.NOT_FOUND, "No e-mail with this id.", field="id")
    return email


def resend(session: Session, *, seller_id: uuid.UUID, email_id: uuid.UUID) -> OutboundEmail:
    """Queue the same e-mail again (a new log entry pointing at the first)."""
    return outbox.resend(session=session, email=get_or_raise(session, seller_id=seller_id, email_id=email_id))
