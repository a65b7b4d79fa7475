"""Query and Mutation fields of documents and the invoice layout (staff)."""

from __future__ import annotations

import strawberry

from comptoir.resolvers import documents as r
from comptoir.schema.base import Connection
from comptoir.schema.documents import (
    Document,
    InvoiceLayout,
    InvoiceLayoutPayload,
    InvoiceLayoutPreviewPayload,
)
from comptoir.schema.permissions import IsStaff


@strawberry.type
class DocumentQuery:
    documents: Connection[Document] = strawberry.field(
        resolver=r.documents, permission_classes=[IsStaff],
        description="The seller's issued documents, newest first unless sorted otherwise.")
    invoice_layout: InvoiceLayout = strawberry.field(
        resolver=r.invoice_layout, permission_classes=[IsStaff],
        description="How documents issued from now on look (the stock layout if never changed).")


@strawberry.type
class DocumentMutation:
    invoice_layout_update: InvoiceLayoutPayload = strawberry.mutation(
        resolver=r.invoice_layout_update, permission_classes=[IsStaff],
        description="Change what is given; documents already issued keep their look.")
    invoice_layout_preview: InvoiceLayoutPreviewPayload = strawberry.mutation(
        resolver=r.invoice_layout_preview, permission_classes=[IsStaff],
        description="Render sample data in the current layout (nothing is stored).")
