"""PDFs read back: labels and number formats per language, stationery, pagination, legal mentions."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

import pytest
from weasyprint import HTML

from comptoir.documents.layout import AddressPosition, Layout
from comptoir.documents.model import DocumentKind
from comptoir.documents.render import OfflineFetcher, css_string, render_html, render_pdf
from comptoir.documents.samples import sample_invoice, sample_schet_factura
from tests.documents.support import pdf_text
from tests.panel.image_files import png


@pytest.fixture(autouse=True)
def clean_tables():
    """Nothing is written here."""
    yield


def stationery(mark: str = "STATIONERY-MARK") -> bytes:
    return HTML(string=f"<p style='margin-top:270mm'>{mark}</p>").write_pdf()


def test_a_french_invoice_has_french_labels_and_decimal_commas():
    text = pdf_text(render_pdf(sample_invoice(language="fr", several_rates=True), Layout()))[0]
    for label in ("Facture", "Désignation", "Total HT", "Total TTC", "Date d'échéance", "Page 1 sur 1"):
        assert label in text
    assert re.search(r"12,50\s€", text) and "5,5\u00a0%" in text
    assert "2 mars 2026" in text and "Allemagne" in text


def test_a_german_invoice_has_german_labels_and_formats():
    text = pdf_text(render_pdf(sample_invoice(language="de"), Layout()))[0]
    for label in ("Rechnung", "Beschreibung", "Summe netto", "USt-IdNr.", "Seite 1 von 1"):
        assert label in text
    assert re.search(r"12,50\s€", text) and "02.03.2026" in text and "Deutschland" in text


def test_a_spanish_invoice_has_spanish_labels_and_formats():
    text = pdf_text(render_pdf(sample_invoice(language="es"), Layout()))[0]
    for label in ("Factura", "Descripción", "Total con IVA", "Página 1 de 1"):
        assert label in text
    assert re.search(r"12,50\s€", text) and "2 mar 2026" in text


def test_a_russian_schet_factura_has_its_layout_and_signatories():
    text = pdf_text(render_pdf(sample_schet_factura(), Layout()))[0]
    for label in ("Счёт-фактура", "Стоимость с налогом", "Сумма налога", "Руководитель организации: Иванов И. И.",
                  "Главный бухгалтер: Сидорова А. П.", "Страница 1 из 1"):
        assert label in text
    assert re.search(r"2\s970,00\s₽", text)


def test_a_russian_invoice_has_russian_labels():
    text = pdf_text(render_pdf(sample_invoice(language="ru"), Layout()))[0]
    assert "Счёт" in text and "Всего к оплате" in text and re.search(r"12,50\s€", text)


def test_a_credit_note_names_the_invoice_it_corrects():
    text = pdf_text(render_pdf(sample_invoice(language="en", kind=DocumentKind.CREDIT_NOTE), Layout()))[0]
    assert "Credit note" in text and "Corrects invoice F-2025-0099" in text


def test_a_statement_renders_without_factur_x():
    pdf = render_pdf(sample_invoice(language="en", kind=DocumentKind.STATEMENT), Layout())
    assert "Account statement" in pdf_text(pdf)[0] and b"factur-x.xml" not in pdf


def test_the_reverse_charge_mention_is_printed_when_due_and_only_then():
    due = pdf_text(render_pdf(sample_invoice(language="fr", reverse_charge=True), Layout()))[0]
    assert "Autoliquidation" in due
    plain = pdf_text(render_pdf(sample_invoice(language="fr"), Layout()))[0]
    assert "Autoliquidation" not in plain


def test_the_stationery_is_under_every_page():
    pages = pdf_text(render_pdf(sample_invoice(language="en", line_count=60), Layout(stationery=stationery())))
    assert len(pages) >= 2
    assert all("STATIONERY-MARK" in page for page in pages)


def test_a_200_line_invoice_paginates_with_repeated_headers_and_page_numbers():
    pages = pdf_text(render_pdf(sample_invoice(language="en", line_count=200), Layout()))
    count = len(pages)
    assert count >= 5
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {count}" in page
        assert "Description" in page and "Unit price" in page  # the table header, on every page
    assert "#200" in pages[-1] and "Total including VAT" in pages[-1]


def test_header_footer_colours_and_logo_reach_the_page():
    layout = Layout(header_text="Hébergement Martin — since 1999", footer_text="SARL au capital de 10 000 €\nRCS Lyon",
                    primary_colour="#aa0000", logo=png(120, 50), logo_content_type="image/png")
    html, css = render_html(sample_invoice(language="en"), layout)
    assert "#aa0000" in css and "data:image/png;base64," in html
    text = pdf_text(render_pdf(sample_invoice(language="en"), layout))[0]
    assert "since 1999" in text and "RCS Lyon" in text


def test_the_address_block_follows_din_5008_or_custom_offsets():
    document = sample_invoice(language="en")
    _, form_a = render_html(document, Layout(address_position=AddressPosition.DIN_5008_A))
    _, custom = render_html(document, Layout(address_position=AddressPosition.CUSTOM,
                                             address_top_mm=Decimal("60"), address_left_mm=Decimal("25")))
    assert "top: 12mm; left: 0mm" in form_a  # 27 mm and 20 mm from the sheet's edge, inside 15/20 mm margins
    assert "top: 45mm; left: 5mm" in custom


def test_seller_text_cannot_break_out_of_the_html_or_the_style_sheet():
    document = sample_invoice(language="en")
    document = replace(document, buyer=replace(document.buyer, name="<script>alert(1)</script>"))
    html, css = render_html(document, Layout(header_text='"; } body { display: none } </style>'))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "</style>" not in css and "display: none }" not in css
    assert css_string('a"b') == '"a\\22 b"'


def test_rendering_fetches_nothing_from_the_network_or_the_disk():
    for url in ("http://example.com/x.png", "file:///etc/passwd"):
        with pytest.raises(ValueError):
            OfflineFetcher().fetch(url)
