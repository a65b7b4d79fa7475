"""The provider's resellers and their allocations (SPEC §2)."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy import delete as sql_delete
from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.database.pagination import Page, PageRequest, paginate
from comptoir.errors import DomainError, collect_errors
from comptoir.hosting.vocabulary import Resource
from comptoir.tenancy import allocation as rules
from comptoir.tenancy import users
from comptoir.tenancy.errors import ResellerErrorCode
from comptoir.tenancy.listing import LIKE_ESCAPE, contains_pattern
from comptoir.tenancy.models import ResellerAllocation, Seller, User
from comptoir.tenancy.security import hash_password
from comptoir.tenancy.validation import (
    check_country,
    check_email,
    check_language,
    check_new_password,
    check_text,
    check_username,
)


@dataclass(frozen=True)
class ResellerAdmin:
    username: str
    password: str
    email: str
    full_name: str = ""


@dataclass(frozen=True)
class ResellerFilter:
    status: str | None = None
    search: str | None = None


class ResellerSort(enum.Enum):
    NAME = "name"
    CREATED_AT = "created_at"
    STATUS = "status"


def get_or_raise(session: Session, *, reseller_id: uuid.UUID) -> Seller:
    seller = session.get(Seller, reseller_id)
    if seller is None or seller.kind != "reseller":
        raise DomainError(ResellerErrorCode.NOT_FOUND, "No such reseller.", field="id")
    return seller


def _check_name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= 255:
        raise DomainError(ResellerErrorCode.INVALID_NAME, "Give a name of 1 to 255 characters.", field="name")
    return name


def create(session: Session, *, name: str, admin: ResellerAdmin, email: str = "", company_name: str = "",
           country: str = "", locale: str = "en", limits: Sequence[tuple[Resource, int | None]] = (),
           permissions: Sequence[enum.Enum] = (), overselling_allowed: bool = False) -> Seller:
    """Create a reseller tenant with its allocation and first administrator; all input is checked first,
    every refused field reported at once."""
    with collect_errors() as errors:
        checked_name = errors.check(lambda: _check_name(name))
        checked_email = errors.check(lambda: check_email(email) if email else "")
        checked_company = errors.check(lambda: check_text(company_name, "companyName"))
        checked_country = errors.check(lambda: check_country(country))
        checked_locale = errors.check(lambda: check_language(locale))
        stored_limits = errors.check(lambda: _limits(list(limits)))
        errors.check(lambda: check_username(admin.username, field="administrator.username"))
        errors.check(lambda: check_new_password(admin.password, username=admin.username,
                                                field="administrator.password"))
        admin_email = errors.check(lambda: check_email(admin.email, field="administrator.email"))
        admin_name = errors.check(lambda: check_text(admin.full_name, "administrator.fullName"))
    seller = Seller(kind="reseller", name=checked_name, email=checked_email, company_name=checked_company,
                    country=checked_country, locale=checked_locale)
    session.add(seller)
    session.flush()
    session.add(ResellerAllocation(
        seller_id=seller.id, limits=stored_limits, permissions=rules.stored_permissions(permissions),
        overselling_allowed=overselling_allowed,
    ))
    users.add(session, User(seller_id=seller.id, role="reseller", username=admin.username, email=admin_email,
                            password_hash=hash_password(admin.password),
                            full_name=admin_name,
                            locale=seller.locale, country=seller.country),
              field="administrator.username")
    return seller


def _limits(changes: list[tuple[Resource, int | None]], stored: dict[str, int | None] | None = None
            ) -> dict[str, int | None]:
    return rules.merge_limits(stored or {}, changes)


def update(session: Session, *, reseller_id: uuid.UUID, name: str | None = None, email: str | None = None,
           company_name: str | None = None, country: str | None = None,
           limits: Sequence[tuple[Resource, int | None]] | None = None,
           permissions: Sequence[enum.Enum] | None = None, overselling_allowed: bool | None = None) -> Seller:
    seller = get_or_raise(session, reseller_id=reseller_id)
    if name is not None:
        seller.name = _check_name(name)
    if email is not None:
        seller.email = check_email(email) if email else ""
    if company_name is not None:
        seller.company_name = check_text(company_name, "companyName")
    if country is not None:
        seller.country = check_country(country)
    allocation = _allocation_for_update(session, seller.id)
    if limits is not None:
        allocation.limits = _limits(list(limits), dict(allocation.limits))
    if permissions is not None and rules.stored_permissions(permissions) != allocation.permissions:
        allocation.permissions = rules.stored_permissions(permissions)
        from comptoir.hosting import sync  # hosting builds on tenancy: imported when needed only

        session.flush()
        sync.follow_reseller_permissions(session, seller_id=seller.id)  # what subscriptions get follows them
    if overselling_allowed is not None:
        allocation.overselling_allowed = overselling_allowed
    seller.updated_at = allocation.updated_at = clock.now()
    return seller


def _allocation_for_update(session: Session, seller_id: uuid.UUID) -> ResellerAllocation:
    return session.scalars(
        select(ResellerAllocation).where(ResellerAllocation.seller_id == seller_id).with_for_update()
    ).one()


def set_own_overselling_policy(session: Session, *, seller_id: uuid.UUID, allowed: bool) -> ResellerAllocation:
    """A reseller holding "may set overselling policy" chooses it for itself."""
    allocation = _allocation_for_update(session, seller_id)
    if not allocation.permissions.get(rules.ResellerOnlyPermission.SET_OVERSELLING_POLICY.value):
        raise DomainError(ResellerErrorCode.OVERSELLING_POLICY_NOT_PERMITTED,
                          "Your allocation does not let you set the overselling policy.", field="allowed")
    allocation.overselling_allowed = allowed
    allocation.updated_at = clock.now()
    return allocation


def set_status(session: Session, *, reseller_id: uuid.UUID, status: str) -> Seller:
    """Suspend or activate; a suspended reseller's staff and customers can no longer use their sessions."""
    seller = get_or_raise(session, reseller_id=reseller_id)
    seller.status = status
    seller.updated_at = clock.now()
    return seller


def delete(session: Session, *, reseller_id: uuid.UUID) -> uuid.UUID:
    """Delete a reseller and, by the database's cascades, everything of its tenant."""
    seller = get_or_raise(session, reseller_id=reseller_id)
    session.expunge(seller)
    session.execute(sql_delete(Seller).where(Seller.id == reseller_id))
    return reseller_id


def _listing(filter_: ResellerFilter) -> Select[tuple[Seller]]:
    statement = select(Seller).where(Seller.kind == "reseller")
    if filter_.status:
        statement = statement.where(Seller.status == filter_.status)
    if filter_.search:
        pattern = contains_pattern(filter_.search)
        statement = statement.where(Seller.name.ilike(pattern, escape=LIKE_ESCAPE)
                                    | Seller.company_name.ilike(pattern, escape=LIKE_ESCAPE)
                                    | Seller.email.ilike(pattern, escape=LIKE_ESCAPE))
    return statement


SORT_COLUMNS = {ResellerSort.NAME: Seller.name_key, ResellerSort.CREATED_AT: Seller.created_at,
                ResellerSort.STATUS: Seller.status}


def list_page(session: Session, *, filter_: ResellerFilter, page: PageRequest,
              sort: ResellerSort = ResellerSort.CREATED_AT) -> Page[Seller]:
    return paginate(session, _listing(filter_), page, sort_column=SORT_COLUMNS[sort], id_column=Seller.id)


def admins_of(session: Session, *, seller_id: uuid.UUID) -> list[User]:
    return list(session.scalars(
        select(User).where(User.seller_id == seller_id, User.role == "reseller").order_by(User.created_at)
    ))
