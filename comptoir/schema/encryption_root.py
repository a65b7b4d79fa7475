"""Query and Mutation fields of encryption settings (staff of the seller)."""

from __future__ import annotations

import strawberry

from comptoir.resolvers import encryption as resolvers
from comptoir.schema.encryption import EncryptionSettings, EncryptionSettingsPayload
from comptoir.schema.permissions import IsStaff


@strawberry.type
class EncryptionQuery:
    encryption_settings: EncryptionSettings = strawberry.field(resolver=resolvers.encryption_settings,
                                                               permission_classes=[IsStaff])


@strawberry.type
class EncryptionMutation:
    encryption_passphrase_enable: EncryptionSettingsPayload = strawberry.mutation(
        resolver=resolvers.encryption_passphrase_enable, permission_classes=[IsStaff],
        description="Guard the seller's secrets with a passphrase the system does not keep: automation that "
                    "needs them stops (encryptionSettings says so).")
    encryption_unlock: EncryptionSettingsPayload = strawberry.mutation(
        resolver=resolvers.encryption_unlock, permission_classes=[IsStaff],
        description="Open the seller's passphrase-guarded secrets for the rest of this operation only (the "
                    "mutations after this one in the same document).")
