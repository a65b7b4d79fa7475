"""One's own account: profile and interface preferences (SPEC §1)."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.errors import DomainError
from comptoir.tenancy.errors import AccountErrorCode
from comptoir.tenancy.models import User
from comptoir.tenancy.validation import check_country, check_email, check_language, check_text

THEMES = ("default", "dark", "high-contrast", "compact")
ELLIPSIS = "…"


def shorten_label(label: str, limit: int) -> str:
    """A UI label cut to `limit` characters, the last one an ellipsis; 0 means no limit."""
    if limit <= 0 or len(label) <= limit:
        return label
    return label[: max(limit - 1, 0)] + ELLIPSIS


def update_profile(session: Session, *, user_id: uuid.UUID, full_name: str | None = None,
                   email: str | None = None, phone: str | None = None, country: str | None = None) -> User:
    user = session.get_one(User, user_id)
    if full_name is not None:
        user.full_name = check_text(full_name, "fullName")
    if email is not None:
        user.email = check_email(email)
    if phone is not None:
        user.phone = check_text(phone, "phone", max_length=64)
    if country is not None:
        user.country = check_country(country)
    user.updated_at = clock.now()
    return user


def update_preferences(session: Session, *, user_id: uuid.UUID, language: str | None = None,
                       theme: str | None = None, button_label_length: int | None = None) -> User:
    user = session.get_one(User, user_id)
    if language is not None:
        user.locale = check_language(language)
    if theme is not None:
        if theme not in THEMES:
            raise DomainError(AccountErrorCode.UNKNOWN_THEME, f"Choose one of: {', '.join(THEMES)}.",
                              field="theme")
        user.theme = theme
    if button_label_length is not None:
        if not 0 <= button_label_length <= 1000:
            raise DomainError(AccountErrorCode.INVALID_LABEL_LENGTH, "Use 0 (no limit) to 1000.",
                              field="buttonLabelLength")
        user.button_label_length = button_label_length
    user.updated_at = clock.now()
    return user
