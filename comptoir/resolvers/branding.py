"""Resolvers for branding, custom buttons and the home-page overview."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Sequence
from typing import TypeVar

import strawberry
from sqlalchemy.orm import Session
from strawberry.types import Info

from comptoir.errors import DomainError, collect_errors
from comptoir.panel import branding as branding_service
from comptoir.panel import custom_buttons as buttons
from comptoir.panel import images
from comptoir.panel import overview as overview_service
from comptoir.panel.models import Branding as BrandingModel
from comptoir.panel.models import CustomButton as CustomButtonModel
from comptoir.schema.base import mutate
from comptoir.schema.branding import (
    Branding,
    BrandingPayload,
    BrandingUpdateInput,
    CustomButton,
    CustomButtonCreateInput,
    CustomButtonDeleteInput,
    CustomButtonDeletePayload,
    CustomButtonLocation,
    CustomButtonPayload,
    CustomButtonUpdateInput,
    Overview,
)
from comptoir.schema.context import Context
from comptoir.schema.dataloaders import Loader
from comptoir.schema.ids import decode_id, encode_id
from comptoir.tenancy.context import Role, TenantContext
from comptoir.tenancy.models import User as UserModel

T = TypeVar("T")


async def _run(info: Info, work: Callable[[Session], T]) -> T:
    context: Context = info.context
    return await context.run(work)


def _viewer(info: Info) -> buttons.Viewer:
    return _viewer_of(info.context.tenant)


def _viewer_of(tenant: TenantContext) -> buttons.Viewer:
    return buttons.Viewer(seller_id=tenant.seller_id, user_id=tenant.user_id,
                          customer_id=tenant.customer_id if tenant.role is Role.CUSTOMER else None)


# --- branding ------------------------------------------------------------------------------------------

async def _branding(row: BrandingModel | None) -> Branding:
    """Reading the stored logo's size walks the whole image: CPU work, kept off the event loop."""
    return await asyncio.to_thread(Branding.from_model, row)


async def current_branding(info: Info) -> Branding:
    seller_id = info.context.tenant.seller_id
    return await _branding(await _run(info, lambda s: branding_service.get(session=s, seller_id=seller_id)))


async def _read_upload(read: Callable[[], images.Image]) -> images.Image | DomainError:
    """Decode and check an uploaded image in a worker thread (only bytes cross threads)."""
    try:
        return await asyncio.to_thread(read)
    except DomainError as error:
        return error


def _with_upload_error(upload: images.Image | DomainError | None, work: Callable[[], T]) -> T:
    """Run `work` (which checks the other fields) and report a refused upload together with its errors."""
    with collect_errors() as errors:
        if isinstance(upload, DomainError):
            errors.add(upload)
        result = work()
    return result


def _logo_upload(text: str) -> images.Image:
    data = images.decode_base64(text, max_bytes=branding_service.MAX_LOGO_BYTES, field="logoBase64")
    return branding_service.read_logo(data)


async def branding_update(info: Info, input: BrandingUpdateInput) -> BrandingPayload:
    seller_id = info.context.tenant.seller_id
    uploaded = await input.logo.read() if input.logo is not None else None
    logo = None
    if uploaded is not None:
        logo = await _read_upload(lambda: branding_service.read_logo(uploaded))
    elif input.logo_base64 is not None:
        logo = await _read_upload(lambda: _logo_upload(input.logo_base64))

    def work(session: Session) -> BrandingModel:
        return _with_upload_error(logo, lambda: branding_service.update(
            session=session, seller_id=seller_id, logo=logo if isinstance(logo, images.Image) else None,
            logo_link_url=input.logo_link_url, title_text=input.title_text))

    async def done(row: BrandingModel) -> BrandingPayload:
        return BrandingPayload(branding=await _branding(row))

    return await mutate(info, BrandingPayload, work, done)


async def branding_reset(info: Info) -> BrandingPayload:
    seller_id = info.context.tenant.seller_id

    async def done(row: BrandingModel | None) -> BrandingPayload:
        return BrandingPayload(branding=await _branding(row))

    return await mutate(info, BrandingPayload, lambda s: branding_service.reset_logo(session=s, seller_id=seller_id), done)


# --- custom buttons ------------------------------------------------------------------------------------

def build_buttons(session: Session, viewer: buttons.Viewer, found: Sequence[CustomButtonModel],
                  subscription_id: uuid.UUID | None = None) -> list[CustomButton]:
    """Buttons as `viewer` sees them: labels cut to its preference, URLs carrying the selected context."""
    wanted = {buttons.ButtonContext(value) for button in found for value in button.context_parameters}
    values = buttons.context_values(session=session, viewer=viewer, subscription_id=subscription_id, wanted=wanted)
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
        found = buttons.list_for(session=session, viewer=viewer, location=location)
        return build_buttons(session, viewer, found, subscription)

    return await _run(info, load)


class CustomButtonLoader(Loader[uuid.UUID, "CustomButton | None"]):
    """Buttons by id as the operation's viewer sees them (None: not visible to it), built for the whole batch."""

    def fetch(self, session: Session, keys: list[uuid.UUID]) -> list[CustomButton | None]:
        assert self.context.tenant is not None
        viewer = _viewer_of(self.context.tenant)
        found = buttons.list_by_ids(session=session, viewer=viewer, button_ids=keys)
        built = dict(zip((button.id for button in found), build_buttons(session, viewer, found), strict=True))
        return [built.get(k) for k in keys]


async def load_custom_button(info: Info, button_id: uuid.UUID) -> CustomButton | None:
    return await info.context.loaders.extra("custom_buttons", CustomButtonLoader).load(  # type: ignore[no-any-return]
        button_id)


async def _button_payload(info: Info, viewer: buttons.Viewer,
                          work: Callable[[Session], CustomButtonModel]) -> CustomButtonPayload:
    return await mutate(info, CustomButtonPayload, lambda s: build_buttons(s, viewer, [work(s)])[0],
                        lambda button: CustomButtonPayload(custom_button=button))


def _icon_upload(text: str) -> images.Image:
    return buttons.read_icon_upload(images.decode_base64(text, max_bytes=buttons.MAX_IMAGE_BYTES,
                                                         field="imageBase64"))


async def custom_button_create(info: Info, input: CustomButtonCreateInput) -> CustomButtonPayload:
    viewer = _viewer(info)
    image = None if input.image_base64 is None else await _read_upload(lambda: _icon_upload(input.image_base64))

    def work(session: Session) -> CustomButtonModel:
        return _with_upload_error(image, lambda: buttons.create(session=session, viewer=viewer, new=buttons.NewButton(
            label=input.label, location=input.location, url=input.url, priority=input.priority,
            tooltip=input.tooltip, open_in_panel=input.open_in_panel,
            visible_only_to_me=input.visible_only_to_me, context=input.context,
            image=image if isinstance(image, images.Image) else None)))

    return await _button_payload(info, viewer, work)


async def custom_button_update(info: Info, input: CustomButtonUpdateInput) -> CustomButtonPayload:
    viewer = _viewer(info)
    new_image = input.image_base64 if isinstance(input.image_base64, str) else None
    image = None if new_image is None else await _read_upload(lambda: _icon_upload(new_image))

    def work(session: Session) -> CustomButtonModel:
        return _with_upload_error(image, lambda: buttons.update(
            session=session, viewer=viewer, button_id=decode_id(input.id, "CustomButton"), label=input.label,
            location=input.location, url=input.url, priority=input.priority, tooltip=input.tooltip,
            open_in_panel=input.open_in_panel, visible_only_to_me=input.visible_only_to_me,
            context=input.context, image=image if isinstance(image, images.Image) else None,
            remove_image=input.image_base64 is None))

    return await _button_payload(info, viewer, work)


async def custom_button_delete(info: Info, input: CustomButtonDeleteInput) -> CustomButtonDeletePayload:
    viewer = _viewer(info)
    return await mutate(
        info, CustomButtonDeletePayload,
        lambda s: buttons.delete(session=s, viewer=viewer, button_id=decode_id(input.id, "CustomButton")),
        lambda deleted: CustomButtonDeletePayload(deleted_id=strawberry.ID(encode_id("CustomButton", deleted))))


# --- overview ------------------------------------------------------------------------------------------

async def viewer_overview(info: Info) -> Overview:
    tenant = info.context.tenant
    return await _run(info, lambda s: Overview.from_service(overview_service.for_viewer(session=s, viewer=tenant)))
