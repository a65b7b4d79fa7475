"""GraphQL types of payments: gateway configurations, stored payment methods, payments."""

from __future__ import annotations

import strawberry

from comptoir.payments.errors import PaymentErrorCode as _PaymentErrorCode
from comptoir.schema.base import UserError, error_code_enum

PaymentErrorCode = error_code_enum("PaymentErrorCode", _PaymentErrorCode)


@strawberry.type
class PaymentError(UserError):
    code: PaymentErrorCode  # type: ignore[valid-type]
