"""Rate limits on log-in and password-reset attempts.

Log-in failures count three ways: per account and client address (the tight limit, so that failures
from one address lock that address out of the account, not the account's owner elsewhere), per
account from anywhere (a looser limit on distributed guessing, not applied from an address the user
logged in from lately) and per address whatever the account. `acquire` evaluates the limits under
locks held until the attempt's transaction ends (migration 0008): parallel attempts are counted one
after the other, never beyond a limit.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from comptoir.errors import DomainError
from comptoir.settings import get_settings
from comptoir.tenancy.errors import AccountErrorCode

# A client can pick any address of its IPv6 network: the network is what an address limit counts.
IPV6_PREFIX = 64


@dataclass(frozen=True)
class Limit:
    key: str
    attempts: int
    window: timedelta


@dataclass(frozen=True)
class Limits:
    """The limits of one attempt: `checked` before it, `counted` when it fails, `forgotten_on_success`."""

    checked: Sequence[Limit]
    counted: Sequence[Limit]
    forgotten_on_success: Sequence[Limit] = ()


def login_limits(username: str, client_address: str, *, known_address: bool) -> Limits:
    """`known_address`: the user logged in from this address lately; the account-wide limit is not its."""
    settings = get_settings()
    window = timedelta(minutes=settings.throttle_window_minutes)
    account, address = _account(username), _network(client_address)
    pair = Limit(f"login:pair:{account}:{address}", settings.login_failures_per_account_and_address, window)
    by_account = Limit(f"login:account:{account}", settings.login_failures_per_account, window)
    by_address = Limit(f"login:address:{address}", settings.login_failures_per_address, window)
    return Limits(checked=[pair, by_address] if known_address else [pair, by_account, by_address],
                  counted=[pair, by_account, by_address], forgotten_on_success=[pair])


def address_known(session: Session, *, username: str, client_address: str) -> bool:
    return bool(client_address) and session.execute(
        text("SELECT comptoir_login_address_known(:u, :a)"), {"u": username, "a": client_address[:100]}
    ).scalar_one()


def reset_limits(username: str, client_address: str) -> Limits:
    settings = get_settings()
    window = timedelta(minutes=settings.throttle_window_minutes)
    limits = [Limit(f"reset:account:{_account(username)}", settings.password_resets_per_account, window),
              Limit(f"reset:address:{_network(client_address)}", settings.password_resets_per_address, window)]
    return Limits(checked=limits, counted=limits)


def acquire(session: Session, *, limits: Limits) -> None:
    """Refuse when a limit is reached; otherwise hold its keys until this transaction ends."""
    allowed = session.execute(
        text("SELECT comptoir_throttle_acquire(:keys, :limits, :windows)"),
        {"keys": [limit.key for limit in limits.checked], "limits": [limit.attempts for limit in limits.checked],
         "windows": [int(limit.window.total_seconds()) for limit in limits.checked]},
    ).scalar_one()
    if not allowed:
        raise DomainError(AccountErrorCode.RATE_LIMITED, "Too many attempts; try again later.")


def record(session: Session, *, limits: Limits) -> None:
    session.execute(text("SELECT comptoir_throttle_record(:keys)"), {"keys": [limit.key for limit in limits.counted]})


def forget(session: Session, *, limits: Limits) -> None:
    if limits.forgotten_on_success:
        session.execute(text("SELECT comptoir_throttle_clear(:keys)"),
                        {"keys": [limit.key for limit in limits.forgotten_on_success]})


def _account(username: str) -> str:
    # A digest: usernames typed at the log-in form can be arbitrarily long.
    return hashlib.sha256(username.strip().lower().encode()).hexdigest()


def _network(client_address: str) -> str:
    try:
        address = ipaddress.ip_address(client_address)
    except ValueError:
        return client_address[:100]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/{IPV6_PREFIX}", strict=False))
    return str(address)
