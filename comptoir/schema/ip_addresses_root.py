"""Query and Mutation fields of IP addresses and IP pools (SPEC §3).

The provider manages addresses; every seller's staff see their own pool; customers see addresses
only through their subscriptions.
"""

from __future__ import annotations

import strawberry
from strawberry.permission import BasePermission

from comptoir.resolvers import ip_addresses as r
from comptoir.schema.base import Connection
from comptoir.schema.ip_addresses import (
    IpAddress,
    IpAddressDeletePayload,
    IpAddressPayload,
    IpPoolEntry,
    IpPoolEntryPayload,
)
from comptoir.schema.permissions import IsProvider, IsStaff

PROVIDER: list[type[BasePermission]] = [IsProvider]
STAFF: list[type[BasePermission]] = [IsStaff]


@strawberry.type
class IpQuery:
    ip_addresses: Connection[IpAddress] = strawberry.field(
        resolver=r.ip_addresses_connection, permission_classes=PROVIDER,
        description="The addresses registered on the server, with their assignments to resellers.")
    ip_address: IpAddress | None = strawberry.field(resolver=r.ip_address, permission_classes=PROVIDER)
    my_ip_pool: Connection[IpPoolEntry] = strawberry.field(
        resolver=r.my_ip_pool, permission_classes=STAFF, description="The addresses the seller may use.")


@strawberry.type
class IpMutation:
    ip_address_register: IpAddressPayload = strawberry.mutation(
        resolver=r.ip_address_register, permission_classes=PROVIDER,
        description="Register an address; it enters the provider's own pool.")
    ip_address_update: IpAddressPayload = strawberry.mutation(
        resolver=r.ip_address_update, permission_classes=PROVIDER)
    ip_address_remove: IpAddressPayload = strawberry.mutation(
        resolver=r.ip_address_remove, permission_classes=PROVIDER,
        description="Mark the address removed from the network interface (status REMOVED).")
    ip_address_restore: IpAddressPayload = strawberry.mutation(
        resolver=r.ip_address_restore, permission_classes=PROVIDER,
        description="Mark a removed address configured on the interface again.")
    ip_address_delete: IpAddressDeletePayload = strawberry.mutation(
        resolver=r.ip_address_delete, permission_classes=PROVIDER,
        description="Delete an address no subscription uses, in any tenant.")
    ip_address_assign: IpAddressPayload = strawberry.mutation(
        resolver=r.ip_address_assign, permission_classes=PROVIDER,
        description="Put the address in a reseller's pool, shared or dedicated.")
    ip_address_unassign: IpAddressPayload = strawberry.mutation(
        resolver=r.ip_address_unassign, permission_classes=PROVIDER,
        description="Take the address back from a reseller whose subscriptions do not use it.")
    ip_pool_entry_type_set: IpPoolEntryPayload = strawberry.mutation(
        resolver=r.ip_pool_entry_type_set, permission_classes=STAFF,
        description="Make a pool entry shared or dedicated: the provider any entry, a reseller its own before"
                    " any subscription uses it.")
    ip_pool_entry_certificate_set: IpPoolEntryPayload = strawberry.mutation(
        resolver=r.ip_pool_entry_certificate_set, permission_classes=STAFF,
        description="Bind a certificate of your store to your entry of an address (all your sites on it).")
    ip_pool_entry_default_site_set: IpPoolEntryPayload = strawberry.mutation(
        resolver=r.ip_pool_entry_default_site_set, permission_classes=STAFF,
        description="Choose the site answering for the bare address among the sites on the seller's entry.")
