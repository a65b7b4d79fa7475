"""A seller's custom buttons: where each appears, in what order, to whom, and what URL it opens (SPEC §1)."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit, urlunsplit

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.errors import DomainError, ErrorCode, collect_errors
from comptoir.hosting.links import check_web_url
from comptoir.hosting.models import Subscription
from comptoir.panel import images
from comptoir.panel.models import CustomButton
from comptoir.security import secrets
from comptoir.tenancy.models import Customer

MAX_IMAGE_BYTES = 100 * 1024
MAX_LABEL_LENGTH = 255
MAX_TOOLTIP_LENGTH = 1000
DEFAULT_PRIORITY = 100
MIN_PRIORITY, MAX_PRIORITY = -(2**31), 2**31 - 1


class ButtonLocation(enum.Enum):
    SELLER_HOME = "seller_home"
    CUSTOMER_HOME = "customer_home"
    CUSTOMER_WEBSITES = "customer_websites"
    COMMON = "common"  # the navigation pane, shown to staff and customers alike


CUSTOMER_LOCATIONS = frozenset({ButtonLocation.CUSTOMER_HOME, ButtonLocation.CUSTOMER_WEBSITES,
                                ButtonLocation.COMMON})


class ButtonContext(enum.Enum):
    """What a button may append to its URL; the value is the query parameter's name."""

    SUBSCRIPTION_ID = "subscription_id"
    DOMAIN_NAME = "domain_name"
    FTP_LOGIN = "ftp_login"
    FTP_PASSWORD = "ftp_password"
    CUSTOMER_ID = "customer_id"
    CUSTOMER_NAME = "customer_name"
    CUSTOMER_EMAIL = "customer_email"
    CUSTOMER_COMPANY = "customer_company"


SUBSCRIPTION_CONTEXT = frozenset({ButtonContext.SUBSCRIPTION_ID, ButtonContext.DOMAIN_NAME,
                                  ButtonContext.FTP_LOGIN, ButtonContext.FTP_PASSWORD})
CUSTOMER_CONTEXT = frozenset(ButtonContext) - SUBSCRIPTION_CONTEXT


class CustomButtonErrorCode(ErrorCode):
    NOT_FOUND = "not_found"
    INVALID_LABEL = "invalid_label"
    INVALID_URL = "invalid_url"
    INVALID_TOOLTIP = "invalid_tooltip"
    INVALID_PRIORITY = "invalid_priority"
    WRONG_IMAGE_SIZE = "wrong_image_size"
    SUBSCRIPTION_NOT_FOUND = "subscription_not_found"


E = CustomButtonErrorCode


@dataclass(frozen=True)
class Viewer:
    """Who looks at (or manages) buttons; a customer viewer carries its customer id."""

    seller_id: uuid.UUID
    user_id: uuid.UUID
    customer_id: uuid.UUID | None = None

    @property
    def is_customer(self) -> bool:
        return self.customer_id is not None


@dataclass(frozen=True)
class NewButton:
    label: str
    location: ButtonLocation
    url: str
    priority: int = DEFAULT_PRIORITY
    tooltip: str = ""
    open_in_panel: bool = False
    visible_only_to_me: bool = False
    context: Sequence[ButtonContext] = field(default_factory=tuple)
    image: bytes | images.Image | None = None


def icon_size(location: ButtonLocation) -> int:
    """Background images are 16×16 in the navigation pane, 32×32 on pages."""
    return 16 if location is ButtonLocation.COMMON else 32


def image_of(button: CustomButton) -> images.Image | None:
    if button.image is None:
        return None
    # Checked when uploaded (and again when the button moves): its size is its location's, no need to
    # walk the bytes again on every read, on the event loop.
    side = icon_size(ButtonLocation(button.location))
    return images.Image(images.ImageFormat(button.image_content_type), side, side, button.image)


def read_icon_upload(data: bytes) -> images.Image:
    """An uploaded button image, read (CPU work: callers on the event loop run it in a thread)."""
    return images.read_image(data, max_bytes=MAX_IMAGE_BYTES, field="imageBase64")


def _read_icon(data: bytes | images.Image, location: ButtonLocation) -> images.Image:
    image = data if isinstance(data, images.Image) else read_icon_upload(data)
    _check_icon(image, location, field="imageBase64")
    return image


def _check_icon(image: images.Image, location: ButtonLocation, *, field: str) -> None:
    side = icon_size(location)
    if (image.width, image.height) != (side, side):
        raise DomainError(E.WRONG_IMAGE_SIZE, f"A {location.name} button image must be {side}×{side} pixels;"
                          f" this one is {image.width}×{image.height}.", field=field)


def _check_label(label: str) -> str:
    label = label.strip()
    if not 1 <= len(label) <= MAX_LABEL_LENGTH:
        raise DomainError(E.INVALID_LABEL, f"Give a label of 1 to {MAX_LABEL_LENGTH} characters.",
                          field="label")
    return label


def _check_tooltip(tooltip: str) -> str:
    tooltip = tooltip.strip()
    if len(tooltip) > MAX_TOOLTIP_LENGTH:
        raise DomainError(E.INVALID_TOOLTIP, f"Use at most {MAX_TOOLTIP_LENGTH} characters.", field="tooltip")
    return tooltip


def _check_priority(priority: int) -> int:
    if not MIN_PRIORITY <= priority <= MAX_PRIORITY:
        raise DomainError(E.INVALID_PRIORITY, "Use a whole number that fits in 32 bits.", field="priority")
    return priority


def _check_url(url: str) -> str:
    return check_web_url(url, code=E.INVALID_URL, field="url")


def _stored_context(context: Sequence[ButtonContext]) -> list[str]:
    return list(dict.fromkeys(item.value for item in context))


def create(*, session: Session, viewer: Viewer, new: NewButton) -> CustomButton:
    """Add a button owned by the creating staff user; every refused field is reported at once."""
    with collect_errors() as errors:
        image = None if new.image is None else errors.check(lambda: _read_icon(new.image, new.location))
        label = errors.check(lambda: _check_label(new.label))
        priority = errors.check(lambda: _check_priority(new.priority))
        url = errors.check(lambda: _check_url(new.url))
        tooltip = errors.check(lambda: _check_tooltip(new.tooltip))
    button = CustomButton(
        seller_id=viewer.seller_id, owner_user_id=viewer.user_id, label=label,
        location=new.location.value, priority=priority, url=url,
        tooltip=tooltip, open_in_panel=new.open_in_panel,
        visible_only_to_me=new.visible_only_to_me, context_parameters=_stored_context(new.context),
        image=image.data if image else None, image_content_type=image.content_type if image else "",
        created_at=clock.now(),
    )
    session.add(button)
    session.flush()
    return button


def _visible(viewer: Viewer) -> Select[CustomButton]:
    """What `viewer` may see: its seller's buttons minus others' private ones; customers: their places."""
    statement = select(CustomButton).where(
        CustomButton.seller_id == viewer.seller_id,
        or_(CustomButton.visible_only_to_me.is_(False), CustomButton.owner_user_id == viewer.user_id),
    )
    if viewer.is_customer:
        statement = statement.where(CustomButton.location.in_([place.value for place in CUSTOMER_LOCATIONS]))
    return statement


def get_or_raise(*, session: Session, viewer: Viewer, button_id: uuid.UUID, for_update: bool = False
                 ) -> CustomButton:
    statement = _visible(viewer).where(CustomButton.id == button_id)
    if for_update:
        statement = statement.with_for_update()
    button = session.scalars(statement).one_or_none()
    if button is None:
        raise DomainError(E.NOT_FOUND, "No such custom button.", field="id")
    return button


def list_by_ids(*, session: Session, viewer: Viewer, button_ids: Sequence[uuid.UUID]) -> list[CustomButton]:
    """Those of the buttons `button_ids` that `viewer` sees (the others are left out)."""
    return list(session.scalars(_visible(viewer).where(CustomButton.id.in_(button_ids))))


def list_for(*, session: Session, viewer: Viewer, location: ButtonLocation | None = None
             ) -> list[CustomButton]:
    """The buttons `viewer` sees at `location` (everywhere if None): lower priority first, then oldest."""
    statement = _visible(viewer)
    if location is not None:
        statement = statement.where(CustomButton.location == location.value)
    return list(session.scalars(statement.order_by(
        CustomButton.priority, CustomButton.created_at, CustomButton.id)))


def update(*, session: Session, viewer: Viewer, button_id: uuid.UUID, label: str | None = None,
           location: ButtonLocation | None = None, url: str | None = None, priority: int | None = None,
           tooltip: str | None = None, open_in_panel: bool | None = None,
           visible_only_to_me: bool | None = None, context: Sequence[ButtonContext] | None = None,
           image: bytes | images.Image | None = None, remove_image: bool = False) -> CustomButton:
    """Change what is given; a new place re-checks the kept image's size. Any refusal changes nothing."""
    button = get_or_raise(session=session, viewer=viewer, button_id=button_id, for_update=True)
    place = location or ButtonLocation(button.location)
    changes: dict[str, object] = {}
    with collect_errors() as errors:
        checks = {"label": (label, _check_label), "url": (url, _check_url), "priority": (priority, _check_priority),
                  "tooltip": (tooltip, _check_tooltip)}
        for name, (value, check) in checks.items():
            if value is not None:
                changes[name] = errors.check(lambda c=check, v=value: c(v))  # type: ignore[misc]
        if image is not None:
            new_image = errors.check(lambda: _read_icon(image, place))
            if new_image is not None:
                changes.update(image=new_image.data, image_content_type=new_image.content_type)
        elif remove_image:
            changes.update(image=None, image_content_type="")
        elif location is not None and (kept := image_of(button)) is not None:
            errors.check(lambda: _check_icon(kept, place, field="location"))
    if location is not None:
        changes["location"] = location.value
    if open_in_panel is not None:
        changes["open_in_panel"] = open_in_panel
    if visible_only_to_me is not None:
        changes["visible_only_to_me"] = visible_only_to_me
    if context is not None:
        changes["context_parameters"] = _stored_context(context)
    for name, value in changes.items():
        setattr(button, name, value)
    session.flush()
    return button


def delete(*, session: Session, viewer: Viewer, button_id: uuid.UUID) -> uuid.UUID:
    session.delete(get_or_raise(session=session, viewer=viewer, button_id=button_id, for_update=True))
    session.flush()
    return button_id


def context_values(*, session: Session, viewer: Viewer, subscription_id: uuid.UUID | None,
                   wanted: Collection[ButtonContext]) -> dict[ButtonContext, str]:
    """The values `wanted` for this viewer: subscription details from `subscription_id` (read under RLS), the
    customer's from the viewer's own record, or for staff from the subscription's owner."""
    values: dict[ButtonContext, str] = {}
    subscription = _subscription(session, viewer, subscription_id) if subscription_id is not None else None
    if subscription is not None:
        values |= {
            ButtonContext.SUBSCRIPTION_ID: str(subscription.id),
            ButtonContext.DOMAIN_NAME: subscription.domain_name,
            ButtonContext.FTP_LOGIN: subscription.system_login,
        }
        if ButtonContext.FTP_PASSWORD in wanted and (password := _system_password(subscription)) is not None:
            values[ButtonContext.FTP_PASSWORD] = password
    customer_id = viewer.customer_id or (subscription.customer_id if subscription else None)
    if customer_id is not None and CUSTOMER_CONTEXT & set(wanted):
        customer = session.get(Customer, customer_id)
        if customer is not None:
            values |= {
                ButtonContext.CUSTOMER_ID: str(customer.id),
                ButtonContext.CUSTOMER_NAME: customer.contact_name,
                ButtonContext.CUSTOMER_EMAIL: customer.email,
                ButtonContext.CUSTOMER_COMPANY: customer.company_name,
            }
    return {item: value for item, value in values.items() if item in wanted}


def _subscription(session: Session, viewer: Viewer, subscription_id: uuid.UUID) -> Subscription:
    subscription = session.scalars(select(Subscription).where(
        Subscription.id == subscription_id, Subscription.seller_id == viewer.seller_id)).one_or_none()
    if subscription is None:
        raise DomainError(E.SUBSCRIPTION_NOT_FOUND, "No such subscription.", field="subscriptionId")
    return subscription


def _system_password(subscription: Subscription) -> str | None:
    """The subscription's FTP password; None while the seller's passphrase locks it (the button goes without)."""
    if not subscription.system_password:
        return ""
    try:
        return secrets.unseal(subscription.system_password)
    except secrets.PassphraseRequired:
        return None


def final_url(url: str, selected: Sequence[str], values: Mapping[ButtonContext, str]) -> str:
    """The button's URL with each selected context value that is known appended as a query parameter."""
    pairs = [(item.value, values[item]) for item in map(ButtonContext, selected) if item in values]
    if not pairs:
        return url
    parts = urlsplit(url)
    query = "&".join(part for part in (parts.query, urlencode(pairs)) if part)
    return urlunsplit(parts._replace(query=query))
