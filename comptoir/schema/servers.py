"""GraphQL types of hosting servers (SPEC §4.11) and of sellers' SSL certificate stores (SPEC §3)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from comptoir.hosting import certificates as certificate_service
from comptoir.hosting import servers as server_service
from comptoir.hosting.plan_values import PhpHandler, ScriptingLanguage
from comptoir.provisioning.hosting_agent import OsFamily as _OsFamily
from comptoir.schema.base import Node, UserError, error_code_enum
from comptoir.schema.generated import graphql_enum
from comptoir.schema.resellers import Reseller

OsFamily = strawberry.enum(_OsFamily, name="OsFamily")
ServerErrorCode = error_code_enum("ServerErrorCode", server_service.ServerErrorCode)
CertificateErrorCode = error_code_enum("CertificateErrorCode", certificate_service.CertificateErrorCode)
PhpHandlerEnum = graphql_enum(PhpHandler)
ScriptingLanguageEnum = graphql_enum(ScriptingLanguage)


@strawberry.type
class ServerError(UserError):
    code: ServerErrorCode  # type: ignore[valid-type]


@strawberry.type
class CertificateError(UserError):
    code: CertificateErrorCode  # type: ignore[valid-type]


@strawberry.type(description="What a server can provide (its driver's own where the provider declared nothing).")
class ServerCapabilities:
    hard_disk_quota: bool
    php_handlers: list[PhpHandlerEnum]  # type: ignore[valid-type]
    php_versions: list[str]
    scripting: list[ScriptingLanguageEnum]  # type: ignore[valid-type]
    max_disk_space: int | None = strawberry.field(description="MB; null: no ceiling")


@strawberry.type(description="A server in the seller's pool: where its subscriptions can be placed.")
class ServerPoolEntry(Node):
    name: str
    driver: str
    os_family: OsFamily  # type: ignore[valid-type]
    capabilities: ServerCapabilities
    capacity: int | None = strawberry.field(description="Subscriptions it takes; null: no limit.")


@strawberry.type(description="A hosting server the provider registered.")
class HostingServer(Node):
    name: str
    driver: str
    os_family: OsFamily  # type: ignore[valid-type]
    capabilities: ServerCapabilities
    capacity: int | None
    is_default: bool
    created_at: datetime
    pool_entry: ServerPoolEntry | None = strawberry.field(description="The provider's own pool entry.")
    resellers: list[Reseller] = strawberry.field(description="The resellers it is assigned to.")


@strawberry.type(description="A certificate of the seller's store; its private key is never shown.")
class SslCertificate(Node):
    name: str
    subject: str
    expires_at: datetime
    created_at: datetime


@strawberry.input
class ServerCapabilitiesInput:
    hard_disk_quota: bool | None = None
    php_handlers: list[PhpHandlerEnum] | None = None  # type: ignore[valid-type]
    php_versions: list[str] | None = None
    scripting: list[ScriptingLanguageEnum] | None = None  # type: ignore[valid-type]
    max_disk_space: int | None = None


@strawberry.input
class HostingServerRegisterInput:
    name: str
    driver: str = strawberry.field(description="local or limited (the drivers this instance ships).")
    os_family: OsFamily = _OsFamily.UNIX  # type: ignore[valid-type]
    capabilities: ServerCapabilitiesInput | None = strawberry.field(
        default=None, description="null fields: the driver's own.")
    capacity: int | None = strawberry.field(default=None, description="null: no limit")
    is_default: bool = False


@strawberry.input
class HostingServerUpdateInput:
    id: strawberry.ID
    name: str | None = None
    capabilities: ServerCapabilitiesInput | None = None
    capacity: int | None = None
    unlimited_capacity: bool = False


@strawberry.input
class HostingServerAssignInput:
    id: strawberry.ID
    reseller_id: strawberry.ID


@strawberry.input
class HostingServerIdInput:
    id: strawberry.ID


@strawberry.input
class PlanServerPinInput:
    plan_id: strawberry.ID
    server_id: strawberry.ID | None = strawberry.field(
        default=None, description="A ServerPoolEntry of yours; null: placement chooses.")


@strawberry.input
class SslCertificateAddInput:
    name: str
    certificate_pem: str
    private_key_pem: str = strawberry.field(description="Unencrypted, PEM; stored, never shown again.")


@strawberry.input
class SslCertificateIdInput:
    id: strawberry.ID


@strawberry.type
class HostingServerPayload:
    server: HostingServer | None = None
    errors: list[ServerError] = strawberry.field(default_factory=list)


@strawberry.type
class HostingServerDeletePayload:
    deleted_id: strawberry.ID | None = None
    errors: list[ServerError] = strawberry.field(default_factory=list)


@strawberry.type
class PlanServerPinPayload:
    server: ServerPoolEntry | None = strawberry.field(default=None, description="null: placement chooses.")
    errors: list[ServerError] = strawberry.field(default_factory=list)


@strawberry.type
class SslCertificatePayload:
    certificate: SslCertificate | None = None
    errors: list[CertificateError] = strawberry.field(default_factory=list)


@strawberry.type
class SslCertificateDeletePayload:
    deleted_id: strawberry.ID | None = None
    errors: list[CertificateError] = strawberry.field(default_factory=list)
