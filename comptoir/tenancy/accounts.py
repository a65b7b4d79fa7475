"""One's own account: profile and interface preferences (SPEC §1)."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.errors import DomainError, collect_errors
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
    """Change what is given; every refused field is reported at once and nothing changes."""
    user = session.get_one(User, user_id)
    checks = {"full_name": (full_name, lambda v: check_text(v, "fullName")), "email": (email, check_email),
              "phone": (phone, lambda v: check_text(v, "phone", max_length=64)), "country": (country, check_country)}
    with collect_errors() as errors:
        checked = {name: errors.check(lambda c=check, v=value: c(v)) for name, (value, check) in checks.items()
                   if value is not None}
    for name, value in checked.items():
        setattr(user, name, value)
    user.updated_at = clock.now()
    return user


def update_preferences(session: Session, *, user_id: uuid.UUID, language: str | None = None,
                       theme: str | None = None, button_label_length: int | None = None) -> User:
    user = session.get_one(User, user_id)
    with collect_errors() as errors:
        if language is not None:
            errors.check(lambda: check_language(language))
        if theme is not None and theme not in THEMES:
            errors.add(DomainError(AccountErrorCode.UNKNOWN_THEME, f"Choose one of: {', '.join(THEMES)}.",
                                   field="theme"))
        if button_label_length is not None and not 0 <= button_label_length <= 1000:
            errors.add(DomainError(AccountErrorCode.INVALID_LABEL_LENGTH, "Use 0 (no limit) to 1000.",
                                   field="buttonLabelLength"))
    if language is not None:
        user.locale = language
    if theme is not None:
        user.theme = theme
    if button_label_length is not None:
        user.button_label_length = button_label_length
    user.updated_at = clock.now()
    return user
