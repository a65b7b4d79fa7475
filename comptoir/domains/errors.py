"""Error codes of domains and certificates."""

from __future__ import annotations

from comptoir.errors import DomainError, ErrorCode


class DomainsErrorCode(ErrorCode):
    UNKNOWN_DRIVER = "unknown_driver"
    INVALID_SETTINGS = "invalid_settings"
    REGISTRAR_NOT_FOUND = "registrar_not_found"
    TLD_NOT_FOUND = "tld_not_found"
    TLD_EXISTS = "tld_exists"
    TLD_NOT_ACTIVE = "tld_not_active"
    TLD_NOT_SUPPORTED = "tld_not_supported"
    INVALID_DOMAIN_NAME = "invalid_domain_name"
    INVALID_PRICES = "invalid_prices"
    DOMAIN_PLAN_NOT_FOUND = "domain_plan_not_found"
    DOMAIN_NOT_FOUND = "domain_not_found"
    DOMAIN_NOT_ACTIVE = "domain_not_active"
    DOMAIN_EXISTS = "domain_exists"
    INVALID_YEARS = "invalid_years"
    AUTH_CODE_REQUIRED = "auth_code_required"
    PROVIDER_NOT_FOUND = "provider_not_found"
    PROVIDER_IN_USE = "provider_in_use"
    PROVIDER_DISABLED = "provider_disabled"
    CERTIFICATE_PLAN_NOT_FOUND = "certificate_plan_not_found"
    CERTIFICATE_ORDER_NOT_FOUND = "certificate_order_not_found"
    NO_INPUT_EXPECTED = "no_input_expected"
    ANSWER_MISSING = "answer_missing"


class DomainsError(DomainError):
    pass
