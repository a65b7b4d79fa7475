"""Resolvers of e-mails: templates, the log and resend, SMTP settings, mass e-mails, caught e-mails."""

from __future__ import annotations

from sqlalchemy.orm import Session
from strawberry.types import Info

from comptoir.database.pagination import SortDirection
from comptoir.errors import DomainError
from comptoir.messaging import catcher, log, mass, overrides, smtp
from comptoir.messaging.models import MassEmail as MassEmailModel
from comptoir.messaging.models import SmtpSettings as SmtpSettingsModel
from comptoir.schema.base import Connection, error_payload, mutate, page_request
from comptoir.schema.ids import decode_id, decode_optional_id
from comptoir.schema.messaging import (
    CaughtEmail,
    Email,
    EmailFilterInput,
    EmailPreview,
    EmailResendInput,
    EmailResendPayload,
    EmailSortInput,
    EmailTemplate,
    EmailTemplateInput,
    EmailTemplateKeyInput,
    EmailTemplatePayload,
    EmailTemplatePreviewPayload,
    MassEmail,
    MassEmailCreateInput,
    MassEmailCreatePayload,
    SmtpSettings,
    SmtpSettingsInput,
    SmtpSettingsPayload,
)


def _change(input: EmailTemplateInput) -> overrides.TemplateChange:
    return overrides.TemplateChange(subject=input.subject, body_html=input.body_html, body_text=input.body_text)


async def email_templates(info: Info, template: str | None = None, language: str | None = None) -> list[EmailTemplate]:
    seller_id = info.context.tenant.seller_id

    def load(session: Session) -> list[EmailTemplate]:
        if (template is not None and template not in overrides.DEFAULTS) or (
                language is not None and language not in overrides.SHIPPED_LANGUAGES):
            return []
        found = overrides.list_effective(session, seller_id=seller_id, template=template, language=language)
        return [EmailTemplate.of(chosen) for chosen, _ in found]
    return await info.context.run(load)


async def email_template_preview(info: Info, template: str, language: str, subject: str | None = None,
                                 body_html: str = "", body_text: str = "") -> EmailTemplatePreviewPayload:
    seller_id = info.context.tenant.seller_id
    change = None if subject is None else overrides.TemplateChange(subject, body_html, body_text)

    def load(session: Session) -> EmailTemplatePreviewPayload:
        try:
            rendered = overrides.preview(session, seller_id=seller_id, template=template, language=language,
                                         change=change)
        except DomainError as error:
            return error_payload(EmailTemplatePreviewPayload, error)
        return EmailTemplatePreviewPayload(preview=EmailPreview.of(rendered))
    return await info.context.run(load)


async def email_template_update(info: Info, input: EmailTemplateInput) -> EmailTemplatePayload:
    seller_id = info.context.tenant.seller_id
    return await mutate(info, EmailTemplatePayload,
                        lambda s: overrides.update(s, seller_id=seller_id, template=input.template,
                                                   language=input.language, change=_change(input)),
                        lambda chosen: EmailTemplatePayload(email_template=EmailTemplate.of(chosen)))


async def email_template_reset(info: Info, input: EmailTemplateKeyInput) -> EmailTemplatePayload:
    seller_id = info.context.tenant.seller_id
    return await mutate(info, EmailTemplatePayload,
                        lambda s: overrides.reset(s, seller_id=seller_id, template=input.template,
                                                  language=input.language),
                        lambda chosen: EmailTemplatePayload(email_template=EmailTemplate.of(chosen)))


async def emails(info: Info, first: int | None = None, after: str | None = None,
                 filter: EmailFilterInput | None = None, sort: EmailSortInput | None = None) -> Connection[Email]:
    sort = sort or EmailSortInput()
    request = page_request(info, first, after, sort.direction)
    seller_id = info.context.tenant.seller_id
    given = filter or EmailFilterInput()
    criteria = log.EmailFilter(
        statuses=tuple(status.value for status in given.status or ()), template=given.template,
        recipient=given.recipient,
        customer_id=decode_optional_id(given.customer_id, "Customer", field="filter.customerId"),
        mass_email_id=decode_optional_id(given.mass_email_id, "MassEmail", field="filter.massEmailId"))

    def load(session: Session) -> Connection[Email]:
        page = log.list_page(session, seller_id=seller_id, filter=criteria, page=request, sort=sort.field)
        return Connection[Email].from_page(page, Email.from_model)
    return await info.context.run(load)


async def email_resend(info: Info, input: EmailResendInput) -> EmailResendPayload:
    seller_id = info.context.tenant.seller_id
    return await mutate(info, EmailResendPayload,
                        lambda s: Email.from_model(log.resend(s, seller_id=seller_id,
                                                              email_id=decode_id(input.id, "Email"))),
                        lambda email: EmailResendPayload(email=email))


async def load_email(info: Info, email_id: object) -> Email | None:
    row = await info.context.run(lambda s: s.get(log.OutboundEmail, email_id))
    return Email.from_model(row) if row else None


async def smtp_settings(info: Info) -> SmtpSettings | None:
    seller_id = info.context.tenant.seller_id
    row = await info.context.run(lambda s: s.get(SmtpSettingsModel, seller_id))
    return SmtpSettings.from_model(row) if row else None


async def smtp_settings_update(info: Info, input: SmtpSettingsInput) -> SmtpSettingsPayload:
    seller_id = info.context.tenant.seller_id
    change = smtp.SmtpSettingsChange(host=input.host, port=input.port, security=input.security.value,
                                     username=input.username, password=input.password,
                                     from_address=input.from_address)
    return await mutate(info, SmtpSettingsPayload,
                        lambda s: SmtpSettings.from_model(smtp.update_settings(s, seller_id=seller_id, change=change)),
                        lambda settings: SmtpSettingsPayload(smtp_settings=settings))


async def smtp_settings_remove(info: Info) -> SmtpSettingsPayload:
    seller_id = info.context.tenant.seller_id
    return await mutate(info, SmtpSettingsPayload, lambda s: smtp.remove_settings(s, seller_id=seller_id),
                        lambda _: SmtpSettingsPayload())


async def mass_emails(info: Info, first: int | None = None, after: str | None = None) -> Connection[MassEmail]:
    request = page_request(info, first, after, SortDirection.DESC)
    seller_id, loaders = info.context.tenant.seller_id, info.context.loaders

    def load(session: Session) -> Connection[MassEmail]:
        page = mass.list_page(session, seller_id=seller_id, page=request)
        return Connection[MassEmail].from_page(page, lambda m: MassEmail.from_model(m, loaders=loaders))
    return await info.context.run(load)


async def mass_email_create(info: Info, input: MassEmailCreateInput) -> MassEmailCreatePayload:
    seller_id, loaders = info.context.tenant.seller_id, info.context.loaders
    given = input.audience
    audience = mass.Audience(
        statuses=list(given.statuses), languages=list(given.languages),
        plan_ids=[decode_id(i, "Plan", field="audience.planIds") for i in given.plan_ids],
        store_ids=[decode_id(i, "Store", field="audience.storeIds") for i in given.store_ids])
    return await mutate(info, MassEmailCreatePayload,
                        lambda s: mass.create(s, seller_id=seller_id, subject=input.subject,
                                              body_html=input.body_html, body_text=input.body_text,
                                              audience=audience),
                        lambda mailing: MassEmailCreatePayload(mass_email=MassEmail.from_model(mailing, loaders=loaders)))


async def load_mass_email(info: Info, mailing_id: object) -> MassEmail | None:
    row = await info.context.run(lambda s: s.get(MassEmailModel, mailing_id))
    return MassEmail.from_model(row, loaders=info.context.loaders) if row else None


def caught_emails(info: Info, first: int = 50) -> list[CaughtEmail]:
    return [CaughtEmail.of(message) for message in catcher.caught(max(0, min(first, catcher.KEPT)))]
