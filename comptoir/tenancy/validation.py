"""Field checks shared by accounts, resellers and customers."""

from __future__ import annotations

import re

from babel import Locale

from comptoir.errors import DomainError
from comptoir.messaging.templates import SHIPPED_LANGUAGES
from comptoir.tenancy.errors import ValidationErrorCode
from comptoir.tenancy.security import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
# CLDR's two-letter territories minus its non-ISO ones; XK (Kosovo) stays, as the EU uses it.
_NOT_ISO_3166 = {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "ZZ"}
COUNTRIES = frozenset(
    code for code in Locale("en").territories if len(code) == 2 and code.isalpha() and code not in _NOT_ISO_3166
)


def check_username(username: str, field: str = "username") -> str:
    if not USERNAME.match(username):
        raise DomainError(ValidationErrorCode.INVALID_USERNAME,
                          "Use 1–64 letters, digits, dots, dashes, underscores or @.", field=field)
    return username


def check_email(email: str, field: str = "email") -> str:
    email = email.strip()
    if len(email) > 254 or not EMAIL.match(email):
        raise DomainError(ValidationErrorCode.INVALID_EMAIL, "Not a valid e-mail address.", field=field)
    return email


def check_country(country: str, field: str = "country") -> str:
    """An ISO 3166-1 alpha-2 code, upper-cased; empty means not given."""
    country = country.strip().upper()
    if country and country not in COUNTRIES:
        raise DomainError(ValidationErrorCode.INVALID_COUNTRY, "Use an ISO 3166 two-letter code.", field=field)
    return country


def check_language(language: str, field: str = "language") -> str:
    """One of the locales the system ships (SPEC §1: interface language)."""
    if language not in SHIPPED_LANGUAGES:
        raise DomainError(ValidationErrorCode.UNSUPPORTED_LANGUAGE, f"Choose one of: {', '.join(SHIPPED_LANGUAGES)}.",
                          field=field)
    return language


def check_new_password(password: str, *, username: str, field: str = "password") -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(ValidationErrorCode.PASSWORD_TOO_SHORT,
                          f"Use at least {MIN_PASSWORD_LENGTH} characters.", field=field)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise DomainError(ValidationErrorCode.PASSWORD_TOO_LONG, "Password is too long.", field=field)
    if password.lower() == username.lower():
        raise DomainError(ValidationErrorCode.PASSWORD_SAME_AS_USERNAME,
                          "The password must differ from the username.", field=field)
    return password


def check_text(value: str, field: str, *, max_length: int = 255) -> str:
    """A short free-text field (names, company, phone): trimmed, and refused when too long."""
    from comptoir.errors import CommonErrorCode

    value = value.strip()
    if len(value) > max_length or "\x00" in value:
        raise DomainError(CommonErrorCode.TOO_LONG, f"Use at most {max_length} characters.", field=field)
    return value
