"""Relay global ids: base64("TypeName:uuid")."""

from __future__ import annotations

import base64
import binascii
import uuid

from comptoir.errors import CommonErrorCode, DomainError


def encode_id(type_name: str, value: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{value}".encode()).decode()


def parse_id(global_id: str) -> tuple[str, uuid.UUID] | None:
    """(type name, uuid) of a global id in the form encode_id gives (padding optional); None for anything else."""
    try:
        padded = global_id.encode("ascii") + b"=" * (-len(global_id) % 4)
        raw = base64.b64decode(padded, altchars=b"-_", validate=True).decode("ascii")
        type_name, _, value = raw.partition(":")
        parsed = uuid.UUID(value)
    except (binascii.Error, UnicodeError, ValueError):
        return None
    # One id per object: uuid.UUID also reads braces, "urn:uuid:" and upper case.
    return (type_name, parsed) if value == str(parsed) and type_name else None


def decode_id(global_id: str, expected_type: str, *, field: str = "id") -> uuid.UUID:
    """The uuid inside a global id of `expected_type`; anything else reads as not found."""
    parsed = parse_id(global_id)
    if parsed is None or parsed[0] != expected_type:
        raise DomainError(CommonErrorCode.NOT_FOUND, f"No {expected_type} with this id.", field=field)
    return parsed[1]


def decode_optional_id(global_id: str | None, expected_type: str, *, field: str) -> uuid.UUID | None:
    """decode_id for an optional input: None stays None."""
    return decode_id(global_id, expected_type, field=field) if global_id else None
