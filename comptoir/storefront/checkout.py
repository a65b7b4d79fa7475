"""checkoutComplete: a cart becomes a pending order, once per Idempotency-Key.

As the IETF Idempotency-Key draft and Stripe define it: the same key with the same cart returns the
same order; the key with another payload is refused (IDEMPOTENCY_KEY_REUSED); while the first request
holds the key, others are told IDEMPOTENCY_KEY_IN_PROGRESS (a transaction-level advisory lock, held
until the first request commits). Keys are kept `checkout_key_retention_hours` (at least 24 hours).
"""

from __future__ import annotations

import ipaddress
import uuid
from datetime import timedelta

from sqlalchemy import delete, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.errors import CommonErrorCode, DomainError
from comptoir.settings import get_settings
from comptoir.storefront import carts, stores
from comptoir.storefront.access import CartToken
from comptoir.storefront.carts import CartView, KnownBuyer
from comptoir.storefront.errors import StorefrontError, StorefrontErrorCode
from comptoir.storefront.models import Cart, CheckoutKey, Order, OrderStep
from comptoir.storefront.rules import CheckoutFacts, FraudPolicy, findings, fingerprint, needs_review
from comptoir.tenancy import throttle
from comptoir.tenancy.models import Customer

MIN_KEY_RETENTION_HOURS = 24
RECENT_ORDERS_WINDOW_SECONDS = 3600


def address_network(client_address: str) -> str:
    """What a per-address limit counts: the address, or its /64 for IPv6 (a client picks any of those)."""
    try:
        address = ipaddress.ip_address(client_address)
    except ValueError:
        return client_address[:100]
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(getattr(address, "ipv4_mapped", None) or address)


def limit_per_address(session: Session, *, action: str, attempts: int, client_address: str) -> None:
    """Count one `action` from the client's address; refuse past `attempts` per throttle window."""
    window = timedelta(minutes=get_settings().throttle_window_minutes)
    limit = throttle.Limit(f"storefront:{action}:{address_network(client_address)}", attempts, window)
    limits = throttle.Limits(checked=[limit], counted=[limit])
    try:
        throttle.acquire(session, limits=limits)
    except DomainError:
        raise DomainError(CommonErrorCode.RATE_LIMITED, "Too many attempts from your address; try again later.",
                          ) from None
    throttle.record(session, limits=limits)


def _payload(cart: Cart, view: CartView) -> dict[str, object]:
    """What the key vouches for: the cart and everything checkout would buy with it."""
    return {"cart": str(cart.id), "lines": [(str(line.id), str(line.offer_id), line.cycle, sorted(map(str, line.addon_offer_ids)),
                                            line.domain_action, line.domain_name) for line in view.lines],
            "buyer": view.buyer, "payment": view.payment_method, "coupon": view.coupon_code,
            "terms": view.terms_version, "total": view.total.minor}


def _hold_key(session: Session, store_id: uuid.UUID, key: str) -> None:
    held = session.scalar(text("SELECT pg_try_advisory_xact_lock(hashtextextended(:name, 0))"),
                          {"name": f"checkout:{store_id}:{key}"})
    if not held:
        raise StorefrontError(StorefrontErrorCode.IDEMPOTENCY_KEY_IN_PROGRESS,
                              "A checkout with this key is in progress; retry in a moment.", field="idempotencyKey")


def complete(session: Session, *, token: CartToken, key: str, client_address: str, client_country: str,
             known: KnownBuyer | None = None) -> Order:
    """The cart's order: created now, or the one this key already created for this very cart."""
    key = key.strip()
    if not 1 <= len(key) <= 255:
        raise DomainError(CommonErrorCode.INVALID, "Give an idempotency key of 1-255 characters.",
                          field="idempotencyKey")
    _hold_key(session, token.store_id, key)
    # Locked: two keys racing for one cart make one order, and the other sees the cart completed.
    cart = carts.adopt_buyer(carts.get_or_raise(session, token=token, lock=True), known)
    view = carts.view(session, cart=cart, token=token)
    digest = fingerprint(_payload(cart, view))
    earlier = session.scalars(select(CheckoutKey).where(CheckoutKey.store_id == cart.store_id,
                                                        CheckoutKey.key == key)).first()
    if earlier is not None:  # a replay: answered as the first time, and not counted by the rate limit
        if earlier.fingerprint != digest or earlier.order_id is None:
            raise _reused()
        return session.get_one(Order, earlier.order_id)
    limit_per_address(session, action="checkout", attempts=get_settings().storefront_checkouts_per_address,
                      client_address=client_address)
    if cart.status != "open":
        raise StorefrontError(StorefrontErrorCode.CART_COMPLETED, "This cart was checked out with another key.",
                              field="cartId")
    if view.problems:
        raise StorefrontError(StorefrontErrorCode.CART_HAS_PROBLEMS,
                              "; ".join(problem.message for problem in view.problems), field="cartId")
    record = _claim(session, cart, key, digest)
    order = _place(session, cart, view, client_address=client_address, client_country=client_country,
                   known=known if known and known.seller_id == cart.seller_id else None)
    record.order_id = order.id
    cart.status, cart.updated_at = "completed", clock.now()
    session.flush()
    return order


def _reused() -> StorefrontError:
    return StorefrontError(StorefrontErrorCode.IDEMPOTENCY_KEY_REUSED,
                           "This idempotency key was used for another checkout.", field="idempotencyKey")


def _claim(session: Session, cart: Cart, key: str, digest: bytes) -> CheckoutKey:
    """Record the key; a clash means another cart of the store used it (the visitor sees only its own)."""
    record = CheckoutKey(seller_id=cart.seller_id, store_id=cart.store_id, key=key, cart_id=cart.id,
                         fingerprint=digest)
    try:
        with session.begin_nested():
            session.add(record)
            session.flush()
    except IntegrityError:
        raise _reused() from None
    return record


def _place(session: Session, cart: Cart, view: CartView, *, client_address: str, client_country: str,
           known: KnownBuyer | None) -> Order:
    """The buyer as a customer (pending unless the store activates at once) and its pending order; a
    logged-in customer buys more as itself, already reviewed."""
    store = stores.get_or_raise(session, store_id=cart.store_id)
    policy = FraudPolicy.from_json(store.fraud_policy)
    recent = session.scalar(text("SELECT comptoir_recent_order_count(:a, :s)"),
                            {"a": client_address[:100], "s": RECENT_ORDERS_WINDOW_SECONDS})
    facts = CheckoutFacts(email=view.buyer["email"], billing_country=view.buyer["country"],
                          client_country=client_country, total=view.total.minor, recent_orders_from_address=recent or 0,
                          vat_id=view.buyer.get("vat_id", ""))
    found = findings(policy, facts)
    review = known is None and needs_review(policy, found)
    customer_id = known.customer_id if known else _new_customer(session, cart, view,
                                                                status="pending" if review else "active")
    order = Order(seller_id=cart.seller_id, store_id=cart.store_id, cart_id=cart.id, customer_id=customer_id,
                  currency=cart.currency, total=view.total.minor, lines=_snapshot(view), buyer=view.buyer,
                  payment_method=cart.payment_method, coupon_code=cart.coupon_code,
                  terms_version=cart.terms_version or 0, terms_accepted_at=cart.terms_accepted_at or clock.now(),
                  client_address=client_address[:100], review="manual" if review else "automatic",
                  fraud_findings=[finding.value for finding in found])
    session.add(order)
    session.flush()
    # The flow's first step (comptoir/storefront/flows.py), in the order's transaction; inserted without
    # reading it back (the visitor may write it, not read it), so the relay hands it out.
    session.execute(insert(OrderStep).values(id=uuid.uuid4(), seller_id=cart.seller_id, order_id=order.id,
                                             step="invoice"))
    return order


def _new_customer(session: Session, cart: Cart, view: CartView, *, status: str) -> uuid.UUID:
    """Inserted without reading it back: a visitor may create its customer record, not read one."""
    customer_id = uuid.uuid4()
    buyer = view.buyer
    session.execute(insert(Customer).values(
        id=customer_id, seller_id=cart.seller_id, status=status, contact_name=buyer["name"], email=buyer["email"],
        company_name=buyer.get("company", ""), phone=buyer.get("phone", ""),
        address_line1=buyer.get("address_line1", ""), city=buyer.get("city", ""),
        postal_code=buyer.get("postal_code", ""), country=buyer["country"], locale=cart.language.split("_")[0]))
    return customer_id


def _snapshot(view: CartView) -> list[dict[str, object]]:
    return [{"offer_id": str(line.offer_id), "name": line.name, "cycle": line.cycle,
             "addon_offer_ids": [str(a) for a in line.addon_offer_ids], "domain_action": line.domain_action,
             "domain_name": line.domain_name, "recurring": line.price.recurring if line.price else 0,
             "setup": line.price.setup if line.price else 0} for line in view.lines]


def purge_keys(session: Session, *, seller_id: uuid.UUID) -> int:
    """Forget the seller's keys older than the retention (never younger than 24 hours)."""
    hours = max(get_settings().checkout_key_retention_hours, MIN_KEY_RETENTION_HOURS)
    result = session.execute(delete(CheckoutKey).where(CheckoutKey.seller_id == seller_id,
                                                       CheckoutKey.created_at < clock.now() - timedelta(hours=hours)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
