"""Documents (issue 12): invoice, credit note, statement and schet-factura PDFs, Factur-X and UBL.

Other domains hand an `InvoiceDocument` (comptoir.documents.model) to `issue_pdf` when they issue one;
nothing here reads their tables.
"""

from comptoir.documents.service import get_by_subject, issue_pdf

__all__ = ["get_by_subject", "issue_pdf"]
