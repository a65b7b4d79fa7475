"""Resolvers of the seller's encryption settings."""

from __future__ import annotations

from strawberry.types import Info

from comptoir.schema.base import mutate
from comptoir.schema.encryption import (
    EncryptionPassphraseEnableInput,
    EncryptionSettings,
    EncryptionSettingsPayload,
    EncryptionUnlockInput,
)
from comptoir.security import encryption


async def encryption_settings(info: Info) -> EncryptionSettings:
    seller_id = info.context.tenant.seller_id
    return await info.context.run(lambda s: EncryptionSettings.of(encryption.get(s, seller_id=seller_id)))


async def encryption_passphrase_enable(info: Info, input: EncryptionPassphraseEnableInput) -> EncryptionSettingsPayload:
    seller_id = info.context.tenant.seller_id
    return await mutate(
        info, EncryptionSettingsPayload,
        lambda s: encryption.enable_passphrase(s, seller_id=seller_id, passphrase=input.passphrase),
        lambda settings: EncryptionSettingsPayload(encryption_settings=EncryptionSettings.of(settings)))


async def encryption_unlock(info: Info, input: EncryptionUnlockInput) -> EncryptionSettingsPayload:
    seller_id = info.context.tenant.seller_id
    return await mutate(
        info, EncryptionSettingsPayload,
        lambda s: encryption.unlock(s, seller_id=seller_id, passphrase=input.passphrase),
        lambda settings: EncryptionSettingsPayload(encryption_settings=EncryptionSettings.of(settings)))
