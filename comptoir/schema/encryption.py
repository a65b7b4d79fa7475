"""GraphQL types of a seller's encryption settings (SPEC §6)."""

from __future__ import annotations

import strawberry

from comptoir.schema.base import UserError, error_code_enum
from comptoir.security import data_keys, encryption

EncryptionErrorCode = error_code_enum("EncryptionErrorCode", data_keys.EncryptionErrorCode)


@strawberry.type
class EncryptionError(UserError):
    code: EncryptionErrorCode  # type: ignore[valid-type]


@strawberry.type(description="How the seller's secrets (payment tokens, IBANs, gateway settings, system "
                             "passwords) are encrypted at rest, and what that means for automation.")
class EncryptionSettings:
    passphrase_required: bool = strawberry.field(
        description="A passphrase the system does not keep guards the secrets.")
    automation_available: bool = strawberry.field(
        description="Automation that needs the secrets (automatic charging, renewals) can run.")
    message: str
    unlocked: bool = strawberry.field(description="Unlocked by this operation (encryptionUnlock earlier in it).")

    @classmethod
    def of(cls, settings: encryption.EncryptionSettings) -> EncryptionSettings:
        return cls(passphrase_required=settings.passphrase_required,
                   automation_available=settings.automation_available, message=settings.message,
                   unlocked=settings.unlocked)


@strawberry.input
class EncryptionPassphraseEnableInput:
    passphrase: str = strawberry.field(description="At least 12 characters. Not kept: lost, the secrets are lost.")


@strawberry.input
class EncryptionUnlockInput:
    passphrase: str


@strawberry.type
class EncryptionSettingsPayload:
    encryption_settings: EncryptionSettings | None = None
    errors: list[EncryptionError] = strawberry.field(default_factory=list)
