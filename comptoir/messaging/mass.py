"""Mass e-mail (SPEC §11): one mailing to the customers a filter selects, queued and followed.

Creating the mailing checks its texts and writes an intent; its handler writes one outbox e-mail per
matching customer (in the customer's language, with the customer's name), all in the transaction that
marks the mailing done, so a retried mailing never e-mails anyone twice. The mailing's progress is the
status of those e-mails.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from comptoir.database.pagination import Page, PageRequest, paginate
from comptoir.hosting.models import Subscription
from comptoir.messaging import outbox, sandbox
from comptoir.messaging.models import MassEmail, OutboundEmail
from comptoir.messaging.overrides import seller_variables
from comptoir.messaging.templates import COMMON_VARIABLES, Template, render_email
from comptoir.storefront.models import Order
from comptoir.tenancy.models import Customer

TEMPLATE = "mass_email"
VARIABLES = frozenset({"customer_name", "company_name", "email"})


@dataclass(frozen=True)
class Audience:
    """Customers matching every given criterion (an empty criterion matches everyone)."""

    statuses: list[str] = field(default_factory=list)
    plan_ids: list[uuid.UUID] = field(default_factory=list)
    store_ids: list[uuid.UUID] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {k: [str(v) for v in values] for k, values in asdict(self).items()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Audience:
        return cls(statuses=list(data.get("statuses", [])), languages=list(data.get("languages", [])),
                   plan_ids=[uuid.UUID(v) for v in data.get("plan_ids", [])],
                   store_ids=[uuid.UUID(v) for v in data.get("store_ids", [])])


@dataclass(frozen=True)
class Progress:
    total: int
    pending: int
    sent: int
    failed: int


def customers_matching(seller_id: uuid.UUID, audience: Audience) -> Select[tuple[Customer]]:
    statement = select(Customer).where(Customer.seller_id == seller_id, Customer.email != "")
    if audience.statuses:
        statement = statement.where(Customer.status.in_(audience.statuses))
    if audience.languages:
        statement = statement.where(Customer.locale.in_(audience.languages))
    if audience.plan_ids:
        statement = statement.where(Customer.id.in_(select(Subscription.customer_id).where(
            Subscription.seller_id == seller_id, Subscription.plan_id.in_(audience.plan_ids))))
    if audience.store_ids:
        statement = statement.where(Customer.id.in_(select(Order.customer_id).where(
            Order.seller_id == seller_id, Order.store_id.in_(audience.store_ids))))
    return statement.order_by(Customer.id)


def create(session: Session, *, seller_id: uuid.UUID, subject: str, body_html: str, body_text: str,
           audience: Audience) -> MassEmail:
    """Check the texts (the sandbox's rules, the mailing's variables) and queue the mailing."""
    sandbox.check_email(subject, body_html, body_text, VARIABLES | COMMON_VARIABLES)
    mailing = MassEmail(seller_id=seller_id, subject=subject, body_html=body_html, body_text=body_text,
                        filter=audience.to_json())
    session.add(mailing)
    session.flush()
    return mailing


def run(session: Session, mailing: MassEmail) -> None:
    """The intent's handler: one e-mail per matching customer, written with the mailing marked done."""
    template = Template(mailing.subject, mailing.body_text, VARIABLES, mailing.body_html)
    common = seller_variables(session, mailing.seller_id)
    customers = session.scalars(customers_matching(mailing.seller_id, Audience.from_json(mailing.filter))).all()
    for customer in customers:
        variables = {**common, "customer_name": customer.contact_name, "company_name": customer.company_name,
                     "email": customer.email}
        rendered = render_email(template, variables, language=customer.locale)
        outbox.write(session=session, seller_id=mailing.seller_id, customer_id=customer.id,
                     to_address=customer.email, template=TEMPLATE, language=customer.locale, rendered=rendered,
                     mass_email_id=mailing.id)
    mailing.recipients = len(customers)


def progress_of(session: Session, mailing_ids: list[uuid.UUID]) -> dict[uuid.UUID, Progress]:
    counts: dict[uuid.UUID, dict[str, int]] = {i: {} for i in mailing_ids}
    for mailing_id, status, count in session.execute(
            select(OutboundEmail.mass_email_id, OutboundEmail.status, func.count())
            .where(OutboundEmail.mass_email_id.in_(mailing_ids))
            .group_by(OutboundEmail.mass_email_id, OutboundEmail.status)):
        counts[mailing_id][status] = count
    return {i: Progress(total=sum(c.values()), pending=c.get("pending", 0) + c.get("running", 0),
                        sent=c.get("done", 0), failed=c.get("failed", 0)) for i, c in counts.items()}


def list_page(session: Session, *, seller_id: uuid.UUID, page: PageRequest) -> Page[MassEmail]:
    statement = select(MassEmail).where(MassEmail.seller_id == seller_id)
    return paginate(session, statement, page, sort_column=MassEmail.created_at, id_column=MassEmail.id)
