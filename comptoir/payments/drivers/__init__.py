"""Payment gateway drivers by name: what a gateway configuration's `driver` column names."""

from __future__ import annotations

from comptoir.payments.drivers.base import PaymentGateway
from comptoir.payments.drivers.manual import BankAccountGateway, ManualGateway
from comptoir.payments.drivers.sandbox_card import SandboxCardGateway
from comptoir.payments.drivers.sandbox_external import SandboxExternalGateway
from comptoir.payments.drivers.stripe import StripeGateway

DRIVERS: dict[str, PaymentGateway] = {
    driver.name: driver
    for driver in (SandboxCardGateway(), SandboxExternalGateway(), ManualGateway(), BankAccountGateway(),
                   StripeGateway())
}
