"""How a public storefront request acts: as the `storefront` role of the store's seller, found by slug,
hostname or cart, never by a log-in; a cart is reachable only by presenting its secret."""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from comptoir.errors import DomainError
from comptoir.storefront.errors import StorefrontError, StorefrontErrorCode
from comptoir.tenancy import context as tenant
from comptoir.tenancy.context import Role, TenantContext

CART_SECRET_BYTES = 24


@dataclass(frozen=True)
class StoreRef:
    store_id: uuid.UUID
    seller_id: uuid.UUID


@dataclass(frozen=True)
class CartToken:
    """What a visitor holds: the store's id and a secret, as one opaque string; we keep its digest."""

    store_id: uuid.UUID
    token: str

    @property
    def digest(self) -> bytes:
        return hashlib.sha256(self.token.encode()).digest()

    @classmethod
    def new(cls, store_id: uuid.UUID) -> CartToken:
        raw = store_id.bytes + secrets.token_bytes(CART_SECRET_BYTES)
        return cls(store_id, base64.urlsafe_b64encode(raw).decode().rstrip("="))

    @classmethod
    def parse(cls, token: str, *, field: str = "cartId") -> CartToken:
        try:
            raw = base64.urlsafe_b64decode(token.encode("ascii") + b"=" * (-len(token) % 4))
        except (binascii.Error, UnicodeError, ValueError):
            raw = b""
        if len(raw) != 16 + CART_SECRET_BYTES:
            raise StorefrontError(StorefrontErrorCode.CART_NOT_FOUND, "No cart with this id.", field=field)
        return cls(uuid.UUID(bytes=raw[:16]), token)


def find_store(session: Session, *, key: str) -> StoreRef:
    """A published store by slug or custom hostname, whichever seller it belongs to."""
    row = session.execute(text("SELECT * FROM comptoir_store_lookup(:key)"), {"key": key.strip()[:255]}).first()
    if row is None:
        raise StorefrontError(StorefrontErrorCode.STORE_NOT_FOUND, "No store answers to this name.", field="store")
    return StoreRef(row.store_id, row.seller_id)


def store_of_cart(session: Session, *, cart: CartToken) -> StoreRef:
    row = session.execute(text("SELECT * FROM comptoir_store_by_id(:id)"), {"id": cart.store_id}).first()
    if row is None:
        raise StorefrontError(StorefrontErrorCode.CART_NOT_FOUND, "No cart with this id.", field="cartId")
    return StoreRef(row.store_id, row.seller_id)


# The tenant context and the presented cart in one round trip (engine.SET_CONTEXT_SQL plus the cart).
_ACT_AS = text("SELECT set_config('comptoir.role', :role, true), set_config('comptoir.seller_id', :seller, true),"
               " set_config('comptoir.customer_id', :customer, true), set_config('comptoir.cart_token', :cart, true)")


def _act_as(session: Session, context: TenantContext | None, cart: CartToken | None) -> None:
    tenant.set_current(context)
    session.execute(_ACT_AS, {**tenant.config_values(context), "cart": cart.digest.hex() if cart else ""})


@contextlib.contextmanager
def visiting(session: Session, store: StoreRef, *, cart: CartToken | None = None) -> Iterator[None]:
    """Act as a visitor of `store` (presenting `cart`), then give the transaction back as it was: a
    logged-in user's document may read its own data after a storefront field."""
    previous = tenant.current()
    _act_as(session, TenantContext(Role.STOREFRONT, store.seller_id), cart)
    try:
        yield
    except DomainError:
        _leave(session, previous)  # an expected refusal: the transaction goes on
        raise
    except BaseException:
        tenant.set_current(previous)  # the rollback of the savepoint or transaction undoes the rest
        raise
    _leave(session, previous)


def _leave(session: Session, previous: TenantContext | None) -> None:
    with session.no_autoflush:  # pending objects of a refused change are not written on the way out
        _act_as(session, previous, None)
