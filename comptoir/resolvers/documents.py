"""Resolvers for documents and the invoice layout."""

from __future__ import annotations

import asyncio
import base64
import uuid

from sqlalchemy.orm import Session
from strawberry.types import Info

from comptoir.documents import downloads, layouts, samples, service
from comptoir.documents.layout import Layout
from comptoir.documents.model import DocumentKind
from comptoir.documents.models import InvoiceLayout as InvoiceLayoutModel
from comptoir.documents.render import render_pdf
from comptoir.errors import CommonErrorCode, DomainError
from comptoir.schema.base import Connection, mutate, page_request
from comptoir.schema.documents import (
    Document,
    DocumentFilterInput,
    DocumentSortInput,
    InvoiceLayout,
    InvoiceLayoutPayload,
    InvoiceLayoutPreviewInput,
    InvoiceLayoutPreviewPayload,
    InvoiceLayoutUpdateInput,
)
from comptoir.schema.ids import parse_id
from comptoir.settings import get_settings

LANGUAGES = ("en", "fr", "de", "es", "ru")


def download_url(seller_id: object, document_id: object) -> str:
    return get_settings().public_url.rstrip("/") + downloads.signed_path(seller_id, document_id)  # type: ignore[arg-type]


async def documents(info: Info, first: int | None = None, after: str | None = None,
                    filter: DocumentFilterInput | None = None,
                    sort: DocumentSortInput | None = None) -> Connection[Document]:
    sort = sort or DocumentSortInput()
    request = page_request(info, first, after, sort.direction)
    seller_id = info.context.tenant.seller_id
    subject = parse_id(filter.subject_id) if filter and filter.subject_id else None
    if filter and filter.subject_id and subject is None:
        raise DomainError(CommonErrorCode.INVALID, "Not a global id.", field="filter.subjectId")

    def load(session: Session) -> Connection[Document]:
        page = service.list_page(session=session, seller_id=seller_id, page=request,
                                 kind=filter.kind if filter else None,
                                 subject_type=subject[0] if subject else None, subject_id=subject[1] if subject else None)
        return Connection[Document].from_page(
            page, lambda row: Document.from_model(row, download_url(row.seller_id, row.id)))
    return await info.context.run(load)


async def invoice_layout(info: Info) -> InvoiceLayout:
    seller_id = info.context.tenant.seller_id
    row = await info.context.run(lambda s: layouts.get(session=s, seller_id=seller_id))
    return InvoiceLayout.from_layout(layouts.to_layout(row))


async def invoice_layout_update(info: Info, input: InvoiceLayoutUpdateInput) -> InvoiceLayoutPayload:
    seller_id = info.context.tenant.seller_id
    stationery = await input.stationery.read() if input.stationery is not None else None

    def work(session: Session) -> InvoiceLayoutModel:
        return layouts.update(
            session=session, seller_id=seller_id, primary_colour=input.primary_colour,
            accent_colour=input.accent_colour, font=input.font, header_text=input.header_text,
            footer_text=input.footer_text, address_position=input.address_position,
            address_top_mm=input.address_top_mm, address_left_mm=input.address_left_mm,
            stationery=stationery, remove_stationery=input.remove_stationery)

    async def done(row: InvoiceLayoutModel) -> InvoiceLayoutPayload:
        return InvoiceLayoutPayload(invoice_layout=InvoiceLayout.from_layout(layouts.to_layout(row)))

    return await mutate(info, InvoiceLayoutPayload, work, done)


async def invoice_layout_preview(info: Info, input: InvoiceLayoutPreviewInput) -> InvoiceLayoutPreviewPayload:
    seller_id = info.context.tenant.seller_id
    language = input.language if input.language in LANGUAGES else "en"
    kind = DocumentKind(input.kind)

    async def done(layout: Layout) -> InvoiceLayoutPreviewPayload:
        sample = samples.sample_schet_factura() if kind is DocumentKind.SCHET_FACTURA else samples.sample_invoice(
            language=language, kind=kind)
        pdf = await asyncio.to_thread(render_pdf, sample, layout)  # CPU work, kept off the event loop
        return InvoiceLayoutPreviewPayload(
            pdf_data_url="data:application/pdf;base64," + base64.b64encode(pdf).decode())

    return await mutate(info, InvoiceLayoutPreviewPayload,
                        lambda s: layouts.effective(session=s, seller_id=seller_id), done)


async def load_document(info: Info, document_id: uuid.UUID) -> Document | None:
    """A document by id: staff see their seller's, a customer its own (never a schet-factura: RLS)."""
    row = await info.context.run(lambda s: service.get(session=s, document_id=document_id, with_content=False))
    return Document.from_model(row, download_url(row.seller_id, row.id)) if row else None
