"""Query and Mutation fields of branding, custom buttons and the home-page overview (SPEC §1)."""

from __future__ import annotations

import strawberry

from comptoir.resolvers import branding as r
from comptoir.schema.branding import (
    Branding,
    BrandingPayload,
    CustomButton,
    CustomButtonDeletePayload,
    CustomButtonPayload,
    Overview,
)
from comptoir.schema.permissions import IsAuthenticated, IsStaff


@strawberry.type
class BrandingQuery:
    branding: Branding = strawberry.field(
        resolver=r.current_branding, permission_classes=[IsAuthenticated],
        description="The branding of the viewer's seller (customers see their seller's).")
    custom_buttons: list[CustomButton] = strawberry.field(
        resolver=r.visible_custom_buttons, permission_classes=[IsAuthenticated],
        description="The custom buttons the viewer sees at a location (everywhere if none is given), lower"
                    " priority first, then oldest first. subscriptionId supplies the subscription context.")
    overview: Overview = strawberry.field(
        resolver=r.viewer_overview, permission_classes=[IsAuthenticated],
        description="Home-page summary: counts and resources allocated vs used, for the viewer's scope.")


@strawberry.type
class BrandingMutation:
    branding_update: BrandingPayload = strawberry.mutation(
        resolver=r.branding_update, permission_classes=[IsStaff])
    branding_reset: BrandingPayload = strawberry.mutation(
        resolver=r.branding_reset, permission_classes=[IsStaff],
        description="Restore the stock logo; the logo link and title text stay.")
    custom_button_create: CustomButtonPayload = strawberry.mutation(
        resolver=r.custom_button_create, permission_classes=[IsStaff])
    custom_button_update: CustomButtonPayload = strawberry.mutation(
        resolver=r.custom_button_update, permission_classes=[IsStaff])
    custom_button_delete: CustomButtonDeletePayload = strawberry.mutation(
        resolver=r.custom_button_delete, permission_classes=[IsStaff])
