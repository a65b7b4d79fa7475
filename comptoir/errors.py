"""Typed domain errors: services raise them, the GraphQL layer turns them into UserError data.

Every domain declares its codes as a subclass of `ErrorCode`; the GraphQL layer maps each member to the
schema enum member of the same name by identity (comptoir.schema.base), and refuses at import a code
no schema enum carries. Validation that checks several fields collects its errors and raises them as
one `DomainErrors`, so a client learns about every bad field of an input at once.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")


class ErrorCode(enum.Enum):
    """Base of every domain's error codes (an enum without members, so domains can subclass it)."""


class CommonErrorCode(ErrorCode):
    NOT_FOUND = "not_found"
    INVALID = "invalid"
    REQUIRED = "required"
    TOO_LONG = "too_long"
    TOO_MANY = "too_many"
    PERMISSION_DENIED = "permission_denied"
    RATE_LIMITED = "rate_limited"
    CONFLICT = "conflict"


class DomainError(Exception):
    """An expected failure of a domain operation (validation, limits, conflicts)."""

    def __init__(self, code: enum.Enum, message: str = "", *, field: str | None = None,
                 params: Mapping[str, object] | None = None) -> None:
        super().__init__(message or code.name)
        self.code = code
        self.field = field
        # `template` is what the catalogs translate (comptoir.i18n); `params` fill its %(name)s places.
        self.template = message or code.name.replace("_", " ").capitalize()
        self.params = dict(params or {})
        self.message = self.template % self.params if self.params else self.template

    @property
    def errors(self) -> tuple[DomainError, ...]:
        """The individual errors this one stands for (itself, unless several were collected)."""
        return (self,)

    def under(self, prefix: str) -> DomainError:
        """The same error(s) with each field named by its path from `prefix` (`contact` → `contact.email`)."""
        moved = [DomainError(e.code, e.template, field=_join(prefix, e.field), params=e.params) for e in self.errors]
        return moved[0] if len(moved) == 1 else DomainErrors(moved)


class DomainErrors(DomainError):
    """Several errors of one input, reported together (validation collects before it raises)."""

    def __init__(self, errors: Sequence[DomainError]) -> None:
        flat = tuple(item for error in errors for item in error.errors)
        if not flat:
            raise ValueError("DomainErrors needs at least one error")
        super().__init__(flat[0].code, flat[0].template, field=flat[0].field, params=flat[0].params)
        self._errors = flat

    @property
    def errors(self) -> tuple[DomainError, ...]:
        return self._errors


def _join(prefix: str, field: str | None) -> str:
    return prefix if not field else f"{prefix}.{field}"


class ErrorCollector:
    """Runs field checks, keeping their errors instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: list[DomainError] = []

    def check(self, check: Callable[[], T], *, under: str | None = None) -> T | None:
        """The check's result, or None when it raised a domain error (kept for later, its fields put
        `under` an input path when given)."""
        try:
            return check()
        except DomainError as error:
            self.errors.append(error.under(under) if under else error)
            return None

    def add(self, error: DomainError) -> None:
        self.errors.append(error)

    def raise_if_any(self) -> None:
        if self.errors:
            raise self.errors[0] if len(self.errors) == 1 else DomainErrors(self.errors)


@contextmanager
def collect_errors() -> Iterator[ErrorCollector]:
    """`with collect_errors() as errors: errors.check(...)`: raises everything collected on leaving."""
    collector = ErrorCollector()
    try:
        yield collector
    except DomainError as error:  # a check made outside `collector.check` joins the others
        collector.add(error)
    collector.raise_if_any()


@contextmanager
def under(prefix: str) -> Iterator[None]:
    """Name the fields of errors raised inside by their input path (`subscription` → `subscription.domainName`)."""
    try:
        yield
    except DomainError as error:
        raise error.under(prefix) from None
