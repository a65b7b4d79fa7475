"""GraphQL types of branding, custom buttons and the home-page overview (SPEC §1)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.file_uploads import Upload

from comptoir.panel import branding as branding_service
from comptoir.panel import custom_buttons as buttons
from comptoir.panel import images
from comptoir.panel import overview as overview_service
from comptoir.panel.models import Branding as BrandingModel
from comptoir.panel.models import CustomButton as CustomButtonModel
from comptoir.schema.base import Node, UserError, error_code_enum
from comptoir.schema.ids import encode_id
from comptoir.schema.resellers import Resource
from comptoir.tenancy.accounts import shorten_label

CustomButtonLocation = strawberry.enum(
    buttons.ButtonLocation, name="CustomButtonLocation",
    description="SELLER_HOME: the seller's own home page; CUSTOMER_HOME: the customer's home page;"
                " CUSTOMER_WEBSITES: the customer's websites & domains page; COMMON: the navigation pane,"
                " shown to staff and customers alike.")
CustomButtonContext = strawberry.enum(
    buttons.ButtonContext, name="CustomButtonContext",
    description="Context a button appends to its URL, each as a query parameter named after the value in"
                " lower case (subscription_id, domain_name, ftp_login, ftp_password, customer_id,"
                " customer_name, customer_email, customer_company). Ids are UUIDs; FTP login and password"
                " are the subscription's system user's.")
BrandingErrorCode = error_code_enum("BrandingErrorCode", branding_service.BrandingErrorCode, images.ImageErrorCode)
CustomButtonErrorCode = error_code_enum("CustomButtonErrorCode", buttons.CustomButtonErrorCode, images.ImageErrorCode)


@strawberry.type
class BrandingError(UserError):
    code: BrandingErrorCode  # type: ignore[valid-type]


@strawberry.type
class CustomButtonError(UserError):
    code: CustomButtonErrorCode  # type: ignore[valid-type]


@strawberry.type(description="An uploaded image as stored, with type and pixel size read from its content.")
class UploadedImage:
    data_url: str
    content_type: str
    width: int
    height: int
    byte_size: int

    @classmethod
    def from_image(cls, image: images.Image) -> UploadedImage:
        return cls(data_url=image.data_url(), content_type=image.content_type, width=image.width,
                   height=image.height, byte_size=image.byte_size)


@strawberry.type(description="The seller's look: logo, logo link and title-bar text.")
class Branding:
    logo: UploadedImage | None = strawberry.field(description="null: the stock logo.")
    logo_link_url: str | None = strawberry.field(description="Where the logo links to; null: nowhere custom.")
    title_text: str | None = strawberry.field(description="Custom title-bar text; null: the default title.")
    recommended_logo_height: int = strawberry.field(
        default=branding_service.RECOMMENDED_LOGO_HEIGHT,
        description="Logos look best this many pixels high; compare with logo.height.")

    @classmethod
    def from_model(cls, branding: BrandingModel | None) -> Branding:
        logo = branding_service.logo_of(branding)
        return cls(logo=UploadedImage.from_image(logo) if logo else None,
                   logo_link_url=(branding.logo_link_url or None) if branding else None,
                   title_text=(branding.title_text or None) if branding else None)


@strawberry.type
class CustomButton(Node):
    label: str = strawberry.field(description="Shortened to the viewer's button label length.")
    full_label: str = strawberry.field(description="The label as entered.")
    location: CustomButtonLocation  # type: ignore[valid-type]
    priority: int = strawberry.field(description="Lower numbers are placed first, left to right.")
    url: str = strawberry.field(description="The URL to open, with the selected context appended.")
    configured_url: str = strawberry.field(description="The URL as entered, without context.")
    tooltip: str
    open_in_panel: bool
    visible_only_to_me: bool = strawberry.field(description="Only the user who created it sees it.")
    context: list[CustomButtonContext]  # type: ignore[valid-type]
    image: UploadedImage | None = strawberry.field(
        description="Background image: 16×16 in the navigation pane (COMMON), 32×32 elsewhere.")
    created_at: datetime

    @classmethod
    def from_model(cls, button: CustomButtonModel, *, label_length: int, url: str) -> CustomButton:
        image = buttons.image_of(button)
        return cls(
            id=strawberry.ID(encode_id("CustomButton", button.id)),
            label=shorten_label(button.label, label_length), full_label=button.label,
            location=buttons.ButtonLocation(button.location), priority=button.priority, url=url,
            configured_url=button.url, tooltip=button.tooltip, open_in_panel=button.open_in_panel,
            visible_only_to_me=button.visible_only_to_me,
            context=[buttons.ButtonContext(value) for value in button.context_parameters],
            image=UploadedImage.from_image(image) if image else None, created_at=button.created_at,
        )


@strawberry.type
class OverviewResource:
    resource: Resource  # type: ignore[valid-type]
    allocated: int | None = strawberry.field(description="The reseller's allocation; null means unlimited")
    used: int = strawberry.field(description="Actual usage, measured (as myResources.limits.used)")
    allocated_to_subscriptions: int | None = strawberry.field(
        description="Beside the usage: the sum of the limits given to subscriptions (as myResources)")
    remaining: int | None = strawberry.field(description="null means unlimited")


@strawberry.type(description="The home-page summary for the viewer's scope.")
class Overview:
    customers: int | None = strawberry.field(
        description="Customers in scope (provider: all; reseller: its own); null for a customer.")
    subscriptions: int = strawberry.field(
        description="Subscriptions in scope (provider: all; reseller: its tenant's; customer: its own).")
    invoices: int = strawberry.field(description="Always 0 for now: invoices are not stored yet.")
    resources: list[OverviewResource] = strawberry.field(
        description="A reseller's allocation, allocated vs used; empty for the provider and customers.")

    @classmethod
    def from_service(cls, overview: overview_service.Overview) -> Overview:
        return cls(customers=overview.customers, subscriptions=overview.subscriptions,
                   invoices=overview.invoices,
                   resources=[OverviewResource(resource=u.resource, allocated=u.limit, used=u.used,
                                               allocated_to_subscriptions=u.allocated, remaining=u.remaining)
                              for u in overview.resources])


@strawberry.input
class BrandingUpdateInput:
    logo: Upload | None = strawberry.field(
        default=None, description="The logo as a file (multipart request); else logoBase64.")
    logo_base64: str | None = strawberry.field(
        default=None, description="GIF, JPEG or PNG, at most 100 KB, base64 (a data: URL prefix is ignored);"
                                  " judged by its content. null or absent keeps the current logo.")
    logo_link_url: str | None = strawberry.field(
        default=None, description="http or https; empty clears it; absent keeps it.")
    title_text: str | None = strawberry.field(default=None, description="Empty restores the default title.")


@strawberry.type
class BrandingPayload:
    branding: Branding | None = None
    errors: list[BrandingError] = strawberry.field(default_factory=list)


@strawberry.input
class CustomButtonCreateInput:
    label: str
    location: CustomButtonLocation  # type: ignore[valid-type]
    url: str = strawberry.field(description="http or https.")
    priority: int = buttons.DEFAULT_PRIORITY
    tooltip: str = ""
    open_in_panel: bool = False
    visible_only_to_me: bool = False
    context: list[CustomButtonContext] = strawberry.field(default_factory=list)  # type: ignore[valid-type]
    image_base64: str | None = strawberry.field(
        default=None, description="GIF, JPEG or PNG, base64: 16×16 for COMMON, 32×32 elsewhere.")


@strawberry.input
class CustomButtonUpdateInput:
    id: strawberry.ID
    label: str | None = None
    location: CustomButtonLocation | None = None  # type: ignore[valid-type]
    url: str | None = None
    priority: int | None = None
    tooltip: str | None = None
    open_in_panel: bool | None = None
    visible_only_to_me: bool | None = None
    context: list[CustomButtonContext] | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="The full list of context to append.")
    image_base64: str | None = strawberry.field(
        default=strawberry.UNSET, description="A new image; null removes it; absent keeps it.")


@strawberry.input
class CustomButtonDeleteInput:
    id: strawberry.ID


@strawberry.type
class CustomButtonPayload:
    custom_button: CustomButton | None = None
    errors: list[CustomButtonError] = strawberry.field(default_factory=list)


@strawberry.type
class CustomButtonDeletePayload:
    deleted_id: strawberry.ID | None = None
    errors: list[CustomButtonError] = strawberry.field(default_factory=list)
