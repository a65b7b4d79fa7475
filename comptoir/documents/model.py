"""The document model: everything an invoice-like PDF shows, frozen at issue time (no database rows).

Billing builds an `InvoiceDocument` from its own records and hands it to `documents.issue_pdf`; the
JSON snapshot is what the renderer reads, so changing a seller, a customer or a template afterwards
changes nothing in an issued document. Amounts are integer minor units of `currency`.
"""

from __future__ import annotations

import dataclasses
import enum
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any


class DocumentKind(enum.Enum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"
    STATEMENT = "statement"
    SCHET_FACTURA = "schet_factura"


class TaxCategory(enum.Enum):
    """UNTDID 5305 codes used by EN 16931."""

    STANDARD = "S"
    ZERO = "Z"
    EXEMPT = "E"
    REVERSE_CHARGE = "AE"
    INTRA_COMMUNITY = "K"
    EXPORT = "G"
    NOT_SUBJECT = "O"


@dataclass(frozen=True)
class Party:
    name: str
    company: str = ""
    address_lines: tuple[str, ...] = ()
    city: str = ""
    postal_code: str = ""
    region: str = ""
    country: str = ""  # ISO 3166-1 alpha-2
    vat_id: str = ""
    email: str = ""

    @property
    def legal_name(self) -> str:
        return self.company or self.name


@dataclass(frozen=True)
class DocumentLine:
    description: str
    quantity: Decimal
    unit_price_minor: int
    net_minor: int
    tax_category: TaxCategory = TaxCategory.STANDARD
    tax_rate: Decimal = Decimal("0")  # percent, e.g. Decimal("20")
    tax_minor: int = 0
    period_start: date | None = None
    period_end: date | None = None


@dataclass(frozen=True)
class TaxSubtotal:
    category: TaxCategory
    rate: Decimal
    taxable_minor: int
    tax_minor: int
    exemption_reason: str = ""


@dataclass(frozen=True)
class Signatories:
    """Who signs a Russian schet-factura (руководитель, главный бухгалтер)."""

    director: str = ""
    chief_accountant: str = ""


@dataclass(frozen=True)
class InvoiceDocument:
    kind: DocumentKind
    number: str
    issue_date: date
    currency: str
    language: str
    seller: Party
    buyer: Party
    lines: tuple[DocumentLine, ...]
    breakdown: tuple[TaxSubtotal, ...]
    net_total_minor: int
    tax_total_minor: int
    total_minor: int
    due_date: date | None = None
    amount_paid_minor: int = 0
    balance_due_minor: int = 0
    reverse_charge: bool = False
    reverse_charge_mention: str = ""
    notes: str = ""
    preceding_invoice_number: str = ""  # what a credit note corrects
    payment_terms: str = ""
    iban: str = ""
    bic: str = ""
    signatories: Signatories = field(default_factory=Signatories)

    def to_json(self) -> str:
        return json.dumps(_plain(dataclasses.asdict(self)), sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> InvoiceDocument:
        data = json.loads(text)
        return cls(
            kind=DocumentKind(data["kind"]), number=data["number"],
            issue_date=date.fromisoformat(data["issue_date"]), currency=data["currency"],
            language=data["language"], seller=_party(data["seller"]), buyer=_party(data["buyer"]),
            lines=tuple(_line(line) for line in data["lines"]),
            breakdown=tuple(_subtotal(item) for item in data["breakdown"]),
            net_total_minor=data["net_total_minor"], tax_total_minor=data["tax_total_minor"],
            total_minor=data["total_minor"], due_date=_date(data["due_date"]),
            amount_paid_minor=data["amount_paid_minor"], balance_due_minor=data["balance_due_minor"],
            reverse_charge=data["reverse_charge"], reverse_charge_mention=data["reverse_charge_mention"],
            notes=data["notes"], preceding_invoice_number=data["preceding_invoice_number"],
            payment_terms=data["payment_terms"], iban=data["iban"], bic=data["bic"],
            signatories=Signatories(**data["signatories"]),
        )


def _plain(value: Any) -> Any:
    """Dates as ISO strings, Decimals as strings (never floats), enums as their values."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _party(data: dict[str, Any]) -> Party:
    return Party(**{**data, "address_lines": tuple(data["address_lines"])})


def _line(data: dict[str, Any]) -> DocumentLine:
    return DocumentLine(
        description=data["description"], quantity=Decimal(data["quantity"]),
        unit_price_minor=data["unit_price_minor"], net_minor=data["net_minor"],
        tax_category=TaxCategory(data["tax_category"]), tax_rate=Decimal(data["tax_rate"]),
        tax_minor=data["tax_minor"], period_start=_date(data["period_start"]),
        period_end=_date(data["period_end"]))


def _subtotal(data: dict[str, Any]) -> TaxSubtotal:
    return TaxSubtotal(category=TaxCategory(data["category"]), rate=Decimal(data["rate"]),
                       taxable_minor=data["taxable_minor"], tax_minor=data["tax_minor"],
                       exemption_reason=data["exemption_reason"])
