"""Users of every role: one username per person across the whole instance, whatever the tenant."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from comptoir.errors import DomainError
from comptoir.tenancy.errors import ValidationErrorCode
from comptoir.tenancy.models import User

# Raised by the users_username_unique trigger (migration 0001): the app cannot see other tenants' users.
USERNAME_CONSTRAINT = "users_username_unique"


def add(session: Session, user: User, *, field: str = "username") -> User:
    """Insert a user; a username already taken anywhere (in any letter case) is a typed error."""
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError as error:
        if getattr(getattr(error.orig, "diag", None), "constraint_name", None) != USERNAME_CONSTRAINT:
            raise
        raise DomainError(ValidationErrorCode.USERNAME_TAKEN, "This username is already taken.", field=field) from None
    return user
