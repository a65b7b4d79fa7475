"""Who is acting, for the database: the tenant context every transaction carries."""

from __future__ import annotations

import contextlib
import enum
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass


class Role(enum.Enum):
    PROVIDER = "provider"
    RESELLER = "reseller"
    CUSTOMER = "customer"
    SYSTEM = "system"  # workers and the CLI acting for one seller
    STOREFRONT = "storefront"


@dataclass(frozen=True, slots=True)
class TenantContext:
    role: Role
    seller_id: uuid.UUID
    customer_id: uuid.UUID | None = None
    user_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = None

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.PROVIDER, Role.RESELLER)


_current: ContextVar[TenantContext | None] = ContextVar("comptoir_tenant", default=None)


def current() -> TenantContext | None:
    return _current.get()


def set_current(context: TenantContext | None) -> None:
    _current.set(context)


@contextlib.contextmanager
def acting_as(context: TenantContext | None) -> Iterator[TenantContext | None]:
    """Run a block as `context`; transactions begun inside carry it."""
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


def config_values(context: TenantContext | None) -> dict[str, str]:
    """The comptoir.* settings for a context; empty strings mean 'none' (policies fail closed)."""
    if context is None:
        return {"role": "", "seller": "", "customer": ""}
    return {
        "role": context.role.value,
        "seller": str(context.seller_id),
        "customer": str(context.customer_id) if context.customer_id else "",
    }
