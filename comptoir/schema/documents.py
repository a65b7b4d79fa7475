"""GraphQL types of documents: stored PDFs (download by signed link) and the seller's invoice layout."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

import strawberry
from strawberry.file_uploads import Upload

from comptoir.database.pagination import SortDirection
from comptoir.documents import layouts
from comptoir.documents.layout import FONTS, AddressPosition, Layout
from comptoir.documents.model import DocumentKind
from comptoir.documents.models import StoredDocument
from comptoir.schema.base import Node, UserError, error_code_enum
from comptoir.schema.ids import encode_id

DocumentKindEnum = strawberry.enum(DocumentKind, name="DocumentKind", description=(
    "INVOICE and CREDIT_NOTE are Factur-X (EN 16931) PDFs; STATEMENT an account statement;"
    " SCHET_FACTURA a Russian schet-factura (staff only)."))
AddressPositionEnum = strawberry.enum(AddressPosition, name="AddressPosition", description=(
    "Where the recipient's address sits, for window envelopes: DIN_5008_A (27 mm from the top, 20 mm from"
    " the left), DIN_5008_B (45 mm, 20 mm) or CUSTOM (addressTopMm, addressLeftMm)."))
DocumentErrorCode = error_code_enum("DocumentErrorCode", layouts.DocumentErrorCode)


class DocumentSortField(enum.Enum):
    CREATED_AT = "created_at"


DocumentSortFieldEnum = strawberry.enum(DocumentSortField, name="DocumentSortField")


@strawberry.type
class DocumentError(UserError):
    code: DocumentErrorCode  # type: ignore[valid-type]


@strawberry.type(description="An issued document as stored: its bytes never change once written.")
class Document(Node):
    kind: DocumentKindEnum  # type: ignore[valid-type]
    filename: str
    language: str
    sha256: str = strawberry.field(description="SHA-256 of the stored bytes, hex.")
    byte_size: int
    subject_id: strawberry.ID = strawberry.field(description="Global id of what the document is for (an Invoice).")
    created_at: datetime
    download_url: str = strawberry.field(description=(
        "A signed link to the stored bytes, valid for 15 minutes; ask again for a fresh one."))

    @classmethod
    def from_model(cls, row: StoredDocument, download_url: str) -> Document:
        return cls(id=strawberry.ID(encode_id("Document", row.id)), kind=DocumentKind(row.kind),
                   filename=row.filename, language=row.language, sha256=row.sha256, byte_size=row.byte_size,
                   subject_id=strawberry.ID(encode_id(row.subject_type, row.subject_id)),
                   created_at=row.created_at, download_url=download_url)


@strawberry.type(description="How the seller's documents look from the next one issued on.")
class InvoiceLayout:
    primary_colour: str = strawberry.field(description="#rrggbb: title and table header.")
    accent_colour: str = strawberry.field(description="#rrggbb: alternate rows and rules.")
    font: str = strawberry.field(description=f"One of: {', '.join(FONTS)}.")
    header_text: str = strawberry.field(description="Printed at the top of every page.")
    footer_text: str = strawberry.field(description="Printed at the bottom of every page (line breaks kept).")
    address_position: AddressPositionEnum  # type: ignore[valid-type]
    address_top_mm: Decimal
    address_left_mm: Decimal
    has_stationery: bool = strawberry.field(description="Whether a one-page PDF is printed under every page.")
    fonts: list[str] = strawberry.field(description="The fonts one may choose.")

    @classmethod
    def from_layout(cls, layout: Layout) -> InvoiceLayout:
        top, left = layout.address_offsets
        return cls(primary_colour=layout.primary_colour, accent_colour=layout.accent_colour, font=layout.font,
                   header_text=layout.header_text, footer_text=layout.footer_text,
                   address_position=layout.address_position, address_top_mm=top, address_left_mm=left,
                   has_stationery=layout.stationery is not None, fonts=list(FONTS))


@strawberry.input
class DocumentFilterInput:
    kind: DocumentKindEnum | None = None  # type: ignore[valid-type]
    subject_id: strawberry.ID | None = strawberry.field(default=None, description="Global id of the subject.")


@strawberry.input
class DocumentSortInput:
    field: DocumentSortFieldEnum = DocumentSortField.CREATED_AT  # type: ignore[valid-type]
    direction: SortDirection = SortDirection.DESC


@strawberry.input
class InvoiceLayoutUpdateInput:
    primary_colour: str | None = None
    accent_colour: str | None = None
    font: str | None = None
    header_text: str | None = strawberry.field(default=None, description="At most 1000 characters; empty clears.")
    footer_text: str | None = strawberry.field(default=None, description="At most 1000 characters; empty clears.")
    address_position: AddressPositionEnum | None = None  # type: ignore[valid-type]
    address_top_mm: Decimal | None = strawberry.field(default=None, description="0 to 250; for CUSTOM.")
    address_left_mm: Decimal | None = strawberry.field(default=None, description="0 to 150; for CUSTOM.")
    stationery: Upload | None = strawberry.field(
        default=None, description="A one-page PDF of at most 2 MB (multipart request), printed under every page.")
    remove_stationery: bool = False


@strawberry.input
class InvoiceLayoutPreviewInput:
    kind: DocumentKindEnum = DocumentKind.INVOICE  # type: ignore[valid-type]
    language: str = strawberry.field(default="en", description="en, fr, de, es or ru.")


@strawberry.type
class InvoiceLayoutPayload:
    invoice_layout: InvoiceLayout | None = None
    errors: list[DocumentError] = strawberry.field(default_factory=list)


@strawberry.type
class InvoiceLayoutPreviewPayload:
    pdf_data_url: str | None = strawberry.field(
        default=None, description="data:application/pdf;base64,… of sample data in the current layout.")
    errors: list[DocumentError] = strawberry.field(default_factory=list)
