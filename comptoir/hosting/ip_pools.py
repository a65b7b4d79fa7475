"""Sellers' pools of IP addresses: assigning an address to a reseller, an entry's type and default site,
and whether a subscription may use an entry (SPEC §3)."""

from __future__ import annotations

import uuid
from collections.abc import Hashable, Sequence
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, object_session

from comptoir.database.errors import constraint_name
from comptoir.errors import DomainError
from comptoir.hosting import plan_values, provisioning, rules
from comptoir.hosting.errors import HostingErrorCode
from comptoir.hosting.ip_addresses import get_entry_or_raise, get_or_raise, locked_entries, subscription_count
from comptoir.hosting.ip_rules import (
    CONFLICT_MESSAGES,
    DEDICATED_IP_FEATURES,
    Holding,
    IpAddressErrorCode,
    IpStatus,
    IpType,
    can_use_ip,
    dedicated_ip_problem,
    dedication_conflict,
)
from comptoir.hosting.models import IpAddress, IpPoolEntry, Subscription
from comptoir.hosting.plan_values import PlanValues
from comptoir.hosting.server_models import SslCertificate
from comptoir.tenancy.models import Seller

E = IpAddressErrorCode


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


def assign(*, session: Session, address_id: uuid.UUID, reseller_id: uuid.UUID,
           type: IpType = IpType.SHARED) -> IpPoolEntry:
    """Give a reseller the use of an address: a pool entry in the reseller's tenant."""
    address = get_or_raise(session, address_id=address_id, for_update=True)
    if address.status == IpStatus.REMOVED.value:
        raise DomainError(E.ADDRESS_REMOVED, "This address is removed from the server.", field="id")
    reseller = session.get(Seller, reseller_id)
    if reseller is None or reseller.kind != "reseller":
        raise DomainError(E.RESELLER_NOT_FOUND, "No such reseller.", field="resellerId")
    entries = locked_entries(session, address.id)
    if any(entry.seller_id == reseller_id for entry in entries):
        raise DomainError(E.ALREADY_ASSIGNED, "This address is already assigned to this reseller.",
                          field="resellerId")
    holdings = list(_holdings(session, address.seller_id, entries).values())
    _refuse_conflict([*holdings, Holding(reseller_id, IpType(type), provider=False)], field_name="type")
    entry = IpPoolEntry(seller_id=reseller_id, ip_address_id=address.id, address=str(address.address),
                        type=IpType(type).value, status=address.status, ftp_over_ssl=address.ftp_over_ssl)
    session.add(entry)
    session.flush()
    return entry


def unassign(*, session: Session, address_id: uuid.UUID, reseller_id: uuid.UUID) -> IpAddress:
    """Take an address back from a reseller; refused while the reseller's subscriptions use it."""
    address = get_or_raise(session, address_id=address_id, for_update=True)
    entry = next((e for e in locked_entries(session, address.id) if e.seller_id == reseller_id
                  and e.seller_id != address.seller_id), None)
    if entry is None:
        raise DomainError(E.NOT_ASSIGNED, "This address is not assigned to this reseller.",
                          field="resellerId")
    used = subscription_count(session, [entry.id])
    if used:
        raise DomainError(E.ADDRESS_IN_USE, f"{used} subscription(s) of this reseller use this address.",
                          field="resellerId")
    session.delete(entry)
    session.flush()
    return address


def set_type(*, session: Session, entry_id: uuid.UUID, type: IpType) -> IpPoolEntry:
    """Make a pool entry shared or dedicated; a used one becomes dedicated only if one owner uses it."""
    address_id = get_entry_or_raise(session, entry_id=entry_id).ip_address_id
    address = get_or_raise(session, address_id=address_id, for_update=True)
    entries = locked_entries(session, address.id)
    entry = next((e for e in entries if e.id == entry_id), None)
    if entry is None:  # deleted meanwhile
        raise DomainError(E.NOT_FOUND, "No such IP address in the pool.", field="id")
    holdings = _holdings(session, address.seller_id, entries)
    holdings[entry.id] = replace(holdings[entry.id], type=IpType(type))
    _refuse_conflict(list(holdings.values()), field_name="type")
    entry.type = IpType(type).value
    session.flush()
    return entry


def set_default_site(*, session: Session, seller_id: uuid.UUID, entry_id: uuid.UUID,
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


def check_use(*, session: Session, seller_id: uuid.UUID, ip_pool_id: uuid.UUID, owner: uuid.UUID | None,
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


# ---- what a reseller does with its own entries (SPEC §3) --------------------------------------------

# The cross-tenant dedication rules a reseller's context cannot check itself: a definer trigger does
# (migration 0010) and names the rule it enforced.
_TRIGGER_RULES = {
    "ip_pool_assigned_to_another_reseller": E.ASSIGNED_TO_ANOTHER_RESELLER,
    "ip_pool_used_by_provider_customers": E.USED_BY_PROVIDER_CUSTOMERS,
    "ip_pool_dedicated_to_provider": E.DEDICATED_TO_PROVIDER,
}


def set_own_type(*, session: Session, seller_id: uuid.UUID, entry_id: uuid.UUID, type: IpType) -> IpPoolEntry:
    """A reseller makes its own entry shared or dedicated, before any subscription uses it."""
    entry = get_entry_or_raise(session, entry_id=entry_id, seller_id=seller_id)
    if subscription_count(session, [entry.id]):
        raise DomainError(E.ENTRY_IN_USE, "Subscriptions use this address: only the provider changes its type now.",
                          field="id")
    entry.type = IpType(type).value
    try:
        with session.begin_nested():
            session.flush()
    except DBAPIError as error:
        code = _TRIGGER_RULES.get(constraint_name(error))
        if code is None:
            raise
        raise DomainError(code, CONFLICT_MESSAGES[code], field="type") from None
    return entry


def set_certificate(*, session: Session, seller_id: uuid.UUID, entry_id: uuid.UUID,
                    certificate_id: uuid.UUID | None) -> IpPoolEntry:
    """Bind a certificate of the seller's store to its entry (for all its sites on the address), or unbind."""
    entry = get_entry_or_raise(session, entry_id=entry_id, seller_id=seller_id)
    if certificate_id is not None and session.scalar(select(SslCertificate.id).where(
            SslCertificate.id == certificate_id, SslCertificate.seller_id == seller_id)) is None:
        raise DomainError(E.CERTIFICATE_NOT_FOUND, "No such certificate in your store.", field="certificateId")
    if entry.certificate_id != certificate_id:
        entry.certificate_id = certificate_id
        # The web server of every site on the address presents it from now on.
        provisioning.request_many(session, seller_id=seller_id, action=provisioning.Action.UPDATE,
                                  subscription_ids=session.scalars(select(Subscription.id).where(
                                      Subscription.ip_pool_id == entry.id)))
    session.flush()
    return entry


# ---- anonymous FTP and genuine SSL need a dedicated address -------------------------------------------

def require_dedicated_ip(session: Session, *, ip_pool_id: uuid.UUID, values: PlanValues) -> None:
    """Refuse values that would get anonymous FTP or a genuine SSL certificate on a shared address."""
    entry_type = session.scalar(select(IpPoolEntry.type).where(IpPoolEntry.id == ip_pool_id))
    if entry_type is None:
        return  # the address check reports a missing entry
    features = dedicated_ip_problem(entry_type, rules.flatten(values))
    if features:
        raise DomainError(HostingErrorCode.DEDICATED_IP_REQUIRED,
                          f"{' and '.join(features).capitalize()} need(s) a dedicated IP address; this one is shared.",
                          field="ipPoolEntryId")


def require_dedicated_ip_for(session: Session, subscription: Subscription) -> Subscription:
    """The same check on a subscription as it now stands (after a plan change, customisation or move):
    what it has, and what its plan would give it but for its shared address (its conflict report)."""
    require_dedicated_ip(session, ip_pool_id=subscription.ip_pool_id, values=plan_values.from_json(subscription.values))
    entry_type = session.scalar(select(IpPoolEntry.type).where(IpPoolEntry.id == subscription.ip_pool_id))
    if entry_type is None or IpType(entry_type) is IpType.DEDICATED:
        return subscription
    wanted = [c["name"] for c in subscription.conflicts if c["name"] in DEDICATED_IP_FEATURES and c["plan_value"]]
    if wanted:
        names = " and ".join(DEDICATED_IP_FEATURES[name] for name in wanted)
        raise DomainError(HostingErrorCode.DEDICATED_IP_REQUIRED,
                          f"{names.capitalize()} need(s) a dedicated IP address; this one is shared.",
                          field="ipPoolEntryId")
    return subscription


def dedicated_ip_conflicts(subscription: Subscription | None, values: PlanValues) -> list[rules.Conflict]:
    """For synchronisation: what of these values its shared address cannot give (unsynced, not refused,
    when a plan's Update & Sync brings it), with the available value: off."""
    session = object_session(subscription) if subscription is not None else None
    if session is None or subscription is None:
        return []
    # session.get: a plan's Update & Sync of many subscriptions on few addresses reads each address once.
    entry = session.get(IpPoolEntry, subscription.ip_pool_id)
    entry_type = entry.type if entry is not None else None
    flat = rules.flatten(values)
    return [rules.Conflict(key, flat[key], False) for key in DEDICATED_IP_FEATURES
            if entry_type is not None and dedicated_ip_problem(entry_type, {key: flat.get(key)})]
