"""Error codes of the payments domain."""

from __future__ import annotations

from comptoir.errors import DomainError, ErrorCode


class PaymentErrorCode(ErrorCode):
    GATEWAY_NOT_FOUND = "gateway_not_found"
    GATEWAY_DISABLED = "gateway_disabled"
    GATEWAY_NAME_TAKEN = "gateway_name_taken"
    UNKNOWN_DRIVER = "unknown_driver"
    INVALID_SETTINGS = "invalid_settings"
    CURRENCY_NOT_ACCEPTED = "currency_not_accepted"
    NOT_SUPPORTED = "not_supported"
    CARD_REFUSED = "card_refused"
    CARD_EXPIRED = "card_expired"
    INVALID_IBAN = "invalid_iban"
    INVALID_BIC = "invalid_bic"
    PAYMENT_METHOD_NOT_FOUND = "payment_method_not_found"
    PAYMENT_NOT_FOUND = "payment_not_found"
    INVALID_STATE = "invalid_state"
    INVALID_AMOUNT = "invalid_amount"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    GATEWAY_ERROR = "gateway_error"


class PaymentError(DomainError):
    pass
