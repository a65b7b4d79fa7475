"""Field checks shared by accounts, resellers and customers."""

from __future__ import annotations

import re

from comptoir.errors import DomainError
from comptoir.tenancy.errors import AccountErrorCode
from comptoir.tenancy.security import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
COUNTRY = re.compile(r"^([A-Z]{2})?$")


def check_username(username: str, field: str = "username") -> str:
    if not USERNAME.match(username):
        raise DomainError(AccountErrorCode.INVALID_USERNAME,
                          "Use 1–64 letters, digits, dots, dashes, underscores or @.", field=field)
    return username


def check_email(email: str, field: str = "email") -> str:
    email = email.strip()
    if len(email) > 254 or not EMAIL.match(email):
        raise DomainError(AccountErrorCode.INVALID_EMAIL, "Not a valid e-mail address.", field=field)
    return email


def check_country(country: str, field: str = "country") -> str:
    country = country.strip().upper()
    if not COUNTRY.match(country):
        raise DomainError(AccountErrorCode.INVALID_COUNTRY, "Use an ISO 3166 two-letter code.", field=field)
    return country


def check_new_password(password: str, *, username: str, field: str = "password") -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(AccountErrorCode.PASSWORD_TOO_SHORT,
                          f"Use at least {MIN_PASSWORD_LENGTH} characters.", field=field)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise DomainError(AccountErrorCode.PASSWORD_TOO_LONG, "Password is too long.", field=field)
    if password.lower() == username.lower():
        raise DomainError(AccountErrorCode.PASSWORD_SAME_AS_USERNAME,
                          "The password must differ from the username.", field=field)
    return password
