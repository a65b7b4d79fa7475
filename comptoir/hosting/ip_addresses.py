"""IP addresses of the server and each seller's pool of them (SPEC §3).

The provider registers addresses (rows in its own tenant). A seller uses addresses through its pool:
the provider's own entries, and the entries the provider creates in a reseller's tenant when it
assigns an address to it (a copy of the address pointing back by id: no row references another
tenant's row). Each entry is shared or dedicated; subscriptions use pool entries. Assigning addresses
to resellers and using pool entries live in comptoir.hosting.ip_pools.
"""

from __future__ import annotations

import enum
import ipaddress
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, Text, case, cast, delete, func, select, tuple_
from sqlalchemy import update as sql_update
from sqlalchemy.dialects.postgresql import INET, distinct_on
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session

from comptoir.database.pagination import (
    Page,
    PageRequest,
    SortDirection,
    decode_cursor,
    encode_cursor,
    paginate,
)
from comptoir.errors import CommonErrorCode, DomainError, collect_errors
from comptoir.hosting.ip_rules import (
    IpAddressErrorCode,
    IpStatus,
    IpType,
)
from comptoir.hosting.models import IpAddress, IpPoolEntry, Site, Subscription
from comptoir.tenancy.models import Seller

E = IpAddressErrorCode


# ---- validation ----------------------------------------------------------------------------

def parse_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """An IPv4 or IPv6 host address a site can be served on, in its canonical form."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        raise DomainError(E.INVALID_ADDRESS, "Give an IPv4 or IPv6 address, such as 203.0.113.10 or"
                          " 2001:db8::10.", field="address") from None
    if address.is_unspecified or address.is_loopback or address.is_multicast or address.is_link_local:
        raise DomainError(E.INVALID_ADDRESS, "Sites cannot be served on an unspecified, loopback, multicast"
                          " or link-local address.", field="address")
    if isinstance(address, ipaddress.IPv6Address) and (address.scope_id or address.ipv4_mapped):
        raise DomainError(E.INVALID_ADDRESS, "Give the address without a zone, and an IPv4 address in its"
                          " IPv4 form.", field="address")
    return address


def _check_text(value: str, code: IpAddressErrorCode, field_name: str, *, required: bool) -> str:
    value = value.strip()
    if (required and not value) or len(value) > 255 or not value.isprintable():
        minimum = 1 if required else 0
        raise DomainError(code, f"Give {minimum} to 255 printable characters.", field=field_name)
    return value


# ---- reading -------------------------------------------------------------------------------

def get_or_raise(session: Session, *, address_id: uuid.UUID, for_update: bool = False) -> IpAddress:
    statement = select(IpAddress).where(IpAddress.id == address_id)
    address = session.scalars(statement.with_for_update() if for_update else statement).one_or_none()
    if address is None:
        raise DomainError(E.NOT_FOUND, "No such IP address.", field="id")
    return address


def get_entry_or_raise(session: Session, *, entry_id: uuid.UUID, seller_id: uuid.UUID | None = None,
                       field_name: str = "id") -> IpPoolEntry:
    """A pool entry; with seller_id, only that seller's (the provider's role sees every tenant)."""
    statement = select(IpPoolEntry).where(IpPoolEntry.id == entry_id)
    if seller_id is not None:
        statement = statement.where(IpPoolEntry.seller_id == seller_id)
    entry = session.scalars(statement).one_or_none()
    if entry is None:
        raise DomainError(E.NOT_FOUND, "No such IP address in the pool.", field=field_name)
    return entry


@dataclass(frozen=True)
class HostedSite:
    domain_name: str
    subscription_id: uuid.UUID


@dataclass
class SitesOnEntry:
    count: int = 0
    sites: list[HostedSite] = field(default_factory=list)  # filled only when asked for


def entries_by_address(session: Session, address_ids: Sequence[uuid.UUID]
                       ) -> dict[uuid.UUID, list[IpPoolEntry]]:
    """The pool entries of each address, in every tenant the caller sees (all, for the provider)."""
    found: dict[uuid.UUID, list[IpPoolEntry]] = {address_id: [] for address_id in address_ids}
    for entry in session.scalars(select(IpPoolEntry).where(IpPoolEntry.ip_address_id.in_(address_ids))
                                 .order_by(IpPoolEntry.created_at, IpPoolEntry.id)):
        found[entry.ip_address_id].append(entry)
    return found


def _sites_on_entries(entry_ids: Sequence[uuid.UUID], *columns: Any) -> Select[Any]:
    of_subscription = (Subscription.seller_id == Site.seller_id) & (Subscription.id == Site.subscription_id)
    return (select(*columns).select_from(Site).join(Subscription, of_subscription)
            .where(Subscription.ip_pool_id.in_(entry_ids)))


def sites_on(session: Session, entry_ids: Sequence[uuid.UUID], *, with_domains: bool
             ) -> dict[uuid.UUID, SitesOnEntry]:
    """Sites hosted on each pool entry (its subscriptions' sites): a count, and the sites if asked."""
    found = {entry_id: SitesOnEntry() for entry_id in entry_ids}
    if with_domains:
        rows = session.execute(_sites_on_entries(entry_ids, Subscription.ip_pool_id, Site.domain_name,
                                                 Site.subscription_id).order_by(Site.domain_name))
        for entry_id, domain_name, subscription_id in rows:
            found[entry_id].sites.append(HostedSite(domain_name, subscription_id))
            found[entry_id].count += 1
    else:
        counts = session.execute(_sites_on_entries(entry_ids, Subscription.ip_pool_id, func.count())
                                 .group_by(Subscription.ip_pool_id))
        for entry_id, count in counts:
            found[entry_id].count = count
    return found


def default_sites(session: Session, entry_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, HostedSite]:
    """Each entry's default site: the one chosen, else the first created on it (its oldest subscription)."""
    chosen = case((Subscription.id == IpPoolEntry.default_subscription_id, 0), else_=1)
    of_entry = (IpPoolEntry.seller_id == Subscription.seller_id) & (IpPoolEntry.id == Subscription.ip_pool_id)
    rows = session.execute(
        select(Subscription.ip_pool_id, Subscription.domain_name, Subscription.id)
        .join(IpPoolEntry, of_entry)
        .where(Subscription.ip_pool_id.in_(entry_ids))
        .ext(distinct_on(Subscription.ip_pool_id))
        .order_by(Subscription.ip_pool_id, chosen, Subscription.created_at, Subscription.id)
    )
    return {entry_id: HostedSite(domain_name, subscription_id)
            for entry_id, domain_name, subscription_id in rows}


def sellers_by_id(session: Session, seller_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Seller]:
    return {seller.id: seller for seller in session.scalars(select(Seller).where(Seller.id.in_(seller_ids)))}


class IpAddressSort(enum.Enum):
    ADDRESS = "address"
    CREATED_AT = "created_at"
    STATUS = "status"
    INTERFACE = "interface"


class IpPoolSort(enum.Enum):
    ADDRESS = "address"
    CREATED_AT = "created_at"
    TYPE = "type"


@dataclass(frozen=True)
class IpAddressFilter:
    status: IpStatus | None = None
    search: str | None = None


@dataclass(frozen=True)
class IpPoolFilter:
    type: IpType | None = None
    search: str | None = None


def list_addresses(session: Session, *, provider_id: uuid.UUID, filter_: IpAddressFilter, page: PageRequest,
                   sort: IpAddressSort = IpAddressSort.ADDRESS) -> Page[IpAddress]:
    statement = select(IpAddress).where(IpAddress.seller_id == provider_id)
    if filter_.status:
        statement = statement.where(IpAddress.status == filter_.status.value)
    if filter_.search and filter_.search.strip():
        text = filter_.search.strip()
        statement = statement.where(func.host(IpAddress.address, type_=Text).icontains(text, autoescape=True)
                                    | IpAddress.interface.icontains(text, autoescape=True)
                                    | IpAddress.ssl_certificate.icontains(text, autoescape=True))
    return _paginate(session, statement, page, getattr(IpAddress, sort.value), IpAddress.id)


def list_pool(session: Session, *, seller_id: uuid.UUID, filter_: IpPoolFilter, page: PageRequest,
              sort: IpPoolSort = IpPoolSort.ADDRESS) -> Page[IpPoolEntry]:
    """A seller's own pool (explicitly its own: the provider's role sees every tenant's)."""
    statement = select(IpPoolEntry).where(IpPoolEntry.seller_id == seller_id)
    if filter_.type:
        statement = statement.where(IpPoolEntry.type == filter_.type.value)
    if filter_.search and filter_.search.strip():
        text = filter_.search.strip()
        address = func.host(IpPoolEntry.address, type_=Text)
        statement = statement.where(address.icontains(text, autoescape=True))
    return _paginate(session, statement, page, getattr(IpPoolEntry, sort.value), IpPoolEntry.id)


def _paginate(session: Session, statement: Select[Any], page: PageRequest,
              sort_column: InstrumentedAttribute[Any], id_column: InstrumentedAttribute[Any]) -> Page[Any]:
    """paginate(), except that inet values (loaded as ipaddress objects) travel in cursors as text."""
    if not isinstance(sort_column.type, INET):
        return paginate(session, statement, page, sort_column=sort_column, id_column=id_column)
    total = (session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
             if page.with_total else None)
    descending = page.direction is SortDirection.DESC
    if page.after:
        value, row_id = decode_cursor(page.after, sort_column)
        try:
            ipaddress.ip_address(value if isinstance(value, str) else "")
        except ValueError:
            raise DomainError(CommonErrorCode.INVALID, "Invalid cursor.", field="after") from None
        keyset, bound = tuple_(sort_column, id_column), tuple_(cast(value, INET), row_id)
        statement = statement.where(keyset < bound if descending else keyset > bound)
    order = (sort_column.desc(), id_column.desc()) if descending else (sort_column.asc(), id_column.asc())
    rows = list(session.scalars(statement.order_by(*order).limit(page.first + 1)))
    has_next, rows = len(rows) > page.first, rows[: page.first]
    cursors = [encode_cursor(str(getattr(row, sort_column.key)), getattr(row, id_column.key)) for row in rows]
    return Page(rows, cursors, has_next, page.after is not None, total)


# ---- the provider's addresses --------------------------------------------------------------

def register(*, session: Session, provider_id: uuid.UUID, address: str, interface: str,
             type: IpType = IpType.SHARED, ssl_certificate: str = "", ftp_over_ssl: bool = False
             ) -> IpAddress:
    """Register an address configured on the server; it enters the provider's own pool with `type`."""
    with collect_errors() as errors:
        parsed = str(errors.check(lambda: parse_address(address)))
        checked_interface = errors.check(lambda: _check_text(interface, E.INVALID_INTERFACE, "interface",
                                                             required=True))
        certificate = errors.check(lambda: _check_text(ssl_certificate, E.INVALID_CERTIFICATE, "sslCertificate",
                                                       required=False))
    row = IpAddress(seller_id=provider_id, address=parsed, interface=checked_interface,
                    ssl_certificate=certificate, ftp_over_ssl=ftp_over_ssl)
    taken = DomainError(E.ADDRESS_TAKEN, "This address is already registered.", field="address")
    if session.scalar(select(IpAddress.id).where(IpAddress.seller_id == provider_id,
                                                 IpAddress.address == cast(parsed, INET))) is not None:
        raise taken
    session.add(row)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as error:  # registered concurrently
        if "ip_addresses_seller_id_address_key" in str(error.orig):
            raise taken from None
        raise
    session.add(IpPoolEntry(seller_id=provider_id, ip_address_id=row.id, address=parsed,
                            type=IpType(type).value, ftp_over_ssl=ftp_over_ssl))
    session.flush()
    return row


def update(*, session: Session, address_id: uuid.UUID, interface: str | None = None,
           ssl_certificate: str | None = None, ftp_over_ssl: bool | None = None) -> IpAddress:
    """Change the interface, the SSL certificate bound to the address (for all its sites), FTP over SSL."""
    address = get_or_raise(session, address_id=address_id, for_update=True)
    with collect_errors() as errors:
        checked_interface = None if interface is None else errors.check(
            lambda: _check_text(interface, E.INVALID_INTERFACE, "interface", required=True))
        certificate = None if ssl_certificate is None else errors.check(
            lambda: _check_text(ssl_certificate, E.INVALID_CERTIFICATE, "sslCertificate", required=False))
    if checked_interface is not None:
        address.interface = checked_interface
    if certificate is not None:
        address.ssl_certificate = certificate
    if ftp_over_ssl is not None:
        address.ftp_over_ssl = ftp_over_ssl
    session.flush()
    _copy_to_entries(session, address)
    return address


def set_status(*, session: Session, address_id: uuid.UUID, status: IpStatus) -> IpAddress:
    """Mark the address removed from the network interface, or configured on it again."""
    address = get_or_raise(session, address_id=address_id, for_update=True)
    if address.status == status.value:
        code, message = ((E.ALREADY_REMOVED, "This address is already removed.") if status is IpStatus.REMOVED
                         else (E.NOT_REMOVED, "This address is configured; there is nothing to restore."))
        raise DomainError(code, message, field="id")
    address.status = status.value
    session.flush()
    _copy_to_entries(session, address)
    return address


def _copy_to_entries(session: Session, address: IpAddress) -> None:
    """Every seller's entry shows the address's status ("removed by the provider") and FTP over SSL."""
    session.execute(sql_update(IpPoolEntry).where(IpPoolEntry.ip_address_id == address.id).values(
        status=address.status, ftp_over_ssl=address.ftp_over_ssl))


def locked_entries(session: Session, address_id: uuid.UUID) -> list[IpPoolEntry]:
    return list(session.scalars(select(IpPoolEntry).where(IpPoolEntry.ip_address_id == address_id)
                                .order_by(IpPoolEntry.id).with_for_update()))


def subscription_count(session: Session, entry_ids: Sequence[uuid.UUID]) -> int:
    return session.scalar(select(func.count()).select_from(Subscription)
                          .where(Subscription.ip_pool_id.in_(entry_ids))) or 0


def delete_address(*, session: Session, address_id: uuid.UUID) -> uuid.UUID:
    """Delete an address with its pool entries in every tenant; refused while any subscription uses it."""
    address = get_or_raise(session, address_id=address_id, for_update=True)
    entry_ids = [entry.id for entry in locked_entries(session, address.id)]
    used = subscription_count(session, entry_ids)
    if used:
        raise DomainError(E.ADDRESS_IN_USE, f"{used} subscription(s) use this address.", field="id")
    session.execute(delete(IpPoolEntry).where(IpPoolEntry.id.in_(entry_ids)))
    session.delete(address)
    session.flush()
    return address_id
