"""Resolvers for log-in, sessions, one's own profile and preferences, password reset."""

from __future__ import annotations

from strawberry.types import Info

from comptoir.messaging.templates import SHIPPED_LANGUAGES
from comptoir.schema.accounts import (
    Language,
    PasswordChangeInput,
    PasswordResetConfirmInput,
    PasswordResetRequestInput,
    PasswordResetRequestPayload,
    PreferencesUpdateInput,
    ProfileUpdateInput,
    SellerAccount,
    SellerSettingsUpdateInput,
    SellerSettingsUpdatePayload,
    Session,
    SessionCreateInput,
    SessionCreatePayload,
    SessionRevokeInput,
    SessionRevokePayload,
    User,
    UserPayload,
    Viewer,
)
from comptoir.schema.base import mutate
from comptoir.schema.ids import decode_id
from comptoir.tenancy import accounts, auth, sellers
from comptoir.tenancy import context as tenant
from comptoir.tenancy.models import Seller as SellerModel
from comptoir.tenancy.models import User as UserModel

LANGUAGE_NAMES = {"en": "English", "fr": "Français", "de": "Deutsch", "es": "Español", "ru": "Русский"}


async def me(info: Info) -> User | None:
    context = info.context
    if context.tenant is None or context.tenant.user_id is None:
        return None
    user = await context.run(lambda s: s.get(UserModel, context.tenant.user_id))
    return User.from_model(user) if user else None


async def viewer(info: Info) -> Viewer | None:
    context = info.context
    if context.tenant is None or context.tenant.user_id is None:
        return None

    def load(session):  # type: ignore[no-untyped-def]
        return session.get(UserModel, context.tenant.user_id), session.get(SellerModel, context.tenant.seller_id)

    user, seller = await context.run(load)
    return Viewer(user=User.from_model(user), seller=SellerAccount.from_model(seller))


def languages() -> list[Language]:
    return [Language(code=code, name=LANGUAGE_NAMES[code]) for code in SHIPPED_LANGUAGES]


def themes() -> list[str]:
    return list(accounts.THEMES)


def _user_payload(user: UserModel) -> UserPayload:
    return UserPayload(user=User.from_model(user))


async def session_create(info: Info, input: SessionCreateInput) -> SessionCreatePayload:
    """Log in: a bearer token for the Authorization header."""
    context = info.context

    def logged_in(result: auth.LoginResult) -> SessionCreatePayload:
        context.tenant = tenant.current()
        return SessionCreatePayload(token=result.token, user=User.from_model(result.user))

    return await mutate(
        info, SessionCreatePayload,
        lambda s: auth.log_in(s, username=input.username, password=input.password,
                              client_address=context.client_address, user_agent=context.user_agent,
                              channel=input.channel, panel_hostname=input.hostname or ""),
        logged_in, keep_changes_on_error=True)


async def session_delete(info: Info) -> SessionRevokePayload:
    """Log out: end the session this request came with."""
    context = info.context
    session_id = context.tenant.session_id
    return await mutate(
        info, SessionRevokePayload, lambda s: auth.revoke_session(s, session_id=session_id, user_id=context.user_id),
        lambda ended: SessionRevokePayload(session=Session.from_model(ended, current_id=session_id)))


async def session_revoke(info: Info, input: SessionRevokeInput) -> SessionRevokePayload:
    """End one of one's own sessions (another device)."""
    context = info.context
    return await mutate(
        info, SessionRevokePayload,
        lambda s: auth.revoke_session(s, session_id=decode_id(input.id, "Session"), user_id=context.user_id),
        lambda ended: SessionRevokePayload(session=Session.from_model(ended, current_id=context.tenant.session_id)))


async def password_change(info: Info, input: PasswordChangeInput) -> UserPayload:
    context = info.context
    return await mutate(info, UserPayload, lambda s: auth.change_password(
        s, user_id=context.user_id, session_id=context.tenant.session_id,
        current_password=input.current_password, new_password=input.new_password), _user_payload)


async def profile_update(info: Info, input: ProfileUpdateInput) -> UserPayload:
    context = info.context
    return await mutate(info, UserPayload, lambda s: accounts.update_profile(
        s, user_id=context.user_id, full_name=input.full_name, email=input.email, phone=input.phone,
        country=input.country), _user_payload)


async def preferences_update(info: Info, input: PreferencesUpdateInput) -> UserPayload:
    context = info.context
    return await mutate(info, UserPayload, lambda s: accounts.update_preferences(
        s, user_id=context.user_id, language=input.language, theme=input.theme,
        button_label_length=input.button_label_length), _user_payload)


async def password_reset_request(info: Info, input: PasswordResetRequestInput) -> PasswordResetRequestPayload:
    """Same answer whether or not the username and e-mail matched (no account probing)."""
    context = info.context
    return await mutate(
        info, PasswordResetRequestPayload,
        lambda s: auth.request_password_reset(s, username=input.username, email=input.email,
                                              client_address=context.client_address),
        lambda _: PasswordResetRequestPayload(), keep_changes_on_error=True)


async def password_reset_confirm(info: Info, input: PasswordResetConfirmInput) -> UserPayload:
    return await mutate(
        info, UserPayload, lambda s: auth.confirm_password_reset(s, token=input.token, new_password=input.new_password),
        lambda _: UserPayload(user=None))


async def seller_settings_update(info: Info, input: SellerSettingsUpdateInput) -> SellerSettingsUpdatePayload:
    """Staff change their own seller's settings ("allow multiple sessions")."""
    context = info.context
    return await mutate(info, SellerSettingsUpdatePayload, lambda s: sellers.update_settings(
        s, seller_id=context.tenant.seller_id, allow_multiple_sessions=input.allow_multiple_sessions),
        lambda seller: SellerSettingsUpdatePayload(seller=SellerAccount.from_model(seller)))
