"""Customers with their hosting (SPEC §4.8): creation with or without a first subscription, contact
details, log-in changes, and suspension/activation/deletion cascading to their subscriptions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.database.errors import constraint_name
from comptoir.errors import CommonErrorCode, DomainError, collect_errors, under
from comptoir.hosting import capacity, subscriptions
from comptoir.hosting.errors import HostingErrorCode as E
from comptoir.hosting.models import Subscription
from comptoir.hosting.provisioning import Action, request_many
from comptoir.hosting.subscription_lifecycle import SuspensionReason
from comptoir.tenancy import customers
from comptoir.tenancy.models import Customer, User
from comptoir.tenancy.security import hash_password
from comptoir.tenancy.validation import (
    check_country,
    check_email,
    check_language,
    check_new_password,
    check_username,
)

CUSTOMER_SUSPENSION = SuspensionReason.CUSTOMER.value  # activating the customer reactivates only these


@dataclass(frozen=True)
class ContactDetails:
    contact_name: str | None = None
    company_name: str | None = None
    email: str | None = None
    phone: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None
    locale: str | None = None


def get_or_raise(*, session: Session, customer_id: uuid.UUID, for_update: bool = False) -> Customer:
    statement = select(Customer).where(Customer.id == customer_id)
    if for_update:
        statement = statement.with_for_update()
    customer = session.scalars(statement).one_or_none()
    if customer is None:
        raise DomainError(E.NOT_FOUND, "No such customer.", field="id")
    return customer


def _login_user(session: Session, customer_id: uuid.UUID) -> User:
    return session.scalars(select(User).where(User.customer_id == customer_id).order_by(User.created_at)).first()


def _flush_username(session: Session) -> None:
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as error:
        if constraint_name(error) == "users_username_unique":
            raise DomainError(E.USERNAME_TAKEN, "This username is taken.", field="username") from None
        raise


def check_contact(contact: ContactDetails, *, creating: bool) -> None:
    """Every refused contact field at once, each named as in the input (contactName, email, ...)."""
    with collect_errors() as errors:
        if (creating or contact.contact_name is not None) and not (contact.contact_name or "").strip():
            errors.add(DomainError(E.INVALID_NAME, "Give the contact name.", field="contactName"))
        if creating and not contact.email:
            errors.add(DomainError(E.INVALID_EMAIL, "Give the e-mail address.", field="email"))
        elif contact.email is not None:
            errors.check(lambda: check_email(contact.email or ""))
        if contact.country is not None:
            errors.check(lambda: check_country(contact.country or ""))
        if contact.locale is not None:
            errors.check(lambda: check_language(contact.locale or "", field="locale"))
        for name in _TEXT_FIELDS:
            value = getattr(contact, name)
            if value is not None and len(value) > 255:
                errors.add(DomainError(CommonErrorCode.TOO_LONG, "Use at most 255 characters.", field=_camel(name)))


_TEXT_FIELDS = ("contact_name", "company_name", "phone", "address_line1", "address_line2", "city", "region",
                "postal_code", "locale")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def create(*, session: Session, seller_id: uuid.UUID, contact: ContactDetails, username: str, password: str,
           first_subscription: subscriptions.NewSubscription | None = None) -> Customer:
    """A customer account, optionally with its first subscription (without one it cannot log in).

    Every refused field of the input is reported at once, named by its path (`contact.email`,
    `subscription.domainName`)."""
    with collect_errors() as errors:
        errors.check(lambda: check_contact(contact, creating=True), under="contact")
        errors.check(lambda: check_username(username))
        errors.check(lambda: check_new_password(password, username=username))
        if first_subscription is not None:
            errors.check(lambda: subscriptions.check_fields(first_subscription), under="subscription")
    capacity.check_new_customer(session, seller_id=seller_id)
    try:
        with session.begin_nested():
            customer = customers.create(session, seller_id=seller_id, contact_name=contact.contact_name,
                                        email=contact.email, username=username, password=password,
                                        company_name=contact.company_name or "", country=contact.country or "",
                                        locale=contact.locale or "en")
    except IntegrityError as error:
        if constraint_name(error) == "users_username_unique":
            raise DomainError(E.USERNAME_TAKEN, "This username is taken.", field="username") from None
        raise
    _apply_contact(customer, contact)
    if first_subscription is not None:
        with under("subscription"):
            subscriptions.create(session, seller_id=seller_id, new=_for_owner(first_subscription, customer.id))
    return customer


def _for_owner(new: subscriptions.NewSubscription, customer_id: uuid.UUID) -> subscriptions.NewSubscription:
    from dataclasses import replace

    return replace(new, customer_id=customer_id)


def _apply_contact(customer: Customer, contact: ContactDetails) -> None:
    """Store what `check_contact` accepted."""
    for name in _TEXT_FIELDS:
        value = getattr(contact, name)
        if value is not None:
            setattr(customer, name, value.strip())
    if contact.email is not None:
        customer.email = check_email(contact.email)
    if contact.country is not None:
        customer.country = check_country(contact.country)
    customer.updated_at = clock.now()


def update_contact(*, session: Session, customer_id: uuid.UUID, contact: ContactDetails) -> Customer:
    customer = get_or_raise(session=session, customer_id=customer_id, for_update=True)
    with under("contact"):
        check_contact(contact, creating=False)
    _apply_contact(customer, contact)
    return customer


def change_login(*, session: Session, customer_id: uuid.UUID, username: str | None, password: str | None) -> Customer:
    """New username and/or password; the customer is NOT notified automatically."""
    customer = get_or_raise(session=session, customer_id=customer_id, for_update=True)
    user = _login_user(session, customer.id)
    with collect_errors() as errors:
        if username is not None:
            errors.check(lambda: check_username(username))
        if password is not None:
            errors.check(lambda: check_new_password(password, username=username or user.username))
    if username is not None:
        user.username = username
    if password is not None:
        user.password_hash = hash_password(password)
        user.password_changed_at = clock.now()
    user.updated_at = clock.now()
    _flush_username(session)
    return customer


def suspend(*, session: Session, customer_id: uuid.UUID) -> Customer:
    """Blocks log-in for the customer and its users and suspends all its active subscriptions."""
    customer = get_or_raise(session=session, customer_id=customer_id, for_update=True)
    customer.status, customer.updated_at = "suspended", clock.now()
    suspended = session.scalars(update(Subscription).where(Subscription.customer_id == customer.id,
                                                           Subscription.status == "active").values(
        status="suspended", suspension_reason=CUSTOMER_SUSPENSION, updated_at=clock.now()).returning(Subscription.id))
    request_many(session, seller_id=customer.seller_id, subscription_ids=list(suspended), action=Action.SUSPEND)
    return customer


def activate(*, session: Session, customer_id: uuid.UUID) -> Customer:
    """Reactivates the customer and the subscriptions its suspension had suspended (not the others)."""
    customer = get_or_raise(session=session, customer_id=customer_id, for_update=True)
    customer.status, customer.updated_at = "active", clock.now()
    activated = session.scalars(update(Subscription).where(Subscription.customer_id == customer.id,
                                                           Subscription.suspension_reason == CUSTOMER_SUSPENSION).values(
        status="active", suspension_reason="", updated_at=clock.now()).returning(Subscription.id))
    request_many(session, seller_id=customer.seller_id, subscription_ids=list(activated), action=Action.ACTIVATE)
    return customer


def delete(*, session: Session, customer_id: uuid.UUID, confirm: bool) -> uuid.UUID:
    """Deletes the customer with its users, subscriptions and sites."""
    if not confirm:
        raise DomainError(E.CONFIRMATION_REQUIRED, "Deleting removes the customer's subscriptions and sites: "
                                                   "confirm it.", field="confirm")
    customer = get_or_raise(session=session, customer_id=customer_id, for_update=True)
    # The database cascades the deletion to the subscriptions: their webspaces go too.
    doomed = session.scalars(select(Subscription.id).where(Subscription.customer_id == customer.id)).all()
    request_many(session, seller_id=customer.seller_id, subscription_ids=doomed, action=Action.DELETE)
    session.delete(customer)
    session.flush()
    return customer_id
