"""A visitor's cart (storefront role, the cart presented by its secret): lines, buyer, payment method,
terms, coupon, and the problems that stand between it and checkout."""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.domains import availability
from comptoir.errors import CommonErrorCode, DomainError, collect_errors
from comptoir.storefront import stores
from comptoir.storefront.access import CartToken
from comptoir.storefront.catalog import localized
from comptoir.storefront.errors import StorefrontError, StorefrontErrorCode
from comptoir.storefront.models import Cart, CartLine, Offer, Order, Store
from comptoir.money import Money
from comptoir.storefront.rules import Cycle, PricedLine, cart_total, line_price
from comptoir.tenancy.models import Customer
from comptoir.tenancy.validation import check_country, check_email, check_text

DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
VAT_ID = re.compile(r"^[A-Z]{2}[0-9A-Z+*.]{2,13}$")
COUPON = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
DOMAIN_ACTIONS = ("use_own", "register", "transfer")
MAX_LINES = 50
BUYER_FIELDS = ("email", "name", "company", "country", "vat_id", "phone", "address_line1", "city", "postal_code")
REQUIRED_BUYER_FIELDS = ("email", "name", "country")


@dataclass(frozen=True)
class LineInput:
    offer_id: uuid.UUID | None = None
    cycle: str | None = None
    addon_offer_ids: Sequence[uuid.UUID] | None = None
    domain_action: str | None = None
    domain_name: str | None = None


@dataclass(frozen=True)
class KnownBuyer:
    """A customer of the store's seller, logged in: it buys more without typing its details again."""

    customer_id: uuid.UUID
    seller_id: uuid.UUID
    details: dict[str, str]

    @classmethod
    def of(cls, customer: Customer) -> KnownBuyer:
        details = {"email": customer.email, "name": customer.contact_name, "company": customer.company_name,
                   "country": customer.country, "phone": customer.phone, "address_line1": customer.address_line1,
                   "city": customer.city, "postal_code": customer.postal_code}
        return cls(customer.id, customer.seller_id, {k: v for k, v in details.items() if v})


def adopt_buyer(cart: Cart, known: KnownBuyer | None) -> Cart:
    """Fill the details the buyer did not give from its customer record (a customer of this seller only)."""
    if known is None or known.seller_id != cart.seller_id or cart.status != "open":
        return cart
    merged = {**known.details, **cart.buyer}
    if merged != cart.buyer:
        cart.buyer = merged
    return cart


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    line_id: uuid.UUID | None = None


@dataclass(frozen=True)
class LineView:
    id: uuid.UUID
    offer_id: uuid.UUID
    name: str
    cycle: str
    addon_offer_ids: list[uuid.UUID]
    domain_action: str
    domain_name: str
    price: PricedLine | None


@dataclass(frozen=True)
class CartView:
    token: str
    status: str
    currency: str
    language: str
    lines: list[LineView]
    buyer: dict[str, str]
    payment_method: str
    coupon_code: str
    terms_version: int | None
    terms_accepted_at: datetime | None
    total: Money
    problems: list[Problem]
    order_id: uuid.UUID | None = None
    order_status: str | None = None
    store_id: uuid.UUID | None = field(default=None)


def create(session: Session, *, store_id: uuid.UUID, seller_id: uuid.UUID, token: CartToken, language: str | None,
           client_address: str) -> Cart:
    """An empty cart in the store's currency; the visitor keeps the token, we keep its digest."""
    store = stores.get_or_raise(session, store_id=store_id)
    chosen = (language or "").replace("-", "_")
    cart = Cart(seller_id=seller_id, store_id=store.id, token_hash=token.digest, currency=store.currency,
                language=chosen if chosen in store.languages else store.default_language,
                client_address=client_address[:100])
    session.add(cart)
    session.flush()
    return cart


def get_or_raise(session: Session, *, token: CartToken, lock: bool = False) -> Cart:
    """The presented cart (RLS shows the storefront role no other); `lock`: until this transaction ends."""
    statement = select(Cart).where(Cart.token_hash == token.digest)
    cart = session.scalars(statement.with_for_update() if lock else statement).first()
    if cart is None:
        raise StorefrontError(StorefrontErrorCode.CART_NOT_FOUND, "No cart with this id.", field="cartId")
    return cart


def open_or_raise(session: Session, *, token: CartToken) -> Cart:
    """The presented cart, locked, if it can still change."""
    cart = session.scalars(select(Cart).where(Cart.token_hash == token.digest).with_for_update()).first()
    if cart is None:
        raise StorefrontError(StorefrontErrorCode.CART_NOT_FOUND, "No cart with this id.", field="cartId")
    if cart.status != "open":
        raise StorefrontError(StorefrontErrorCode.CART_COMPLETED, "This cart was checked out.", field="cartId")
    return cart


def _touch(cart: Cart) -> Cart:
    cart.updated_at = clock.now()
    return cart


def _check_line(session: Session, line: CartLine, store: Store) -> bool:
    """What a line may hold: an orderable plan offer of the store, a cycle it is sold for, its add-ons."""
    offer = session.get(Offer, line.offer_id)
    if offer is None or offer.store_id != store.id or offer.kind != "service":
        raise StorefrontError(StorefrontErrorCode.OFFER_UNAVAILABLE, "This offer is not on sale.", field="offerId")
    if line.cycle not in offer.prices:
        raise StorefrontError(StorefrontErrorCode.CYCLE_NOT_OFFERED, "The offer is not sold for this cycle.",
                              field="cycle")
    if any(addon not in offer.addon_offer_ids for addon in line.addon_offer_ids):
        raise StorefrontError(StorefrontErrorCode.ADDON_NOT_COMPATIBLE, "An add-on is not sold with this plan.",
                              field="addonOfferIds")
    if line.domain_action not in DOMAIN_ACTIONS:
        raise DomainError(CommonErrorCode.INVALID, "Choose use_own, register or transfer.", field="domainAction")
    if not DOMAIN.match(line.domain_name):
        raise DomainError(CommonErrorCode.INVALID, "Give the domain name of the subscription.", field="domainName")
    return True


def _set_line(line: CartLine, given: LineInput) -> None:
    if given.offer_id is not None:
        line.offer_id = given.offer_id
    if given.cycle is not None:
        line.cycle = given.cycle
    if given.addon_offer_ids is not None:
        line.addon_offer_ids = list(dict.fromkeys(given.addon_offer_ids))
    if given.domain_action is not None:
        line.domain_action = given.domain_action
    if given.domain_name is not None:
        line.domain_name = given.domain_name.strip().lower().rstrip(".")


def add_lines(session: Session, *, token: CartToken, lines: Sequence[LineInput]) -> Cart:
    cart = open_or_raise(session, token=token)
    store = stores.get_or_raise(session, store_id=cart.store_id)
    existing = len(_lines(session, cart))
    if existing + len(lines) > MAX_LINES:
        raise DomainError(CommonErrorCode.TOO_MANY, f"A cart holds at most {MAX_LINES} lines.", field="lines")
    with collect_errors() as errors:
        for number, given in enumerate(lines):
            line = CartLine(seller_id=cart.seller_id, cart_id=cart.id, offer_id=given.offer_id,
                            cycle=given.cycle or Cycle.MONTHLY.value, addon_offer_ids=[], domain_action="use_own",
                            domain_name="")
            _set_line(line, given)
            if errors.check(functools.partial(_check_line, session, line, store), under=f"lines.{number}"):
                session.add(line)
    session.flush()
    return _touch(cart)


def update_lines(session: Session, *, token: CartToken, lines: Mapping[uuid.UUID, LineInput]) -> Cart:
    cart = open_or_raise(session, token=token)
    store = stores.get_or_raise(session, store_id=cart.store_id)
    by_id = {line.id: line for line in _lines(session, cart)}
    with collect_errors() as errors:
        for number, (line_id, given) in enumerate(lines.items()):
            line = by_id.get(line_id)
            if line is None:
                errors.add(DomainError(CommonErrorCode.NOT_FOUND, "No such line in this cart.",
                                       field=f"lines.{number}.id"))
                continue
            # Checked on a detached copy: a refused change must not reach the row (nor an autoflush).
            candidate = CartLine(offer_id=line.offer_id, cycle=line.cycle, addon_offer_ids=list(line.addon_offer_ids),
                                 domain_action=line.domain_action, domain_name=line.domain_name)
            _set_line(candidate, given)
            if errors.check(functools.partial(_check_line, session, candidate, store), under=f"lines.{number}"):
                _set_line(line, given)
    session.flush()
    return _touch(cart)


def remove_lines(session: Session, *, token: CartToken, line_ids: Sequence[uuid.UUID]) -> Cart:
    cart = open_or_raise(session, token=token)
    for line in _lines(session, cart):
        if line.id in line_ids:
            session.delete(line)
    session.flush()
    return _touch(cart)


def apply_coupon(session: Session, *, token: CartToken, code: str) -> Cart:
    """Recorded now; the billing issue defines coupons and the discounts they give."""
    code = code.strip()
    if code and not COUPON.match(code):
        raise DomainError(CommonErrorCode.INVALID, "Not a coupon code.", field="code")
    cart = open_or_raise(session, token=token)
    cart.coupon_code = code
    return _touch(cart)


def check_vat_id(vat_id: str, field: str = "vatId") -> str:
    """Shape only (two-letter country prefix, 2-13 characters); check digits are the fraud rule's."""
    compact = re.sub(r"[\s.-]", "", vat_id).upper()
    if compact and not VAT_ID.match(compact):
        raise StorefrontError(StorefrontErrorCode.VAT_ID_INVALID, "Not a VAT identification number.", field=field)
    return compact


def check_buyer(buyer: Mapping[str, str]) -> dict[str, str]:
    checked: dict[str, str] = {}
    checks = {"email": check_email, "country": check_country, "vat_id": check_vat_id}
    with collect_errors() as errors:
        for name, value in buyer.items():
            if name not in BUYER_FIELDS:
                continue
            camel = re.sub(r"_(\w)", lambda m: m.group(1).upper(), name)
            check: Callable[[str, str], str] = checks.get(name, check_text)
            result = errors.check(functools.partial(check, value, camel))
            if result is not None:
                checked[name] = result
    return checked


def update_buyer(session: Session, *, token: CartToken, buyer: Mapping[str, str]) -> Cart:
    """Customer details, each field checked; fields not given keep their value."""
    checked = check_buyer(buyer)
    cart = open_or_raise(session, token=token)
    cart.buyer = {**cart.buyer, **checked}
    return _touch(cart)


def select_payment_method(session: Session, *, token: CartToken, method: str) -> Cart:
    cart = open_or_raise(session, token=token)
    store = stores.get_or_raise(session, store_id=cart.store_id)
    if method not in store.payment_methods:
        raise StorefrontError(StorefrontErrorCode.PAYMENT_METHOD_NOT_OFFERED, "This store does not offer it.",
                              field="paymentMethod")
    cart.payment_method = method
    return _touch(cart)


def accept_terms(session: Session, *, token: CartToken, version: int, client_address: str) -> Cart:
    """Which version the buyer accepted, when and from where (kept on the order)."""
    cart = open_or_raise(session, token=token)
    terms = stores.current_terms(session, store_id=cart.store_id)
    if terms is None or terms.version != version:
        raise StorefrontError(StorefrontErrorCode.TERMS_OUTDATED, "Accept the store's current terms.",
                              field="version")
    cart.terms_version, cart.terms_accepted_at = version, clock.now()
    cart.terms_accepted_from = client_address[:100]
    return _touch(cart)


def _lines(session: Session, cart: Cart) -> list[CartLine]:
    return list(session.scalars(select(CartLine).where(CartLine.cart_id == cart.id)
                                .order_by(CartLine.created_at, CartLine.id)))


def _priced(session: Session, line: CartLine) -> tuple[Offer | None, PricedLine | None]:
    offer = session.get(Offer, line.offer_id)
    if offer is None:
        return None, None
    addons = [session.get(Offer, addon) for addon in line.addon_offer_ids]
    if any(addon is None for addon in addons):
        return offer, None
    return offer, line_price(offer.prices, offer.setup_fee, line.cycle,
                             [(addon.prices, addon.setup_fee) for addon in addons if addon is not None])


def _problems(session: Session, cart: Cart, store: Store | None, lines: list[tuple[CartLine, Offer | None, PricedLine | None]]
              ) -> list[Problem]:
    problems = []
    if store is None:
        return [Problem("STORE_CLOSED", "The store is not open.")]
    if not lines:
        problems.append(Problem("EMPTY", "The cart is empty."))
    for line, offer, price in lines:
        if offer is None:
            problems.append(Problem("OFFER_UNAVAILABLE", "This offer is no longer on sale.", line.id))
        elif price is None:
            problems.append(Problem("CYCLE_NOT_OFFERED", "The offer or an add-on is not sold for this cycle.", line.id))
        domain = availability.cart_problem(session, seller_id=cart.seller_id, action=line.domain_action,
                                           name=line.domain_name)
        if domain is not None:
            problems.append(Problem(*domain, line.id))
    if cart.currency != store.currency:
        problems.append(Problem("CURRENCY_MISMATCH", f"The store now sells in {store.currency}; start a new cart."))
    missing = [name for name in REQUIRED_BUYER_FIELDS if not cart.buyer.get(name)]
    if missing:
        problems.append(Problem("BUYER_DETAILS_MISSING", f"Give the buyer's {', '.join(missing)}."))
    if cart.payment_method not in store.payment_methods:
        problems.append(Problem("PAYMENT_METHOD_MISSING", "Choose a payment method the store offers."))
    terms = stores.current_terms(session, store_id=store.id)
    if terms is not None and cart.terms_version != terms.version:
        problems.append(Problem("TERMS_NOT_ACCEPTED", "Accept the store's current terms."))
    return problems


def view(session: Session, *, cart: Cart, token: CartToken) -> CartView:
    """The cart with its lines priced and localized, its total and its problems."""
    store = session.get(Store, cart.store_id)
    lines = [(line, *_priced(session, line)) for line in _lines(session, cart)]
    default = store.default_language if store else cart.language
    order = session.execute(select(Order.id, Order.status).where(Order.cart_id == cart.id)).first()
    return CartView(
        token=token.token, status=cart.status, currency=cart.currency, language=cart.language,
        lines=[LineView(line.id, line.offer_id, localized(offer.names, cart.language, default) if offer else "",
                        line.cycle, list(line.addon_offer_ids), line.domain_action, line.domain_name, price)
               for line, offer, price in lines],
        buyer=dict(cart.buyer), payment_method=cart.payment_method, coupon_code=cart.coupon_code,
        terms_version=cart.terms_version, terms_accepted_at=cart.terms_accepted_at,
        total=Money(cart_total(price for _, _, price in lines if price is not None), cart.currency),
        problems=[] if cart.status != "open" else _problems(session, cart, store, lines),
        order_id=order.id if order else None, order_status=order.status if order else None, store_id=cart.store_id)
