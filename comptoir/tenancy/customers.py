"""Customers of a seller: creation with a log-in, listing. (Hosting cascades arrive with subscriptions.)"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from comptoir.database.pagination import Page, PageRequest, paginate
from comptoir.errors import CommonErrorCode, DomainError
from comptoir.tenancy import users
from comptoir.tenancy.listing import LIKE_ESCAPE, contains_pattern
from comptoir.tenancy.models import Customer, User
from comptoir.tenancy.security import hash_password
from comptoir.tenancy.validation import (
    check_country,
    check_email,
    check_language,
    check_new_password,
    check_text,
    check_username,
)
from comptoir.webhooks import events as webhook_events


class CustomerSort(enum.Enum):
    CONTACT_NAME = "contact_name"
    CREATED_AT = "created_at"
    STATUS = "status"


@dataclass(frozen=True)
class CustomerFilter:
    status: str | None = None
    search: str | None = None


def create(session: Session, *, seller_id: uuid.UUID, contact_name: str, email: str, username: str,
           password: str, company_name: str = "", country: str = "", locale: str = "en") -> Customer:
    """A customer account with its log-in user; the username must be free across the whole instance."""
    check_username(username)
    check_new_password(password, username=username)
    name = check_text(contact_name, "contactName")
    if not name:
        raise DomainError(CommonErrorCode.REQUIRED, "Give the contact name.", field="contactName")
    customer = Customer(seller_id=seller_id, contact_name=name, email=check_email(email),
                        company_name=check_text(company_name, "companyName"), country=check_country(country),
                        locale=check_language(locale))
    session.add(customer)
    session.flush()
    users.add(session, User(seller_id=seller_id, customer_id=customer.id, role="customer", username=username,
                            email=customer.email, password_hash=hash_password(password),
                            full_name=customer.contact_name, locale=locale, country=customer.country))
    webhook_events.customer_created(session, customer)
    return customer


def _listing(seller_id: uuid.UUID, filter_: CustomerFilter) -> Select[tuple[Customer]]:
    statement = select(Customer).where(Customer.seller_id == seller_id)
    if filter_.status:
        statement = statement.where(Customer.status == filter_.status)
    if filter_.search:
        pattern = contains_pattern(filter_.search)
        statement = statement.where(Customer.contact_name.ilike(pattern, escape=LIKE_ESCAPE)
                                    | Customer.company_name.ilike(pattern, escape=LIKE_ESCAPE)
                                    | Customer.email.ilike(pattern, escape=LIKE_ESCAPE))
    return statement


SORT_COLUMNS = {CustomerSort.CONTACT_NAME: Customer.contact_name_key, CustomerSort.CREATED_AT: Customer.created_at,
                CustomerSort.STATUS: Customer.status}


def list_page(session: Session, *, seller_id: uuid.UUID, filter_: CustomerFilter, page: PageRequest,
              sort: CustomerSort = CustomerSort.CREATED_AT) -> Page[Customer]:
    """The seller's own customers (the provider's RLS view is wider, so the seller is explicit)."""
    return paginate(session, _listing(seller_id, filter_), page, sort_column=SORT_COLUMNS[sort],
                    id_column=Customer.id)


def matching_ids(session: Session, *, seller_id: uuid.UUID, filter_: CustomerFilter) -> list[uuid.UUID]:
    """Ids of the seller's customers matching a filter (bulk operations)."""
    return list(session.scalars(_listing(seller_id, filter_).with_only_columns(Customer.id)))
