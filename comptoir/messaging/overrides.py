"""A seller's own versions of the shipped templates, per template and language (SPEC §11).

Saving checks the template in the sandbox (only its declared variables, nothing unsafe); resetting
deletes the override, so the shipped default is used again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import delete, event, select
from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.messaging import sandbox
from comptoir.messaging.models import EmailTemplateOverride
from comptoir.messaging.sandbox import TemplateErrorCode, TemplateRefused
from comptoir.messaging.templates import (
    DEFAULTS,
    SHIPPED_LANGUAGES,
    RenderedEmail,
    Template,
    default,
    language_candidates,
    render_email,
    sample_variables,
)
from comptoir.tenancy.models import Seller


@dataclass(frozen=True)
class EffectiveTemplate:
    name: str
    language: str
    template: Template
    default: Template
    overridden: bool


@dataclass(frozen=True)
class TemplateChange:
    subject: str
    body_html: str = ""
    body_text: str = ""


def known(template: str, language: str | None = None) -> None:
    if template not in DEFAULTS:
        raise TemplateRefused(TemplateErrorCode.UNKNOWN_TEMPLATE, "No e-mail template named %(name)s.",
                              field="template", params={"name": template})
    if language is not None and language not in SHIPPED_LANGUAGES:
        raise TemplateRefused(TemplateErrorCode.UNSUPPORTED_LANGUAGE, "Languages: %(languages)s.",
                              field="language", params={"languages": ", ".join(SHIPPED_LANGUAGES)})


def effective(session: Session, *, seller_id: uuid.UUID, template: str, language: str) -> EffectiveTemplate:
    """The seller's override in the most specific language it has, else the shipped default."""
    cache = session.info.setdefault(_CACHE, {})
    key = (seller_id, template, language)
    if key not in cache:
        cache[key] = _effective(session, seller_id=seller_id, template=template, language=language)
    return cache[key]  # type: ignore[no-any-return]


# Per transaction: a batch of e-mails (a mailing, a billing run) looks each template up once.
_CACHE = "comptoir.messaging.effective_templates"


def _effective(session: Session, *, seller_id: uuid.UUID, template: str, language: str) -> EffectiveTemplate:
    shipped = default(template, language)
    candidates = language_candidates(language)
    rows = {row.language: row for row in session.scalars(select(EmailTemplateOverride).where(
        EmailTemplateOverride.seller_id == seller_id, EmailTemplateOverride.template == template,
        EmailTemplateOverride.language.in_(candidates)))}
    row = next((rows[c] for c in candidates if c in rows), None)
    if row is None:
        return EffectiveTemplate(template, language, shipped, shipped, overridden=False)
    own = Template(row.subject, row.body_text, shipped.variables, row.body_html, shipped.sample)
    return EffectiveTemplate(template, row.language, own, shipped, overridden=True)


def list_effective(session: Session, *, seller_id: uuid.UUID, template: str | None = None,
                   language: str | None = None) -> list[tuple[EffectiveTemplate, EmailTemplateOverride | None]]:
    """Every template × shipped language (or the one asked for), with the seller's override if any."""
    rows = {(r.template, r.language): r for r in session.scalars(
        select(EmailTemplateOverride).where(EmailTemplateOverride.seller_id == seller_id))}
    found = []
    for name in sorted(DEFAULTS) if template is None else [template]:
        for lang in SHIPPED_LANGUAGES if language is None else [language]:
            shipped = default(name, lang)
            row = rows.get((name, lang))
            own = Template(row.subject, row.body_text, shipped.variables, row.body_html, shipped.sample) if row else shipped
            found.append((EffectiveTemplate(name, lang, own, shipped, overridden=row is not None), row))
    return found


def check(template: str, change: TemplateChange) -> None:
    """Refuse a change that is empty, uses an undeclared variable, or anything unsafe (every field at once)."""
    sandbox.check_email(change.subject, change.body_html, change.body_text, default(template, "en").allowed)


def update(session: Session, *, seller_id: uuid.UUID, template: str, language: str,
           change: TemplateChange) -> EffectiveTemplate:
    known(template, language)
    check(template, change)
    row = session.scalars(select(EmailTemplateOverride).where(
        EmailTemplateOverride.seller_id == seller_id, EmailTemplateOverride.template == template,
        EmailTemplateOverride.language == language).with_for_update()).one_or_none()
    if row is None:
        row = EmailTemplateOverride(seller_id=seller_id, template=template, language=language, subject="")
        session.add(row)
    row.subject, row.body_html, row.body_text = change.subject, change.body_html, change.body_text
    row.updated_at = clock.now()
    session.flush()
    session.info.pop(_CACHE, None)
    return effective(session, seller_id=seller_id, template=template, language=language)


def reset(session: Session, *, seller_id: uuid.UUID, template: str, language: str) -> EffectiveTemplate:
    known(template, language)
    session.execute(delete(EmailTemplateOverride).where(
        EmailTemplateOverride.seller_id == seller_id, EmailTemplateOverride.template == template,
        EmailTemplateOverride.language == language))
    session.info.pop(_CACHE, None)
    return effective(session, seller_id=seller_id, template=template, language=language)


def preview(session: Session, *, seller_id: uuid.UUID, template: str, language: str,
            change: TemplateChange | None = None) -> RenderedEmail:
    """The e-mail with sample data: the unsaved `change` if given (checked first), else what is in effect."""
    known(template, language)
    if change is not None:
        check(template, change)
        shipped = default(template, language)
        chosen = Template(change.subject, change.body_text, shipped.variables, change.body_html, shipped.sample)
    else:
        chosen = effective(session, seller_id=seller_id, template=template, language=language).template
    values = {**sample_variables(template), **seller_variables(session, seller_id)}
    return render_email(chosen, values, language=language)


def seller_variables(session: Session, seller_id: uuid.UUID) -> dict[str, object]:
    """The variables every template may use, from the seller who sends."""
    cache = session.info.setdefault(_SELLERS, {})
    if seller_id not in cache:
        seller = session.get(Seller, seller_id)
        cache[seller_id] = ({"seller_name": seller.company_name or seller.name, "seller_email": seller.email}
                            if seller else {"seller_name": "", "seller_email": ""})
    return dict(cache[seller_id])


_SELLERS = "comptoir.messaging.seller_variables"


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _forget_cached(session: Session, *args: object) -> None:
    session.info.pop(_CACHE, None)
    session.info.pop(_SELLERS, None)
