"""Error codes of the storefront domain (stores, offers, carts, checkout, pending customers)."""

from __future__ import annotations

from comptoir.errors import DomainError, ErrorCode


class StorefrontErrorCode(ErrorCode):
    STORE_NOT_FOUND = "store_not_found"
    SLUG_TAKEN = "slug_taken"
    HOSTNAME_TAKEN = "hostname_taken"
    CURRENCY_LOCKED = "currency_locked"
    STORE_HAS_ORDERS = "store_has_orders"
    PLAN_NOT_FOUND = "plan_not_found"
    OFFER_UNAVAILABLE = "offer_unavailable"
    CYCLE_NOT_OFFERED = "cycle_not_offered"
    ADDON_NOT_COMPATIBLE = "addon_not_compatible"
    CART_NOT_FOUND = "cart_not_found"
    CART_COMPLETED = "cart_completed"
    CART_HAS_PROBLEMS = "cart_has_problems"
    TERMS_OUTDATED = "terms_outdated"
    PAYMENT_METHOD_NOT_OFFERED = "payment_method_not_offered"
    VAT_ID_INVALID = "vat_id_invalid"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    IDEMPOTENCY_KEY_IN_PROGRESS = "idempotency_key_in_progress"
    CUSTOMER_NOT_REVIEWABLE = "customer_not_reviewable"


class StorefrontError(DomainError):
    pass
