"""Domains of a seller's customers: listing, name servers and registrar lock."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.database.pagination import Page, PageRequest, paginate
from comptoir.domains import registrars, rules
from comptoir.domains.errors import DomainsError, DomainsErrorCode
from comptoir.domains.models import Domain

MAX_NAME_SERVERS = 13


class DomainSort(enum.Enum):
    CREATED_AT = "created_at"
    NAME = "name"
    EXPIRES_ON = "expires_on"


SORT_COLUMNS = {DomainSort.CREATED_AT: Domain.created_at, DomainSort.NAME: Domain.name,
                DomainSort.EXPIRES_ON: Domain.expires_on}


@dataclass(frozen=True)
class DomainFilter:
    status: str | None = None
    search: str | None = None
    customer_id: uuid.UUID | None = None


def list_page(session: Session, *, seller_id: uuid.UUID, filter_: DomainFilter, page: PageRequest,
              sort: DomainSort = DomainSort.CREATED_AT) -> Page[Domain]:
    """A page of the seller's domains (a customer's context sees its own only: RLS)."""
    statement = select(Domain).where(Domain.seller_id == seller_id)
    if filter_.status:
        statement = statement.where(Domain.status == filter_.status)
    if filter_.search:
        statement = statement.where(Domain.name.contains(filter_.search.strip().lower(), autoescape=True))
    if filter_.customer_id:
        statement = statement.where(Domain.customer_id == filter_.customer_id)
    return paginate(session, statement, page, sort_column=SORT_COLUMNS[sort], id_column=Domain.id)


def get_or_raise(session: Session, *, seller_id: uuid.UUID, domain_id: uuid.UUID, for_update: bool = False
                 ) -> Domain:
    domain = session.get(Domain, domain_id, with_for_update=for_update)
    if domain is None or domain.seller_id != seller_id:
        raise DomainsError(DomainsErrorCode.DOMAIN_NOT_FOUND, "No such domain.", field="id")
    return domain


def _registered(session: Session, seller_id: uuid.UUID, domain_id: uuid.UUID) -> Domain:
    domain = get_or_raise(session, seller_id=seller_id, domain_id=domain_id, for_update=True)
    if domain.status not in ("active", "expired"):
        raise DomainsError(DomainsErrorCode.DOMAIN_NOT_ACTIVE, "The domain is not registered (yet).", field="id")
    return domain


def set_name_servers(session: Session, *, seller_id: uuid.UUID, domain_id: uuid.UUID, name_servers: list[str]
                     ) -> Domain:
    """Delegate the domain to these name servers (2 to 13 host names), at the registrar then here."""
    servers = [rules.normalize(server) for server in name_servers]
    if not 2 <= len(servers) <= MAX_NAME_SERVERS or not all(rules.is_domain_name(s) for s in servers) \
            or len(set(servers)) != len(servers):
        raise DomainsError(DomainsErrorCode.INVALID_DOMAIN_NAME, "Give 2 to 13 distinct name server host names.",
                           field="nameServers")
    domain = _registered(session, seller_id, domain_id)
    account = registrars.get_or_raise(session, seller_id=seller_id, account_id=domain.registrar_account_id)
    info = registrars.driver_of(account).set_name_servers(domain.name, tuple(servers))
    domain.name_servers, domain.updated_at = list(info.name_servers), clock.now()
    session.flush()
    return domain


def set_lock(session: Session, *, seller_id: uuid.UUID, domain_id: uuid.UUID, locked: bool) -> Domain:
    """Lock (refuse transfers away) or unlock the domain at its registrar."""
    domain = _registered(session, seller_id, domain_id)
    account = registrars.get_or_raise(session, seller_id=seller_id, account_id=domain.registrar_account_id)
    info = registrars.driver_of(account).set_lock(domain.name, locked)
    domain.locked, domain.updated_at = info.locked, clock.now()
    session.flush()
    return domain
