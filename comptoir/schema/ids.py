"""Relay global ids: base64("TypeName:uuid")."""

from __future__ import annotations

import base64
import binascii
import uuid

from comptoir.errors import CommonErrorCode, DomainError


def encode_id(type_name: str, value: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{value}".encode()).decode()


def parse_id(global_id: str) -> tuple[str, uuid.UUID] | None:
    try:
        raw = base64.urlsafe_b64decode(global_id.encode() + b"=" * (-len(global_id) % 4)).decode()
        type_name, _, value = raw.partition(":")
        return type_name, uuid.UUID(value)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def decode_id(global_id: str, expected_type: str, *, field: str = "id") -> uuid.UUID:
    """The uuid inside a global id of `expected_type`; anything else reads as not found."""
    parsed = parse_id(global_id)
    if parsed is None or parsed[0] != expected_type:
        raise DomainError(CommonErrorCode.NOT_FOUND, f"No {expected_type} with this id.", field=field)
    return parsed[1]
