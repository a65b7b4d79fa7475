"""Error codes of the accounts and resellers domain."""

from __future__ import annotations

from comptoir.errors import ErrorCode


class AccountErrorCode(ErrorCode):
    INVALID_CREDENTIALS = "invalid_credentials"
    ACCOUNT_SUSPENDED = "account_suspended"
    NO_SUBSCRIPTION = "no_subscription"
    SUBSCRIPTIONS_EXPIRED = "subscriptions_expired"
    NO_PANEL_ACCESS = "no_panel_access"
    NO_API_ACCESS = "no_api_access"
    RATE_LIMITED = "rate_limited"
    INVALID_TOKEN = "invalid_token"
    WRONG_PASSWORD = "wrong_password"
    UNKNOWN_THEME = "unknown_theme"
    INVALID_LABEL_LENGTH = "invalid_label_length"
    NOT_FOUND = "not_found"


class ValidationErrorCode(ErrorCode):
    """Field checks shared by accounts, resellers and customers (comptoir.tenancy.validation)."""

    PASSWORD_TOO_SHORT = "password_too_short"
    PASSWORD_TOO_LONG = "password_too_long"
    PASSWORD_SAME_AS_USERNAME = "password_same_as_username"
    UNSUPPORTED_LANGUAGE = "unsupported_language"
    INVALID_EMAIL = "invalid_email"
    INVALID_USERNAME = "invalid_username"
    USERNAME_TAKEN = "username_taken"
    INVALID_COUNTRY = "invalid_country"


class ResellerErrorCode(ErrorCode):
    NOT_FOUND = "not_found"
    INVALID_NAME = "invalid_name"
    PROVIDER_IS_NOT_A_RESELLER = "provider_is_not_a_reseller"
    OVERSELLING_POLICY_NOT_PERMITTED = "overselling_policy_not_permitted"
