"""The words printed on documents, per language (a small table until the gettext catalogs take over).

Money, numbers and dates are never here: they go through Babel (comptoir.documents.formatting).
"""

from __future__ import annotations

from comptoir.documents.model import DocumentKind

LANGUAGES = ("en", "fr", "de", "es", "ru")
FALLBACK = "en"

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "tax_amount": "Tax amount", "gross": "Total with tax",
        "invoice": "Invoice", "credit_note": "Credit note", "statement": "Account statement",
        "schet_factura": "Invoice (schet-factura)", "number": "Number", "issue_date": "Date of issue",
        "due_date": "Due date", "seller": "Seller", "buyer": "Bill to", "vat_id": "VAT number",
        "description": "Description", "period": "Period", "quantity": "Qty", "unit_price": "Unit price",
        "net": "Net", "vat_rate": "VAT rate", "vat": "VAT", "taxable": "Taxable amount",
        "net_total": "Total excluding VAT", "tax_total": "Total VAT", "total": "Total including VAT",
        "paid": "Amount paid", "balance_due": "Balance due", "payment_terms": "Payment terms",
        "iban": "IBAN", "bic": "BIC", "corrects": "Corrects invoice", "page": "Page", "of": "of",
        "reverse_charge": "Reverse charge: VAT to be accounted for by the recipient.",
        "director": "Director", "chief_accountant": "Chief accountant", "notes": "Notes",
        "vat_breakdown": "VAT breakdown",
    },
    "fr": {
        "tax_amount": "Montant TVA", "gross": "Montant TTC",
        "invoice": "Facture", "credit_note": "Avoir", "statement": "Relevé de compte",
        "schet_factura": "Facture (schet-factura)", "number": "Numéro", "issue_date": "Date d'émission",
        "due_date": "Date d'échéance", "seller": "Vendeur", "buyer": "Facturé à",
        "vat_id": "N° de TVA", "description": "Désignation", "period": "Période", "quantity": "Qté",
        "unit_price": "Prix unitaire", "net": "Montant HT", "vat_rate": "Taux de TVA", "vat": "TVA",
        "taxable": "Base HT", "net_total": "Total HT", "tax_total": "Total TVA", "total": "Total TTC",
        "paid": "Déjà payé", "balance_due": "Reste à payer", "payment_terms": "Conditions de paiement",
        "iban": "IBAN", "bic": "BIC", "corrects": "Rectifie la facture", "page": "Page", "of": "sur",
        "reverse_charge": "Autoliquidation : TVA due par le preneur (article 196 de la directive 2006/112/CE).",
        "director": "Directeur", "chief_accountant": "Comptable en chef", "notes": "Remarques",
        "vat_breakdown": "Détail de la TVA",
    },
    "de": {
        "tax_amount": "Steuerbetrag", "gross": "Brutto",
        "invoice": "Rechnung", "credit_note": "Gutschrift", "statement": "Kontoauszug",
        "schet_factura": "Rechnung (Schet-Faktura)", "number": "Nummer", "issue_date": "Rechnungsdatum",
        "due_date": "Fällig am", "seller": "Verkäufer", "buyer": "Rechnungsempfänger",
        "vat_id": "USt-IdNr.", "description": "Beschreibung", "period": "Zeitraum", "quantity": "Menge",
        "unit_price": "Einzelpreis", "net": "Netto", "vat_rate": "USt-Satz", "vat": "USt",
        "taxable": "Bemessungsgrundlage", "net_total": "Summe netto", "tax_total": "Summe USt",
        "total": "Gesamtbetrag", "paid": "Bereits bezahlt", "balance_due": "Offener Betrag",
        "payment_terms": "Zahlungsbedingungen", "iban": "IBAN", "bic": "BIC",
        "corrects": "Korrigiert Rechnung", "page": "Seite", "of": "von",
        "reverse_charge": "Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge).",
        "director": "Geschäftsführer", "chief_accountant": "Hauptbuchhalter", "notes": "Hinweise",
        "vat_breakdown": "Aufschlüsselung der USt",
    },
    "es": {
        "tax_amount": "Cuota de IVA", "gross": "Importe con IVA",
        "invoice": "Factura", "credit_note": "Factura rectificativa", "statement": "Extracto de cuenta",
        "schet_factura": "Factura (schet-factura)", "number": "Número", "issue_date": "Fecha de emisión",
        "due_date": "Fecha de vencimiento", "seller": "Vendedor", "buyer": "Facturar a",
        "vat_id": "NIF-IVA", "description": "Descripción", "period": "Periodo", "quantity": "Cant.",
        "unit_price": "Precio unitario", "net": "Base", "vat_rate": "Tipo de IVA", "vat": "IVA",
        "taxable": "Base imponible", "net_total": "Total sin IVA", "tax_total": "Total IVA",
        "total": "Total con IVA", "paid": "Importe pagado", "balance_due": "Importe pendiente",
        "payment_terms": "Condiciones de pago", "iban": "IBAN", "bic": "BIC",
        "corrects": "Rectifica la factura", "page": "Página", "of": "de",
        "reverse_charge": "Inversión del sujeto pasivo: IVA a cargo del destinatario.",
        "director": "Director", "chief_accountant": "Contable jefe", "notes": "Observaciones",
        "vat_breakdown": "Desglose del IVA",
    },
    "ru": {
        "tax_amount": "Сумма налога", "gross": "Стоимость с налогом",
        "invoice": "Счёт", "credit_note": "Корректировочный счёт", "statement": "Выписка по счёту",
        "schet_factura": "Счёт-фактура", "number": "Номер", "issue_date": "Дата выставления",
        "due_date": "Срок оплаты", "seller": "Продавец", "buyer": "Покупатель", "vat_id": "ИНН",
        "description": "Наименование", "period": "Период", "quantity": "Кол-во",
        "unit_price": "Цена за единицу", "net": "Стоимость без налога", "vat_rate": "Налоговая ставка",
        "vat": "НДС", "taxable": "Налоговая база", "net_total": "Всего без НДС",
        "tax_total": "Сумма НДС", "total": "Всего к оплате", "paid": "Оплачено",
        "balance_due": "Остаток к оплате", "payment_terms": "Условия оплаты", "iban": "IBAN",
        "bic": "БИК", "corrects": "Корректирует счёт", "page": "Страница", "of": "из",
        "reverse_charge": "НДС исчисляется налоговым агентом (покупателем).",
        "director": "Руководитель организации", "chief_accountant": "Главный бухгалтер",
        "notes": "Примечания", "vat_breakdown": "Расшифровка НДС",
    },
}


def labels_for(language: str) -> dict[str, str]:
    return LABELS.get(language, LABELS[FALLBACK])


def title(kind: DocumentKind, language: str) -> str:
    return labels_for(language)[kind.value]
