"""GraphQL input of a subscription's service settings (SPEC §4.4), and the server it lives on."""

from __future__ import annotations

import strawberry

from comptoir.schema.hosting import (
    DnsSettingsInput,
    HostingSettingsInput,
    LogSettingsInput,
    MailSettingsInput,
    PerformanceSettingsInput,
    PhpSettingsInput,
)


@strawberry.input(description="Only the settings given change. A customer may change a setting only with its "
                             "permission (e.g. DNS_ZONE_MANAGEMENT for dns); the others are the seller's.")
class SubscriptionServiceSettingsInput:
    id: strawberry.ID
    hosting: HostingSettingsInput | None = None  # type: ignore[valid-type]
    php: PhpSettingsInput | None = None  # type: ignore[valid-type]
    mail: MailSettingsInput | None = None  # type: ignore[valid-type]
    dns: DnsSettingsInput | None = None  # type: ignore[valid-type]
    performance: PerformanceSettingsInput | None = None  # type: ignore[valid-type]
    logs: LogSettingsInput | None = None  # type: ignore[valid-type]
