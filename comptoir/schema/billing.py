"""GraphQL types of billing: its error codes (the schema's BillingErrorCode)."""

from __future__ import annotations

import strawberry

from comptoir.billing.errors import BillingErrorCode as _BillingErrorCode
from comptoir.schema.base import UserError, error_code_enum

BillingErrorCode = error_code_enum("BillingErrorCode", _BillingErrorCode)


@strawberry.type
class BillingError(UserError):
    code: BillingErrorCode  # type: ignore[valid-type]
