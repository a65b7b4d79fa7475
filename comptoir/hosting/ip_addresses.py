"""IP addresses of the server and each seller's pool of them (SPEC §3).

The provider registers addresses (rows in its own tenant). A seller uses addresses through its pool:
the provider's own entries, and the entries the provider creates in a reseller's tenant when it
assigns an address to it (a copy of the address pointing back by id: no row references another
tenant's row). Each entry is shared or dedicated; subscriptions use pool entries.
"""

from __future__ import annotations

import enum
import ipaddress
import uuid
from collections.abc import Collection, Hashable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Select, Text, case, cast, delete, func, select, tuple_
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
from comptoir.errors import CommonErrorCode, DomainError
from comptoir.hosting.errors import HostingErrorCode
from comptoir.hosting.ip_rules import (
    CONFLICT_MESSAGES,
    Holding,
    IpAddressErrorCode,
    IpStatus,
    IpType,
    can_use_ip,
    dedication_conflict,
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

def register(session: Session, *, provider_id: uuid.UUID, address: str, interface: str,
             type: IpType = IpType.SHARED, ssl_certificate: str = "", ftp_over_ssl: bool = False
             ) -> IpAddress:
    """Register an address configured on the server; it enters the provider's own pool with `type`."""
    parsed = str(parse_address(address))
    row = IpAddress(seller_id=provider_id, address=parsed,
                    interface=_check_text(interface, E.INVALID_INTERFACE, "interface", required=True),
                    ssl_certificate=_check_text(ssl_certificate, E.INVALID_CERTIFICATE, "sslCertificate",
                                                required=False),
                    ftp_over_ssl=ftp_over_ssl)
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
                            type=IpType(type).value))
    session.flush()
    return row


def update(session: Session, *, address_id: uuid.UUID, interface: str | None = None,
           ssl_certificate: str | None = None, ftp_over_ssl: bool | None = None) -> IpAddress:
    """Change the interface, the SSL certificate bound to the address (for all its sites), FTP over SSL."""
    address = get_or_raise(session, address_id=address_id, for_update=True)
    if interface is not None:
        address.interface = _check_text(interface, E.INVALID_INTERFACE, "interface", required=True)
    if ssl_certificate is not None:
        address.ssl_certificate = _check_text(ssl_certificate, E.INVALID_CERTIFICATE, "sslCertificate",
                                              required=False)
    if ftp_over_ssl is not None:
        address.ftp_over_ssl = ftp_over_ssl
    session.flush()
    return address


def set_status(session: Session, *, address_id: uuid.UUID, status: IpStatus) -> IpAddress:
    """Mark the address removed from the network interface, or configured on it again."""
    address = get_or_raise(session, address_id=address_id, for_update=True)
    if address.status == status.value:
        code, message = ((E.ALREADY_REMOVED, "This address is already removed.") if status is IpStatus.REMOVED
                         else (E.NOT_REMOVED, "This address is configured; there is nothing to restore."))
        raise DomainError(code, message, field="id")
    address.status = status.value
    session.flush()
    return address


def _locked_entries(session: Session, address_id: uuid.UUID) -> list[IpPoolEntry]:
    return list(session.scalars(select(IpPoolEntry).where(IpPoolEntry.ip_address_id == address_id)
                                .order_by(IpPoolEntry.id).with_for_update()))


def _subscription_count(session: Session, entry_ids: Sequence[uuid.UUID]) -> int:
    return session.scalar(select(func.count()).select_from(Subscription)
                          .where(Subscription.ip_pool_id.in_(entry_ids))) or 0


def delete_address(session: Session, *, address_id: uuid.UUID) -> uuid.UUID:
    """Delete an address with its pool entries in every tenant; refused while any subscription uses it."""
    address = get_or_raise(session, address_id=address_id, for_update=True)
    entry_ids = [entry.id for entry in _locked_entries(session, address.id)]
    used = _subscription_count(session, entry_ids)
    if used:
        raise DomainError(E.ADDRESS_IN_USE, f"{used} subscription(s) use this address.", field="id")
    session.execute(delete(IpPoolEntry).where(IpPoolEntry.id.in_(entry_ids)))
    session.delete(address)
    session.flush()
    return address_id


# ---- pools: assignment, type, default site -------------------------------------------------

def _holdings(session: Session, provider_id: uuid.UUID | None, entries: Sequence[IpPoolEntry], *,
              ignoring: uuid.UUID | None = None) -> dict[uuid.UUID, Holding]:
    """The rules' view of an address's entries, keyed by entry id: the owners come from its subscriptions."""
    owners: dict[uuid.UUID, set[Hashable]] = {entry.id: set() for entry in entries}
    statement = (select(Subscription.ip_pool_id, Subscription.customer_id).distinct()
                 .where(Subscription.ip_pool_id.in_(list(owners))))
    if ignoring is not None:
        statement = statement.where(Subscription.id != ignoring)
    for entry_id, customer_id in session.execute(statement):
        owners[entry_id].add(customer_id)
    return {entry.id: Holding(entry.seller_id, IpType(entry.type), entry.seller_id == provider_id,
                              frozenset(owners[entry.id])) for entry in entries}


def _refuse_conflict(holdings: Sequence[Holding], *, field_name: str) -> None:
    conflict = dedication_conflict(holdings)
    if conflict is not None:
        raise DomainError(conflict, CONFLICT_MESSAGES[conflict], field=field_name)


def assign(session: Session, *, address_id: uuid.UUID, reseller_id: uuid.UUID,
           type: IpType = IpType.SHARED) -> IpPoolEntry:
    """Give a reseller the use of an address: a pool entry in the reseller's tenant."""
    address = get_or_raise(session, address_id=address_id, for_update=True)
    if address.status == IpStatus.REMOVED.value:
        raise DomainError(E.ADDRESS_REMOVED, "This address is removed from the server.", field="id")
    reseller = session.get(Seller, reseller_id)
    if reseller is None or reseller.kind != "reseller":
        raise DomainError(E.RESELLER_NOT_FOUND, "No such reseller.", field="resellerId")
    entries = _locked_entries(session, address.id)
    if any(entry.seller_id == reseller_id for entry in entries):
        raise DomainError(E.ALREADY_ASSIGNED, "This address is already assigned to this reseller.",
                          field="resellerId")
    holdings = list(_holdings(session, address.seller_id, entries).values())
    _refuse_conflict([*holdings, Holding(reseller_id, IpType(type), provider=False)], field_name="type")
    entry = IpPoolEntry(seller_id=reseller_id, ip_address_id=address.id, address=str(address.address),
                        type=IpType(type).value)
    session.add(entry)
    session.flush()
    return entry


def unassign(session: Session, *, address_id: uuid.UUID, reseller_id: uuid.UUID) -> IpAddress:
    """Take an address back from a reseller; refused while the reseller's subscriptions use it."""
    address = get_or_raise(session, address_id=address_id, for_update=True)
    entry = next((e for e in _locked_entries(session, address.id) if e.seller_id == reseller_id
                  and e.seller_id != address.seller_id), None)
    if entry is None:
        raise DomainError(E.NOT_ASSIGNED, "This address is not assigned to this reseller.",
                          field="resellerId")
    used = _subscription_count(session, [entry.id])
    if used:
        raise DomainError(E.ADDRESS_IN_USE, f"{used} subscription(s) of this reseller use this address.",
                          field="resellerId")
    session.delete(entry)
    session.flush()
    return address


def set_type(session: Session, *, entry_id: uuid.UUID, type: IpType) -> IpPoolEntry:
    """Make a pool entry shared or dedicated; a used one becomes dedicated only if one owner uses it."""
    address_id = get_entry_or_raise(session, entry_id=entry_id).ip_address_id
    address = get_or_raise(session, address_id=address_id, for_update=True)
    entries = _locked_entries(session, address.id)
    entry = next((e for e in entries if e.id == entry_id), None)
    if entry is None:  # deleted meanwhile
        raise DomainError(E.NOT_FOUND, "No such IP address in the pool.", field="id")
    holdings = _holdings(session, address.seller_id, entries)
    holdings[entry.id] = replace(holdings[entry.id], type=IpType(type))
    _refuse_conflict(list(holdings.values()), field_name="type")
    entry.type = IpType(type).value
    session.flush()
    return entry


def set_default_site(session: Session, *, seller_id: uuid.UUID, entry_id: uuid.UUID,
                     subscription_id: uuid.UUID) -> IpPoolEntry:
    """Choose which site on a seller's pool entry answers for the bare address; any site on it may."""
    entry = get_entry_or_raise(session, entry_id=entry_id, seller_id=seller_id)
    on_entry = session.scalar(select(Subscription.id).where(Subscription.id == subscription_id,
                                                            Subscription.seller_id == seller_id,
                                                            Subscription.ip_pool_id == entry.id))
    if on_entry is None:
        raise DomainError(E.SITE_NOT_ON_ADDRESS, "This site is not hosted on this address.",
                          field="subscriptionId")
    entry.default_subscription_id = subscription_id
    session.flush()
    return entry


def check_use(session: Session, *, seller_id: uuid.UUID, ip_pool_id: uuid.UUID, owner: uuid.UUID | None,
              ignoring: uuid.UUID | None = None) -> IpPoolEntry:
    """For the subscription service: may `owner` (a customer id, None for the seller) host on this entry?

    Locks the entry. `ignoring`: a subscription moving or changing owner, not counted among the users.
    Refuses with IP_NOT_AVAILABLE or IP_DEDICATED_TO_ANOTHER_CUSTOMER.
    """
    entry = session.scalars(select(IpPoolEntry).where(IpPoolEntry.id == ip_pool_id,
                                                      IpPoolEntry.seller_id == seller_id).with_for_update()
                            ).one_or_none()
    if entry is None:
        raise DomainError(HostingErrorCode.IP_NOT_AVAILABLE, "This IP address is not in your pool.", field="ipPoolEntryId")
    # Only the provider's role reads the address row and the other tenants' entries; a reseller's
    # own entry suffices for it, the provider's operations keeping the cross-tenant rules.
    address = session.get(IpAddress, entry.ip_address_id)
    if address is not None and address.status == IpStatus.REMOVED.value:
        raise DomainError(HostingErrorCode.IP_NOT_AVAILABLE, "This IP address is removed from the server.",
                          field="ipPoolEntryId")
    entries = list(session.scalars(select(IpPoolEntry)
                                   .where(IpPoolEntry.ip_address_id == entry.ip_address_id)))
    holdings = _holdings(session, address.seller_id if address else None, entries, ignoring=ignoring)
    current = holdings[entry.id]
    if not can_use_ip(current.type, current.owners, owner):
        raise DomainError(HostingErrorCode.IP_DEDICATED_TO_ANOTHER_CUSTOMER,
                          "This dedicated IP address already serves another owner.", field="ipPoolEntryId")
    holdings[entry.id] = replace(current, owners=current.owners | {owner})
    if dedication_conflict(list(holdings.values())) is not None:
        raise DomainError(HostingErrorCode.IP_NOT_AVAILABLE, "This IP address is dedicated elsewhere.",
                          field="ipPoolEntryId")
    return entry
