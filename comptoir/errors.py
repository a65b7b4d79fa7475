"""Typed domain errors: services raise them, the GraphQL layer turns them into UserError data."""

from __future__ import annotations

import enum


class DomainError(Exception):
    """An expected failure of a domain operation (validation, limits, conflicts)."""

    def __init__(self, code: enum.Enum, message: str = "", *, field: str | None = None) -> None:
        super().__init__(message or code.name)
        self.code = code
        self.field = field
        self.message = message or code.name.replace("_", " ").capitalize()


class CommonErrorCode(enum.Enum):
    NOT_FOUND = "not_found"
    INVALID = "invalid"
    REQUIRED = "required"
    TOO_LONG = "too_long"
    PERMISSION_DENIED = "permission_denied"
    RATE_LIMITED = "rate_limited"
    CONFLICT = "conflict"
