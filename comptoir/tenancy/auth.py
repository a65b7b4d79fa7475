"""Log-in, sessions and the forgotten-password flow (SPEC §1)."""

from __future__ import annotations

import contextlib
import enum
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.database.engine import apply_context
from comptoir.errors import DomainError
from comptoir.messaging import outbox
from comptoir.settings import get_settings
from comptoir.tenancy import context as tenant
from comptoir.tenancy import throttle
from comptoir.tenancy.context import Role, TenantContext
from comptoir.tenancy.errors import AccountErrorCode
from comptoir.tenancy.models import PasswordReset, Seller, User, UserSession
from comptoir.tenancy.security import hash_password, needs_rehash, new_token, token_digest, verify_password
from comptoir.tenancy.validation import check_new_password


class Channel(enum.Enum):
    """How a session is used: the panel, or the remote API (scripts, integrations). A reseller needs the
    matching permission of its allocation (SPEC §2), checked at log-in and at every use of the token."""

    PANEL = "panel"
    API = "api"


API_TOKEN_PREFIX = "api_"  # part of the hashed token: a client cannot turn a panel token into an API one
CHANNEL_PERMISSION = {Channel.PANEL: "panel_access", Channel.API: "remote_api_access"}


def channel_of(token: str) -> Channel:
    return Channel.API if token.startswith(API_TOKEN_PREFIX) else Channel.PANEL


def reseller_may_use(session: Session, *, seller_id: uuid.UUID, channel: Channel) -> bool:
    """Whether the reseller's allocation grants access through `channel` (read in the reseller's context)."""
    granted = session.execute(
        text("SELECT coalesce((permissions->>:key)::boolean, false) FROM reseller_allocations WHERE seller_id = :s"),
        {"key": CHANNEL_PERMISSION[channel], "s": seller_id}).scalar()
    return bool(granted)


@dataclass(frozen=True)
class LoginResult:
    token: str
    session: UserSession
    user: User


def enter_tenant(session: Session, context: TenantContext | None) -> None:
    """Switch the current transaction (and later ones in this task) to `context`; None leaves it."""
    tenant.set_current(context)
    apply_context(session.connection(), context)


@contextlib.contextmanager
def _acting_for(session: Session, context: TenantContext) -> Iterator[None]:
    """Act for the tenant of a not-yet-authenticated request, then give the transaction back to its caller."""
    previous = tenant.current()
    enter_tenant(session, context)
    try:
        yield
    except BaseException:
        tenant.set_current(previous)  # the rollback that follows undoes the database side
        raise
    enter_tenant(session, previous)


def authenticate(session: Session, *, token: str) -> TenantContext | None:
    """The tenant context of a valid bearer token, stated to the database in one round trip (which also
    reads, in that context, whether a reseller's allocation still grants the token's channel)."""
    row = session.execute(
        text(
            "WITH found AS MATERIALIZED ("
            " SELECT s.session_id, s.user_id, s.seller_id, s.customer_id, s.role,"
            " set_config('comptoir.role', s.role, true), set_config('comptoir.seller_id', s.seller_id::text, true),"
            " set_config('comptoir.customer_id', coalesce(s.customer_id::text, ''), true)"
            " FROM comptoir_session_lookup(:digest, :idle) s)"
            " SELECT f.session_id, f.user_id, f.seller_id, f.customer_id, f.role,"
            " (SELECT coalesce((a.permissions->>:key)::boolean, false) FROM reseller_allocations a"
            " WHERE a.seller_id = f.seller_id) AS channel_granted FROM found f"
        ),
        {"digest": token_digest(token), "idle": get_settings().session_idle_minutes * 60,
         "key": CHANNEL_PERMISSION[channel_of(token)]},
    ).first()
    if row is None:
        return None
    context = TenantContext(Role(row.role), row.seller_id, row.customer_id, row.user_id, row.session_id)
    tenant.set_current(context)
    if context.role is Role.RESELLER and not row.channel_granted:
        enter_tenant(session, None)  # the provider withdrew this access: the token no longer opens anything
        return None
    return context


def log_in(session: Session, *, username: str, password: str, client_address: str = "",
           user_agent: str = "", channel: Channel = Channel.PANEL, panel_hostname: str = "") -> LoginResult:
    """Open a session for valid credentials; failures count towards the log-in rate limits. On a seller's
    custom hostname (`panel_hostname`, a white-label panel) only that seller's users log in."""
    known = throttle.address_known(session, username=username, client_address=client_address)
    limits = throttle.login_limits(username, client_address, known_address=known)
    throttle.acquire(session, limits=limits)
    row = session.execute(text("SELECT * FROM comptoir_login_lookup(:u)"), {"u": username}).first()
    if not verify_password(row.password_hash if row else None, password):
        throttle.record(session, limits=limits)
        raise DomainError(AccountErrorCode.INVALID_CREDENTIALS, "Wrong username or password.")
    throttle.forget(session, limits=limits)
    if panel_hostname and _hostname_seller(session, panel_hostname) != row.seller_id:
        # Answered like a wrong password: the page must not tell whose account exists elsewhere.
        raise DomainError(AccountErrorCode.INVALID_CREDENTIALS, "Wrong username or password.")
    if "suspended" in (row.user_status, row.seller_status) or row.customer_status not in (None, "active"):
        raise DomainError(AccountErrorCode.ACCOUNT_SUSPENDED, "This account is suspended.")
    if row.customer_id is not None and not _has_subscription(session, row.seller_id, row.customer_id):
        raise DomainError(AccountErrorCode.NO_SUBSCRIPTION,
                          "This customer account has no subscription yet, so it cannot log in.")
    previous = tenant.current()
    enter_tenant(session, TenantContext(Role(row.role), row.seller_id, row.customer_id, row.user_id))
    try:
        _check_access(session, role=Role(row.role), seller_id=row.seller_id, customer_id=row.customer_id,
                      channel=channel)
    except DomainError:
        enter_tenant(session, previous)  # a refused log-in leaves the request as anonymous as it came
        raise
    user = session.get_one(User, row.user_id)
    if needs_rehash(user.password_hash):  # the argon2 parameters changed since it was stored
        user.password_hash = hash_password(password)
    return _open_session(session, user=user, client_address=client_address, user_agent=user_agent,
                         channel=channel)


def _check_access(session: Session, *, role: Role, seller_id: uuid.UUID, customer_id: uuid.UUID | None,
                  channel: Channel) -> None:
    """Rules that need the tenant's own rows: a reseller's panel / API permission; a customer whose every
    subscription expired cannot log in (one suspended by billing still can, to pay)."""
    if role is Role.RESELLER and not reseller_may_use(session, seller_id=seller_id, channel=channel):
        code = AccountErrorCode.NO_PANEL_ACCESS if channel is Channel.PANEL else AccountErrorCode.NO_API_ACCESS
        raise DomainError(code, f"Your allocation does not grant {CHANNEL_PERMISSION[channel].replace('_', ' ')}.")
    if customer_id is not None and not _has_unexpired_subscription(session, customer_id):
        raise DomainError(AccountErrorCode.SUBSCRIPTIONS_EXPIRED,
                          "Every subscription of this account has expired, so it cannot log in.")


def _has_unexpired_subscription(session: Session, customer_id: uuid.UUID) -> bool:
    """Read as the customer (its own subscriptions only): one not expired, whatever else suspended it."""
    return bool(session.execute(text(
        "SELECT exists(SELECT 1 FROM subscriptions WHERE customer_id = :c AND suspension_reason <> 'expired'"
        " AND (expiration_date IS NULL OR expiration_date > :today))"),
        {"c": customer_id, "today": clock.today()}).scalar())


def _hostname_seller(session: Session, hostname: str) -> uuid.UUID | None:
    """The seller whose published store answers on `hostname` (migration 0011's look-up)."""
    return session.execute(text("SELECT seller_id FROM comptoir_store_lookup(:h)"),
                           {"h": hostname.strip()[:255]}).scalar()


def _has_subscription(session: Session, seller_id: uuid.UUID, customer_id: uuid.UUID) -> bool:
    """A customer without a subscription cannot log in to the panel (SPEC §4.8)."""
    count = session.execute(text("SELECT comptoir_customer_subscription_count(:s, :c)"),
                            {"s": seller_id, "c": customer_id}).scalar_one()
    return count > 0


def _open_session(session: Session, *, user: User, client_address: str, user_agent: str,
                  channel: Channel = Channel.PANEL) -> LoginResult:
    seller = session.get_one(Seller, user.seller_id)
    if not seller.allow_multiple_sessions:
        revoke_user_sessions(session, user_id=user.id)
    token, digest = new_token()
    if channel is Channel.API:
        token = API_TOKEN_PREFIX + token
        digest = token_digest(token)
    user_session = UserSession(
        seller_id=user.seller_id, user_id=user.id, customer_id=user.customer_id, token_hash=digest,
        client_address=client_address[:100], user_agent=user_agent[:500],
        # The database's clock: the session look-up compares with it (migration 0008).
        expires_at=func.now() + timedelta(hours=get_settings().session_ttl_hours),
    )
    session.add(user_session)
    session.flush()
    context = tenant.current()
    if context is not None:
        tenant.set_current(TenantContext(context.role, context.seller_id, context.customer_id, user.id,
                                         user_session.id))
    return LoginResult(token, user_session, user)


def revoke_user_sessions(session: Session, *, user_id: uuid.UUID, keep: uuid.UUID | None = None) -> int:
    statement = (
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )
    if keep is not None:
        statement = statement.where(UserSession.id != keep)
    return session.execute(statement).rowcount


def revoke_session(session: Session, *, session_id: uuid.UUID, user_id: uuid.UUID) -> UserSession:
    """End one of the user's own sessions (log out, or sign out another device)."""
    user_session = session.scalars(
        select(UserSession).where(UserSession.id == session_id, UserSession.user_id == user_id)
    ).one_or_none()
    if user_session is None:
        raise DomainError(AccountErrorCode.NOT_FOUND, "No such session.", field="id")
    if user_session.revoked_at is None:
        user_session.revoked_at = clock.now()
    return user_session


def list_sessions(session: Session, *, user_id: uuid.UUID) -> list[UserSession]:
    """The user's sessions still usable, by the same rules as the session look-up."""
    statement = select(UserSession).where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None),
                                          UserSession.expires_at > func.now())
    idle_minutes = get_settings().session_idle_minutes
    if idle_minutes:
        statement = statement.where(UserSession.last_seen_at > func.now() - timedelta(minutes=idle_minutes))
    return list(session.scalars(statement.order_by(UserSession.created_at.desc())))


def request_password_reset(session: Session, *, username: str, email: str, client_address: str = "") -> None:
    """E-mail a single-use reset link when username and e-mail match; say nothing either way."""
    settings = get_settings()
    limits = throttle.reset_limits(username, client_address)
    throttle.acquire(session, limits=limits)
    throttle.record(session, limits=limits)
    target = session.execute(
        text("SELECT * FROM comptoir_password_reset_target(:u, :e)"), {"u": username, "e": email}
    ).first()
    if target is None:
        return
    with _acting_for(session, TenantContext(Role.SYSTEM, target.seller_id, None)):
        user = session.get_one(User, target.user_id)
        token, digest = new_token()
        session.add(PasswordReset(
            seller_id=user.seller_id, user_id=user.id, customer_id=user.customer_id, token_hash=digest,
            requested_from=client_address[:100],
            expires_at=func.now() + timedelta(minutes=settings.password_reset_ttl_minutes),
        ))
        outbox.enqueue(
            session=session, seller_id=user.seller_id, customer_id=user.customer_id, to_address=user.email,
            template="password_reset", language=user.locale,
            variables={"name": user.full_name or user.username, "username": user.username,
                       "minutes": settings.password_reset_ttl_minutes,
                       "link": f"{settings.public_url}/reset-password?token={token}"},
        )
        session.flush()


def confirm_password_reset(session: Session, *, token: str, new_password: str) -> User:
    """Set a new password with a reset token; the token then dies, and so do all the user's sessions."""
    found = session.execute(
        text("SELECT * FROM comptoir_password_reset_lookup(:d)"), {"d": token_digest(token)},
    ).first()
    if found is None:
        raise DomainError(AccountErrorCode.INVALID_TOKEN, "This link is invalid or has expired.", field="token")
    with _acting_for(session, TenantContext(Role.SYSTEM, found.seller_id, None)):
        reset = session.scalars(
            select(PasswordReset).where(PasswordReset.id == found.reset_id).with_for_update()
        ).one()
        if reset.used_at is not None:  # lost a race with a concurrent use of the same link
            raise DomainError(AccountErrorCode.INVALID_TOKEN, "This link was already used.", field="token")
        user = session.get_one(User, found.user_id)
        check_new_password(new_password, username=user.username, field="newPassword")
        _set_password(session, user, new_password)
        revoke_user_sessions(session, user_id=user.id)
        session.flush()
    return user


def change_password(session: Session, *, user_id: uuid.UUID, session_id: uuid.UUID | None,
                    current_password: str, new_password: str) -> User:
    """Change one's own password; other sessions of the user end."""
    user = session.get_one(User, user_id)
    if not verify_password(user.password_hash, current_password):
        raise DomainError(AccountErrorCode.WRONG_PASSWORD, "The current password is wrong.",
                          field="currentPassword")
    check_new_password(new_password, username=user.username, field="newPassword")
    _set_password(session, user, new_password)
    revoke_user_sessions(session, user_id=user.id, keep=session_id)
    return user


def _set_password(session: Session, user: User, password: str) -> None:
    """Store the new hash; every reset link still outstanding for the user dies with the old password."""
    user.password_hash = hash_password(password)
    user.password_changed_at = user.updated_at = clock.now()
    session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=clock.now())
    )
