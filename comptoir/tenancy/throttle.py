"""Rate limits on log-in and password-reset attempts, per account and per client address."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.errors import DomainError
from comptoir.settings import get_settings
from comptoir.tenancy.errors import AccountErrorCode


def keys(action: str, username: str, client_address: str) -> tuple[str, str]:
    # The account is keyed by a digest: usernames typed at the log-in form can be arbitrarily long.
    account = hashlib.sha256(username.strip().lower().encode()).hexdigest()
    return f"{action}:account:{account}", f"{action}:address:{client_address[:100]}"


def check(session: Session, *, account_key: str, address_key: str, per_account: int, per_address: int) -> None:
    """Refuse when either key reached its limit within the window."""
    since = clock.now() - timedelta(minutes=get_settings().throttle_window_minutes)
    by_account, by_address = session.execute(
        text("SELECT comptoir_throttle_count(:a, :since), comptoir_throttle_count(:b, :since)"),
        {"since": since, "a": [account_key], "b": [address_key]},
    ).one()
    if by_account >= per_account or by_address >= per_address:
        raise DomainError(AccountErrorCode.RATE_LIMITED, "Too many attempts; try again later.")


def record(session: Session, *keys_: str) -> None:
    session.execute(text("SELECT comptoir_throttle_record(:k, :now)"), {"k": list(keys_), "now": clock.now()})


def clear(session: Session, *keys_: str) -> None:
    session.execute(text("SELECT comptoir_throttle_clear(:k)"), {"k": list(keys_)})
