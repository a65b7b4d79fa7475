"""Resolvers for branding, custom buttons and the home-page overview."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import TypeVar

import strawberry
from sqlalchemy.orm import Session
from strawberry.types import Info

from comptoir.errors import DomainError
from comptoir.hosting import branding as branding_service
from comptoir.hosting import custom_buttons as buttons
from comptoir.hosting import images
from comptoir.hosting import overview as overview_service
from comptoir.hosting.models import CustomButton as CustomButtonModel
from comptoir.schema.base import convert_error, run_mutation
from comptoir.schema.branding import (
    Branding,
    BrandingError,
    BrandingErrorCode,
    BrandingPayload,
    BrandingUpdateInput,
    CustomButton,
    CustomButtonCreateInput,
    CustomButtonDeleteInput,
    CustomButtonDeletePayload,
    CustomButtonError,
    CustomButtonErrorCode,
    CustomButtonLocation,
    CustomButtonPayload,
    CustomButtonUpdateInput,
    Overview,
)
from comptoir.schema.context import Context
from comptoir.schema.ids import decode_id, encode_id
from comptoir.tenancy.context import Role
from comptoir.tenancy.models import User as UserModel

T = TypeVar("T")


async def _run(info: Info, work: Callable[[Session], T]) -> T:
    context: Context = info.context
    return await context.run(work)


def _viewer(info: Info) -> buttons.Viewer:
    tenant = info.context.tenant
    return buttons.Viewer(seller_id=tenant.seller_id, user_id=tenant.user_id,
                          customer_id=tenant.customer_id if tenant.role is Role.CUSTOMER else None)


# --- branding ------------------------------------------------------------------------------------------

async def current_branding(info: Info) -> Branding:
    seller_id = info.context.tenant.seller_id
    return await _run(info, lambda s: Branding.from_model(branding_service.get(s, seller_id=seller_id)))


async def _branding_payload(info: Info, work: Callable[[Session], Branding]) -> BrandingPayload:
    result = await run_mutation(info, work)
    if isinstance(result, DomainError):
        return BrandingPayload(errors=[convert_error(result, BrandingError, BrandingErrorCode)])
    return BrandingPayload(branding=result)


async def branding_update(info: Info, input: BrandingUpdateInput) -> BrandingPayload:
    seller_id = info.context.tenant.seller_id
    uploaded = await input.logo.read() if input.logo is not None else None

    def work(session: Session) -> Branding:
        logo = uploaded
        if logo is None and input.logo_base64 is not None:
            logo = images.decode_base64(input.logo_base64, max_bytes=branding_service.MAX_LOGO_BYTES,
                                        field="logoBase64")
        return Branding.from_model(branding_service.update(
            session, seller_id=seller_id, logo=logo, logo_link_url=input.logo_link_url,
            title_text=input.title_text))

    return await _branding_payload(info, work)


async def branding_reset(info: Info) -> BrandingPayload:
    seller_id = info.context.tenant.seller_id
    return await _branding_payload(info, lambda s: Branding.from_model(
        branding_service.reset_logo(s, seller_id=seller_id)))


# --- custom buttons ------------------------------------------------------------------------------------

def build_buttons(session: Session, viewer: buttons.Viewer, found: Sequence[CustomButtonModel],
                  subscription_id: uuid.UUID | None = None) -> list[CustomButton]:
    """Buttons as `viewer` sees them: labels cut to its preference, URLs carrying the selected context."""
    wanted = {buttons.ButtonContext(value) for button in found for value in button.context_parameters}
    values = buttons.context_values(session, viewer=viewer, subscription_id=subscription_id, wanted=wanted)
    label_length = session.get_one(UserModel, viewer.user_id).button_label_length
    return [CustomButton.from_model(button, label_length=label_length,
                                    url=buttons.final_url(button.url, button.context_parameters, values))
            for button in found]


async def visible_custom_buttons(
    info: Info, location: CustomButtonLocation | None = None,  # type: ignore[valid-type]
    subscription_id: strawberry.ID | None = None,
) -> list[CustomButton]:
    viewer = _viewer(info)
    subscription = None if subscription_id is None else decode_id(
        subscription_id, "Subscription", field="subscriptionId")

    def load(session: Session) -> list[CustomButton]:
        found = buttons.list_for(session, viewer=viewer, location=location)
        return build_buttons(session, viewer, found, subscription)

    return await _run(info, load)


async def load_custom_button(info: Info, button_id: uuid.UUID) -> CustomButton | None:
    viewer = _viewer(info)

    def load(session: Session) -> CustomButton | None:
        try:
            button = buttons.get_or_raise(session, viewer=viewer, button_id=button_id)
        except DomainError:
            return None
        return build_buttons(session, viewer, [button])[0]

    return await _run(info, load)


def _button_errors(error: DomainError) -> list[CustomButtonError]:
    return [convert_error(error, CustomButtonError, CustomButtonErrorCode)]


async def _button_payload(info: Info, viewer: buttons.Viewer,
                          work: Callable[[Session], CustomButtonModel]) -> CustomButtonPayload:
    def work_and_build(session: Session) -> CustomButton:
        return build_buttons(session, viewer, [work(session)])[0]

    result = await run_mutation(info, work_and_build)
    if isinstance(result, DomainError):
        return CustomButtonPayload(errors=_button_errors(result))
    return CustomButtonPayload(custom_button=result)


def _image(text: str) -> bytes:
    return images.decode_base64(text, max_bytes=buttons.MAX_IMAGE_BYTES, field="imageBase64")


async def custom_button_create(info: Info, input: CustomButtonCreateInput) -> CustomButtonPayload:
    viewer = _viewer(info)

    def work(session: Session) -> CustomButtonModel:
        image = None if input.image_base64 is None else _image(input.image_base64)
        return buttons.create(session, viewer=viewer, new=buttons.NewButton(
            label=input.label, location=input.location, url=input.url, priority=input.priority,
            tooltip=input.tooltip, open_in_panel=input.open_in_panel,
            visible_only_to_me=input.visible_only_to_me, context=input.context, image=image))

    return await _button_payload(info, viewer, work)


async def custom_button_update(info: Info, input: CustomButtonUpdateInput) -> CustomButtonPayload:
    viewer = _viewer(info)
    new_image = input.image_base64 if isinstance(input.image_base64, str) else None

    def work(session: Session) -> CustomButtonModel:
        return buttons.update(
            session, viewer=viewer, button_id=decode_id(input.id, "CustomButton"), label=input.label,
            location=input.location, url=input.url, priority=input.priority, tooltip=input.tooltip,
            open_in_panel=input.open_in_panel, visible_only_to_me=input.visible_only_to_me,
            context=input.context, image=None if new_image is None else _image(new_image),
            remove_image=input.image_base64 is None)

    return await _button_payload(info, viewer, work)


async def custom_button_delete(info: Info, input: CustomButtonDeleteInput) -> CustomButtonDeletePayload:
    viewer = _viewer(info)
    result = await run_mutation(info, lambda s: buttons.delete(
        s, viewer=viewer, button_id=decode_id(input.id, "CustomButton")))
    if isinstance(result, DomainError):
        return CustomButtonDeletePayload(errors=_button_errors(result))
    return CustomButtonDeletePayload(deleted_id=strawberry.ID(encode_id("CustomButton", result)))


# --- overview ------------------------------------------------------------------------------------------

async def viewer_overview(info: Info) -> Overview:
    tenant = info.context.tenant
    return await _run(info, lambda s: Overview.from_service(overview_service.for_viewer(s, viewer=tenant)))
