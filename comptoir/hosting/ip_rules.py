"""Pure rules of IP addresses (SPEC §3): who may use a shared or dedicated address, and which states
of an address's pool entries, across tenants, the provider may not create."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from comptoir.errors import ErrorCode


class IpType(enum.Enum):
    SHARED = "shared"
    DEDICATED = "dedicated"


class IpStatus(enum.Enum):
    CONFIGURED = "configured"  # configured on the server's network interface
    REMOVED = "removed"


class IpAddressErrorCode(ErrorCode):
    NOT_FOUND = "not_found"
    INVALID_ADDRESS = "invalid_address"
    ADDRESS_TAKEN = "address_taken"
    INVALID_INTERFACE = "invalid_interface"
    INVALID_CERTIFICATE = "invalid_certificate"
    ALREADY_REMOVED = "already_removed"
    NOT_REMOVED = "not_removed"
    ADDRESS_REMOVED = "address_removed"
    ADDRESS_IN_USE = "address_in_use"
    RESELLER_NOT_FOUND = "reseller_not_found"
    ALREADY_ASSIGNED = "already_assigned"
    NOT_ASSIGNED = "not_assigned"
    ASSIGNED_TO_ANOTHER_RESELLER = "assigned_to_another_reseller"
    USED_BY_PROVIDER_CUSTOMERS = "used_by_provider_customers"
    DEDICATED_TO_PROVIDER = "dedicated_to_provider"
    SEVERAL_OWNERS = "several_owners"
    SITE_NOT_ON_ADDRESS = "site_not_on_address"
    ENTRY_IN_USE = "entry_in_use"
    CERTIFICATE_NOT_FOUND = "certificate_not_found"


E = IpAddressErrorCode


def can_use_ip(pool_entry_type: IpType | str, owners_already_using: Collection[Hashable],
               new_owner: Hashable) -> bool:
    """A shared address serves any number of owners; a dedicated one the subscriptions of one owner only.

    Owners are customer ids, None standing for the seller itself (one owner like any other).
    """
    if IpType(pool_entry_type) is IpType.SHARED:
        return True
    return set(owners_already_using) <= {new_owner}


def anonymous_ftp_allowed(pool_entry_type: IpType | str) -> bool:
    """Anonymous FTP (like a genuine SSL certificate) needs a dedicated address."""
    return IpType(pool_entry_type) is IpType.DEDICATED


DEDICATED_IP_FEATURES = {"hosting.anonymous_ftp": "anonymous FTP", "hosting.genuine_ssl": "a genuine SSL certificate"}


def dedicated_ip_features(flat_values: Mapping[str, Any]) -> list[str]:
    """The features of these (flattened) subscription values that need a dedicated address, by name."""
    return [name for key, name in DEDICATED_IP_FEATURES.items() if flat_values.get(key)]


def dedicated_ip_problem(pool_entry_type: IpType | str, flat_values: Mapping[str, Any]) -> list[str]:
    """What a subscription with these values would get on this address although the address is shared."""
    if IpType(pool_entry_type) is IpType.DEDICATED:
        return []
    return dedicated_ip_features(flat_values)


@dataclass(frozen=True)
class Holding:
    """One pool entry of an address, as the rules see it: whose, which type, which owners use it."""

    seller_id: uuid.UUID
    type: IpType
    provider: bool
    owners: frozenset[Hashable] = frozenset()


def dedication_conflict(holdings: Sequence[Holding]) -> IpAddressErrorCode | None:
    """The rule a state of one address's pool entries (across tenants) would break, if any.

    A dedicated entry serves one owner; a reseller's dedicated entry is the address's only reseller
    entry and the provider's customers do not use the address; the provider's own dedicated entry
    is not shared with resellers.
    """
    resellers = [h for h in holdings if not h.provider]
    provider = next((h for h in holdings if h.provider), None)
    if any(h.type is IpType.DEDICATED and len(h.owners) > 1 for h in holdings):
        return E.SEVERAL_OWNERS
    if any(h.type is IpType.DEDICATED for h in resellers):
        if len(resellers) > 1:
            return E.ASSIGNED_TO_ANOTHER_RESELLER
        if provider is not None and provider.owners:
            return E.USED_BY_PROVIDER_CUSTOMERS
    if provider is not None and provider.type is IpType.DEDICATED and any(
            h.type is IpType.SHARED for h in resellers):
        return E.DEDICATED_TO_PROVIDER
    return None


CONFLICT_MESSAGES = {
    E.SEVERAL_OWNERS: "Several customers use this address: it cannot be dedicated.",
    E.ASSIGNED_TO_ANOTHER_RESELLER: "A dedicated address is assigned to one reseller only.",
    E.USED_BY_PROVIDER_CUSTOMERS: "The provider's own customers use this address: it cannot be dedicated to a"
                                  " reseller.",
    E.DEDICATED_TO_PROVIDER: "The provider uses this address as dedicated: it cannot also be shared with"
                             " resellers.",
}
