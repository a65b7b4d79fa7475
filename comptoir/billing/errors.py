"""Error codes of the billing domain."""

from __future__ import annotations

from comptoir.errors import DomainError, ErrorCode


class BillingErrorCode(ErrorCode):
    NOT_FOUND = "not_found"
    INVALID = "invalid"
    NEGATIVE_TOTAL = "negative_total"
    CURRENCY_MISMATCH = "currency_mismatch"
    NOT_ISSUED = "not_issued"
    ALREADY_CREDITED = "already_credited"


class BillingError(DomainError):
    pass
