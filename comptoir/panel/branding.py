"""A seller's branding: logo, logo link, title-bar text; no row or no logo means the stock look (SPEC §1)."""

from __future__ import annotations

import unicodedata
import uuid

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.errors import DomainError, ErrorCode, collect_errors
from comptoir.hosting.links import check_web_url
from comptoir.panel import images
from comptoir.panel.models import Branding

MAX_LOGO_BYTES = 100 * 1024
RECOMMENDED_LOGO_HEIGHT = 50
MAX_TITLE_LENGTH = 255


class BrandingErrorCode(ErrorCode):
    INVALID_URL = "invalid_url"
    INVALID_TITLE = "invalid_title"


def get(*, session: Session, seller_id: uuid.UUID) -> Branding | None:
    return session.get(Branding, seller_id)


def read_logo(data: bytes, *, field: str = "logoBase64") -> images.Image:
    """A logo upload judged by its content: GIF, JPEG or PNG of at most 100 KB."""
    return images.read_image(data, max_bytes=MAX_LOGO_BYTES, field=field)


def logo_of(branding: Branding | None) -> images.Image | None:
    """The stored logo with its format and pixel size; None for the stock logo."""
    if branding is None or branding.logo is None:
        return None
    return images.read_image(branding.logo, max_bytes=MAX_LOGO_BYTES, field="logo")


def _check_title(title: str) -> str:
    title = title.strip()
    if len(title) > MAX_TITLE_LENGTH:
        raise DomainError(BrandingErrorCode.INVALID_TITLE, f"Use at most {MAX_TITLE_LENGTH} characters.",
                          field="titleText")
    if any(unicodedata.category(character) == "Cc" for character in title):
        raise DomainError(BrandingErrorCode.INVALID_TITLE, "The title is one line of text.",
                          field="titleText")
    return title


def _check_link(url: str) -> str:
    url = url.strip()
    return check_web_url(url, code=BrandingErrorCode.INVALID_URL, field="logoLinkUrl") if url else ""


def _locked(session: Session, seller_id: uuid.UUID) -> Branding:
    """The seller's row, created if absent, locked, in one statement.

    An upsert that updates on conflict always returns a locked row: a separate insert-then-select let a
    concurrent reset delete the row in between, and the select then found nothing (INTERNAL_ERROR).
    """
    statement = (insert(Branding).values(seller_id=seller_id)
                 .on_conflict_do_update(index_elements=[Branding.seller_id], set_={"seller_id": seller_id})
                 .returning(Branding))
    return session.scalars(statement, execution_options={"populate_existing": True}).one()


def update(*, session: Session, seller_id: uuid.UUID, logo: bytes | images.Image | None = None,
           logo_link_url: str | None = None, title_text: str | None = None) -> Branding:
    """Change what is given; an empty link or title clears it. Nothing is stored if any part is refused,
    and every refused part is reported. `logo` may come already read (off the event loop)."""
    with collect_errors() as errors:
        new_logo = None if logo is None else logo if isinstance(logo, images.Image) else errors.check(
            lambda: read_logo(logo))
        link = None if logo_link_url is None else errors.check(lambda: _check_link(logo_link_url))
        title = None if title_text is None else errors.check(lambda: _check_title(title_text))
    branding = _locked(session, seller_id)
    if new_logo is not None:
        branding.logo, branding.logo_content_type = new_logo.data, new_logo.content_type
    if link is not None:
        branding.logo_link_url = link
    if title is not None:
        branding.title_text = title
    branding.updated_at = clock.now()
    session.flush()
    return branding


def reset_logo(*, session: Session, seller_id: uuid.UUID) -> Branding | None:
    """Restore the stock logo; the row goes when nothing custom remains."""
    branding = session.scalars(
        select(Branding).where(Branding.seller_id == seller_id).with_for_update()).one_or_none()
    if branding is None:
        return None
    if not branding.logo_link_url and not branding.title_text:
        session.delete(branding)
        session.flush()
        return None
    branding.logo, branding.logo_content_type = None, ""
    branding.updated_at = clock.now()
    session.flush()
    return branding
