"""A seller's invoice layout: read, change, and the effective `Layout` a render request freezes."""

from __future__ import annotations

import io
import uuid
from decimal import Decimal, InvalidOperation

import pypdf
from pypdf.errors import PyPdfError
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.documents.layout import COLOUR, FONTS, MAX_OFFSET_MM, MAX_TEXT, AddressPosition, Layout
from comptoir.documents.models import InvoiceLayout
from comptoir.errors import DomainError, ErrorCode, collect_errors
from comptoir.panel import branding

MAX_STATIONERY_BYTES = 2 * 1024 * 1024
MAX_LEFT_MM = Decimal("150")


class DocumentErrorCode(ErrorCode):
    INVALID_COLOUR = "invalid_colour"
    INVALID_FONT = "invalid_font"
    INVALID_OFFSET = "invalid_offset"
    INVALID_STATIONERY = "invalid_stationery"
    TEXT_TOO_LONG = "text_too_long"


def get(*, session: Session, seller_id: uuid.UUID) -> InvoiceLayout | None:
    return session.get(InvoiceLayout, seller_id)


def effective(*, session: Session, seller_id: uuid.UUID) -> Layout:
    """What a document issued now looks like: the seller's layout (or the stock one) and its logo."""
    row = get(session=session, seller_id=seller_id)
    look = branding.get(session=session, seller_id=seller_id)
    logo = {"logo": look.logo, "logo_content_type": look.logo_content_type} if look and look.logo else {}
    return to_layout(row, **logo)


def to_layout(row: InvoiceLayout | None, **extra: object) -> Layout:
    if row is None:
        return Layout(**extra)  # type: ignore[arg-type]
    return Layout(primary_colour=row.primary_colour, accent_colour=row.accent_colour, font=row.font,
                  header_text=row.header_text, footer_text=row.footer_text,
                  address_position=AddressPosition(row.address_position), address_top_mm=row.address_top_mm,
                  address_left_mm=row.address_left_mm, stationery=row.stationery, **extra)  # type: ignore[arg-type]


def _colour(value: str, field: str) -> str:
    if not COLOUR.match(value):
        raise DomainError(DocumentErrorCode.INVALID_COLOUR, "Use a colour like #1f3a5f.", field=field)
    return value.lower()


def _font(value: str) -> str:
    if value not in FONTS:
        raise DomainError(DocumentErrorCode.INVALID_FONT, f"Choose one of: {', '.join(FONTS)}.", field="font")
    return value


def _text(value: str, field: str) -> str:
    if len(value) > MAX_TEXT:
        raise DomainError(DocumentErrorCode.TEXT_TOO_LONG, f"Use at most {MAX_TEXT} characters.", field=field)
    return value.strip()


def _offset(value: Decimal, field: str, limit: Decimal) -> Decimal:
    try:
        rounded = value.quantize(Decimal("0.1"))
    except InvalidOperation:
        rounded = Decimal("-1")
    if not Decimal("0") <= rounded <= limit:
        raise DomainError(DocumentErrorCode.INVALID_OFFSET, f"Use 0 to {limit} mm.", field=field)
    return rounded


def read_stationery(data: bytes, *, field: str = "stationery") -> bytes:
    """A stationery upload: a readable PDF of exactly one page, at most 2 MB."""
    if len(data) > MAX_STATIONERY_BYTES:
        raise DomainError(DocumentErrorCode.INVALID_STATIONERY, "Use a PDF of at most 2 MB.", field=field)
    try:
        pages = len(pypdf.PdfReader(io.BytesIO(data), strict=False).pages)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError):
        pages = 0
    if pages != 1:
        raise DomainError(DocumentErrorCode.INVALID_STATIONERY, "Use a PDF of exactly one page.", field=field)
    return data


def _locked(session: Session, seller_id: uuid.UUID) -> InvoiceLayout:
    statement = (insert(InvoiceLayout).values(seller_id=seller_id)
                 .on_conflict_do_update(index_elements=[InvoiceLayout.seller_id], set_={"seller_id": seller_id})
                 .returning(InvoiceLayout))
    return session.scalars(statement, execution_options={"populate_existing": True}).one()


def update(*, session: Session, seller_id: uuid.UUID, primary_colour: str | None = None,
           accent_colour: str | None = None, font: str | None = None, header_text: str | None = None,
           footer_text: str | None = None, address_position: AddressPosition | None = None,
           address_top_mm: Decimal | None = None, address_left_mm: Decimal | None = None,
           stationery: bytes | None = None, remove_stationery: bool = False) -> InvoiceLayout:
    """Change what is given; every refused field is reported and nothing is stored then."""
    changes: dict[str, object] = {}
    with collect_errors() as errors:
        checks = {
            "primary_colour": (primary_colour, lambda v: _colour(v, "primaryColour")),
            "accent_colour": (accent_colour, lambda v: _colour(v, "accentColour")),
            "font": (font, _font),
            "header_text": (header_text, lambda v: _text(v, "headerText")),
            "footer_text": (footer_text, lambda v: _text(v, "footerText")),
            "address_top_mm": (address_top_mm, lambda v: _offset(v, "addressTopMm", MAX_OFFSET_MM)),
            "address_left_mm": (address_left_mm, lambda v: _offset(v, "addressLeftMm", MAX_LEFT_MM)),
            "stationery": (stationery, read_stationery),
        }
        for column, (value, check) in checks.items():
            if value is not None:
                changes[column] = errors.check(lambda value=value, check=check: check(value))
    if address_position is not None:
        changes["address_position"] = address_position.value
    if remove_stationery:
        changes["stationery"] = None
    row = _locked(session, seller_id)
    for column, value in changes.items():
        setattr(row, column, value)
    row.updated_at = clock.now()
    session.flush()
    return row
