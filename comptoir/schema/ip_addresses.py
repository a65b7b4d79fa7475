"""GraphQL types of IP addresses and sellers' IP pools (SPEC §3)."""

from __future__ import annotations

import enum
from datetime import datetime

import strawberry

from comptoir.database.pagination import SortDirection
from comptoir.hosting import ip_rules
from comptoir.hosting.ip_addresses import IpAddressSort as _IpAddressSort
from comptoir.hosting.ip_addresses import IpPoolSort as _IpPoolSort
from comptoir.schema.base import Node, UserError, error_code_enum
from comptoir.schema.resellers import Reseller
from comptoir.schema.servers import SslCertificate

IpType = strawberry.enum(ip_rules.IpType, name="IpType")
IpAddressStatus = strawberry.enum(
    ip_rules.IpStatus, name="IpAddressStatus",
    description="CONFIGURED on the server's network interface, or REMOVED from it.")
IpAddressSortField = strawberry.enum(_IpAddressSort, name="IpAddressSortField")
IpPoolSortField = strawberry.enum(_IpPoolSort, name="IpPoolSortField")
IpAddressErrorCode = error_code_enum("IpAddressErrorCode", ip_rules.IpAddressErrorCode)


@strawberry.enum
class IpVersion(enum.Enum):
    IPV4 = 4
    IPV6 = 6


@strawberry.type
class IpAddressError(UserError):
    code: IpAddressErrorCode  # type: ignore[valid-type]


@strawberry.type(description="A site hosted on an address: its domain and the subscription it belongs to.")
class IpSite:
    domain_name: str
    subscription_id: strawberry.ID


@strawberry.type(description="An address in a seller's pool: the seller's use of it, shared or dedicated.")
class IpPoolEntry(Node):
    address: str
    version: IpVersion
    type: IpType  # type: ignore[valid-type]
    anonymous_ftp_allowed: bool = strawberry.field(
        description="Anonymous FTP and genuine SSL certificates need a dedicated address.")
    status: IpAddressStatus = strawberry.field(  # type: ignore[valid-type]
        description="As the provider set it: REMOVED means removed from the server by the provider.")
    ftp_over_ssl: bool = strawberry.field(description="FTP over SSL on this address (Windows servers).")
    certificate: SslCertificate | None = strawberry.field(
        description="The certificate of the seller's store bound to the address: it serves all the seller's sites"
                    " on it.")
    site_count: int = strawberry.field(
        description="Sites hosted on this address by this seller's subscriptions.")
    sites: list[IpSite] = strawberry.field(description="Those sites, by domain name.")
    default_site: IpSite | None = strawberry.field(
        description="The site answering for the bare address: the one chosen, else the first created on it.")
    created_at: datetime


@strawberry.type(description="An address assigned to a reseller: the entry the provider made in its pool.")
class IpAssignment:
    reseller: Reseller
    type: IpType  # type: ignore[valid-type]
    pool_entry: IpPoolEntry


@strawberry.type(description="An address the provider registered on the server.")
class IpAddress(Node):
    address: str
    version: IpVersion
    interface: str
    status: IpAddressStatus  # type: ignore[valid-type]
    ssl_certificate: str | None = strawberry.field(
        description="Name of the SSL certificate bound to the address: it applies to every site on it.")
    ftp_over_ssl: bool = strawberry.field(description="FTP over SSL (Windows servers).")
    created_at: datetime
    type: IpType | None = strawberry.field(  # type: ignore[valid-type]
        description="How the provider's own customers use it (its own pool entry).")
    pool_entry: IpPoolEntry | None = strawberry.field(description="The provider's own pool entry.")
    site_count: int = strawberry.field(description="Sites hosted on the address, in every tenant.")
    site_domains: list[str] = strawberry.field(description="Their domain names, in every tenant.")
    assignments: list[IpAssignment] = strawberry.field(description="The resellers it is assigned to.")


@strawberry.input
class IpAddressFilterInput:
    status: IpAddressStatus | None = None  # type: ignore[valid-type]
    search: str | None = strawberry.field(
        default=None, description="Part of the address, interface or certificate.")


@strawberry.input
class IpAddressSortInput:
    field: IpAddressSortField = _IpAddressSort.ADDRESS  # type: ignore[valid-type]
    direction: SortDirection = SortDirection.ASC


@strawberry.input
class IpPoolFilterInput:
    type: IpType | None = None  # type: ignore[valid-type]
    search: str | None = strawberry.field(default=None, description="Part of the address.")


@strawberry.input
class IpPoolSortInput:
    field: IpPoolSortField = _IpPoolSort.ADDRESS  # type: ignore[valid-type]
    direction: SortDirection = SortDirection.ASC


@strawberry.input
class IpAddressRegisterInput:
    address: str = strawberry.field(description="An IPv4 or IPv6 address configured on the server.")
    interface: str = strawberry.field(description="The network interface it is configured on.")
    type: IpType = strawberry.field(  # type: ignore[valid-type]
        default=ip_rules.IpType.SHARED, description="How the provider's own customers will use it.")
    ssl_certificate: str = ""
    ftp_over_ssl: bool = False


@strawberry.input
class IpAddressUpdateInput:
    id: strawberry.ID
    interface: str | None = None
    ssl_certificate: str | None = strawberry.field(default=None, description='"" unbinds the certificate.')
    ftp_over_ssl: bool | None = None


@strawberry.input
class IpAddressIdInput:
    id: strawberry.ID


@strawberry.input
class IpAddressAssignInput:
    id: strawberry.ID
    reseller_id: strawberry.ID
    type: IpType = ip_rules.IpType.SHARED  # type: ignore[valid-type]


@strawberry.input
class IpAddressUnassignInput:
    id: strawberry.ID
    reseller_id: strawberry.ID


@strawberry.input
class IpPoolEntryTypeSetInput:
    id: strawberry.ID
    type: IpType  # type: ignore[valid-type]


@strawberry.input
class IpPoolEntryCertificateSetInput:
    id: strawberry.ID
    certificate_id: strawberry.ID | None = strawberry.field(
        default=None, description="A certificate of your store; null unbinds.")


@strawberry.input
class IpPoolEntryDefaultSiteSetInput:
    id: strawberry.ID
    subscription_id: strawberry.ID = strawberry.field(
        description="The subscription whose site becomes the default.")


@strawberry.type
class IpAddressPayload:
    ip_address: IpAddress | None = None
    errors: list[IpAddressError] = strawberry.field(default_factory=list)


@strawberry.type
class IpAddressDeletePayload:
    deleted_id: strawberry.ID | None = None
    errors: list[IpAddressError] = strawberry.field(default_factory=list)


@strawberry.type
class IpPoolEntryPayload:
    pool_entry: IpPoolEntry | None = None
    errors: list[IpAddressError] = strawberry.field(default_factory=list)
