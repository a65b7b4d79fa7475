"""Encryption settings of a seller (SPEC §6): whether a passphrase guards its secrets, and so whether
automation can open them; choosing a passphrase; unlocking for one operation."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from comptoir.security import secrets

AVAILABLE = ("Secrets are encrypted at rest with keys the server holds: automation that needs them (payment "
             "queue, renewals, provisioning) runs unattended.")
LOCKED = ("Secrets are encrypted with a passphrase the system does not keep: automation that needs them "
          "(automatic charging by the payment queue, renewals, provisioning with stored passwords) is disabled. "
          "Staff unlock them for one operation with encryptionUnlock.")


@dataclass(frozen=True)
class EncryptionSettings:
    passphrase_required: bool
    automation_available: bool
    message: str
    unlocked: bool  # in the current operation


def get(session: Session, *, seller_id: uuid.UUID) -> EncryptionSettings:
    """The seller's encryption settings as automation sees them."""
    available = secrets.automation_can_decrypt(session, seller_id)
    return EncryptionSettings(passphrase_required=not available, automation_available=available,
                              message=AVAILABLE if available else LOCKED,
                              unlocked=not available and secrets.is_unlocked(seller_id))


def enable_passphrase(session: Session, *, seller_id: uuid.UUID, passphrase: str) -> EncryptionSettings:
    """Guard the seller's data keys with `passphrase` (kept nowhere: lost, the secrets are lost)."""
    secrets.enable_passphrase(session, seller_id, passphrase)
    return get(session, seller_id=seller_id)


def unlock(session: Session, *, seller_id: uuid.UUID, passphrase: str) -> EncryptionSettings:
    """Open the seller's secrets for the rest of this operation."""
    secrets.unlock(session, seller_id, passphrase)
    return get(session, seller_id=seller_id)
