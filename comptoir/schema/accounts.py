"""GraphQL types of accounts: users, the viewer, sessions, preferences, and their payloads."""

from __future__ import annotations

import enum
from datetime import datetime

import strawberry

from comptoir.schema.base import Node, UserError, error_code_enum
from comptoir.schema.ids import encode_id
from comptoir.tenancy import auth
from comptoir.tenancy.accounts import shorten_label
from comptoir.tenancy.errors import AccountErrorCode as _AccountErrorCode
from comptoir.tenancy.errors import ValidationErrorCode
from comptoir.tenancy.models import Seller as SellerModel
from comptoir.tenancy.models import User as UserModel
from comptoir.tenancy.models import UserSession as SessionModel


@strawberry.enum
class UserRole(enum.Enum):
    PROVIDER = "provider"
    RESELLER = "reseller"
    CUSTOMER = "customer"


AccountErrorCode = error_code_enum("AccountErrorCode", _AccountErrorCode, ValidationErrorCode)


@strawberry.type
class AccountError(UserError):
    code: AccountErrorCode  # type: ignore[valid-type]


@strawberry.type
class User(Node):
    username: str
    email: str
    full_name: str
    phone: str
    country: str
    role: UserRole
    language: str
    theme: str
    button_label_length: int = strawberry.field(
        description="UI labels longer than this are shortened with an ellipsis; 0 means no limit.")
    created_at: datetime

    @strawberry.field(description="A UI label as this user's preferences would show it.")
    def ui_label(self, text: str) -> str:
        return shorten_label(text, self.button_label_length)

    @classmethod
    def from_model(cls, user: UserModel) -> User:
        return cls(
            id=strawberry.ID(encode_id("User", user.id)), username=user.username, email=user.email,
            full_name=user.full_name, phone=user.phone, country=user.country, role=UserRole(user.role),
            language=user.locale, theme=user.theme, button_label_length=user.button_label_length,
            created_at=user.created_at,
        )


@strawberry.type
class Session(Node):
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    client_address: str
    user_agent: str
    current: bool

    @classmethod
    def from_model(cls, session: SessionModel, *, current_id: object = None) -> Session:
        return cls(
            id=strawberry.ID(encode_id("Session", session.id)), created_at=session.created_at,
            last_seen_at=session.last_seen_at, expires_at=session.expires_at,
            client_address=session.client_address, user_agent=session.user_agent,
            current=session.id == current_id,
        )


@strawberry.type(description="The seller (provider or reseller) the viewer belongs to.")
class SellerAccount(Node):
    name: str
    is_provider: bool
    allow_multiple_sessions: bool

    @classmethod
    def from_model(cls, seller: SellerModel) -> SellerAccount:
        return cls(id=strawberry.ID(encode_id("SellerAccount", seller.id)), name=seller.name,
                   is_provider=seller.is_provider, allow_multiple_sessions=seller.allow_multiple_sessions)


@strawberry.type(description="Who is asking: the logged-in user, its seller, its open sessions.")
class Viewer:
    user: User
    seller: SellerAccount

    @strawberry.field
    async def sessions(self, info: strawberry.Info) -> list[Session]:
        context = info.context
        rows = await context.run(lambda s: auth.list_sessions(s, user_id=context.user_id))
        return [Session.from_model(row, current_id=context.tenant.session_id) for row in rows]


@strawberry.type
class Language:
    code: str
    name: str


SessionChannel = strawberry.enum(auth.Channel, name="SessionChannel",
                                 description="The panel, or the remote API; a reseller needs the matching permission.")


@strawberry.input
class SessionCreateInput:
    username: str
    password: str
    channel: SessionChannel = strawberry.field(  # type: ignore[valid-type]
        default=auth.Channel.PANEL, description="API: a token for scripts (remote API access).")
    hostname: str | None = strawberry.field(
        default=None, description="Logging in on a seller's custom hostname (white-label panel): only that "
                                  "seller's users may.")


@strawberry.type
class SessionCreatePayload:
    token: str | None = None
    user: User | None = None
    errors: list[AccountError] = strawberry.field(default_factory=list)


@strawberry.input
class SessionRevokeInput:
    id: strawberry.ID


@strawberry.type
class SessionRevokePayload:
    session: Session | None = None
    errors: list[AccountError] = strawberry.field(default_factory=list)


@strawberry.input
class PasswordChangeInput:
    current_password: str
    new_password: str


@strawberry.type
class UserPayload:
    user: User | None = None
    errors: list[AccountError] = strawberry.field(default_factory=list)


@strawberry.input
class ProfileUpdateInput:
    full_name: str | None = None
    email: str | None = None
    phone: str | None = None
    country: str | None = None


@strawberry.input
class PreferencesUpdateInput:
    language: str | None = None
    theme: str | None = None
    button_label_length: int | None = None


@strawberry.input
class PasswordResetRequestInput:
    username: str
    email: str


@strawberry.type
class PasswordResetRequestPayload:
    message: str = "If the username and e-mail match an account, a reset link is on its way."
    errors: list[AccountError] = strawberry.field(default_factory=list)


@strawberry.input
class PasswordResetConfirmInput:
    token: str
    new_password: str


@strawberry.input
class SellerSettingsUpdateInput:
    allow_multiple_sessions: bool | None = None


@strawberry.type
class SellerSettingsUpdatePayload:
    seller: SellerAccount | None = None
    errors: list[AccountError] = strawberry.field(default_factory=list)
