"""Query and Mutation fields of e-mails (SPEC §11): seller staff manage their templates, SMTP server,
log and mailings; the provider sees what the local catcher caught (embedded development mode)."""

from __future__ import annotations

import strawberry

from comptoir.resolvers import messaging as resolvers
from comptoir.schema.base import Connection
from comptoir.schema.messaging import (
    CaughtEmail,
    Email,
    EmailResendPayload,
    EmailTemplate,
    EmailTemplatePayload,
    EmailTemplatePreviewPayload,
    MassEmail,
    MassEmailCreatePayload,
    SmtpSettings,
    SmtpSettingsPayload,
)
from comptoir.schema.permissions import IsProvider, IsStaff


@strawberry.type
class MessagingQuery:
    email_templates: list[EmailTemplate] = strawberry.field(
        resolver=resolvers.email_templates, permission_classes=[IsStaff],
        description="Every automatic e-mail's template per shipped language (or the one template/language "
                    "asked for): a fixed catalog, so a list rather than a connection.")
    email_template_preview: EmailTemplatePreviewPayload = strawberry.field(
        resolver=resolvers.email_template_preview, permission_classes=[IsStaff],
        description="Render with sample data: the given (unsaved) subject and bodies, checked as a save "
                    "would check them, or without a subject the template in effect.")
    emails: Connection[Email] = strawberry.field(resolver=resolvers.emails, permission_classes=[IsStaff],
                                                 description="The e-mail log, newest first unless sorted.")
    smtp_settings: SmtpSettings | None = strawberry.field(
        resolver=resolvers.smtp_settings, permission_classes=[IsStaff],
        description="The seller's own SMTP server; null: the provider's is used.")
    mass_emails: Connection[MassEmail] = strawberry.field(resolver=resolvers.mass_emails,
                                                          permission_classes=[IsStaff],
                                                          description="Newest first.")
    caught_emails: list[CaughtEmail] = strawberry.field(
        resolver=resolvers.caught_emails, permission_classes=[IsProvider],
        description="What the local SMTP catcher received, newest first (embedded mode without an SMTP "
                    "server only; empty otherwise).")


@strawberry.type
class MessagingMutation:
    email_template_update: EmailTemplatePayload = strawberry.mutation(
        resolver=resolvers.email_template_update, permission_classes=[IsStaff],
        description="Save the seller's version of a template in one language (checked in the sandbox).")
    email_template_reset: EmailTemplatePayload = strawberry.mutation(
        resolver=resolvers.email_template_reset, permission_classes=[IsStaff],
        description="Back to the shipped default in that language.")
    email_resend: EmailResendPayload = strawberry.mutation(resolver=resolvers.email_resend,
                                                           permission_classes=[IsStaff])
    smtp_settings_update: SmtpSettingsPayload = strawberry.mutation(resolver=resolvers.smtp_settings_update,
                                                                    permission_classes=[IsStaff])
    smtp_settings_remove: SmtpSettingsPayload = strawberry.mutation(resolver=resolvers.smtp_settings_remove,
                                                                    permission_classes=[IsStaff])
    mass_email_create: MassEmailCreatePayload = strawberry.mutation(resolver=resolvers.mass_email_create,
                                                                    permission_classes=[IsStaff])
