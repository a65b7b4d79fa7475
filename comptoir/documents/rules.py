"""Pure arithmetic of documents: the VAT breakdown and totals of a set of lines (EN 16931 BR-CO rules)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from comptoir.documents.model import DocumentLine, TaxCategory, TaxSubtotal


@dataclass(frozen=True)
class Totals:
    breakdown: tuple[TaxSubtotal, ...]
    net_minor: int
    tax_minor: int

    @property
    def total_minor(self) -> int:
        return self.net_minor + self.tax_minor


def line_net_minor(quantity: Decimal, unit_price_minor: int) -> int:
    return int((quantity * unit_price_minor).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def tax_minor(taxable_minor: int, rate: Decimal) -> int:
    """VAT on a taxable amount, rounded half up to the minor unit (BR-S-09: rounded per rate)."""
    return int((Decimal(taxable_minor) * rate / 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def totals(lines: Sequence[DocumentLine], exemption_reasons: dict[TaxCategory, str] | None = None) -> Totals:
    """One subtotal per (category, rate), in the order first seen; tax computed on each subtotal."""
    taxable: dict[tuple[TaxCategory, Decimal], int] = {}
    for line in lines:
        key = (line.tax_category, line.tax_rate)
        taxable[key] = taxable.get(key, 0) + line.net_minor
    reasons = exemption_reasons or {}
    breakdown = tuple(
        TaxSubtotal(category=category, rate=rate, taxable_minor=amount,
                    tax_minor=tax_minor(amount, rate) if category is TaxCategory.STANDARD else 0,
                    exemption_reason=reasons.get(category, ""))
        for (category, rate), amount in taxable.items())
    return Totals(breakdown=breakdown, net_minor=sum(line.net_minor for line in lines),
                  tax_minor=sum(item.tax_minor for item in breakdown))
