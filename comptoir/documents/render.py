"""InvoiceDocument + Layout -> PDF bytes: Jinja2 (sandboxed, auto-escaped) HTML and CSS, WeasyPrint,
the stationery merged under every page with pypdf, and for invoices and credit notes the Factur-X
(EN 16931 CII) XML embedded in a PDF/A-3 file.

Nothing is fetched while rendering: images come as data: URLs and any other URL is refused.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import facturx
import pypdf
from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal
from jinja2 import FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from comptoir.documents import cii
from comptoir.documents.labels import labels_for, title
from comptoir.documents.layout import Layout
from comptoir.documents.model import DocumentKind, InvoiceDocument
from comptoir.money import Money

TEMPLATES = Path(__file__).parent / "templates"
PAGE_TOP_MM, PAGE_LEFT_MM = Decimal("15"), Decimal("20")
ADDRESS_FIELD_HEIGHT_MM = Decimal("45")
FONTS = Path(__file__).parent / "fonts"
# The families a layout may choose (comptoir.documents.layout.FONTS), bundled as regular and bold.
FONT_FILES = {"DejaVu Sans": ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
              "DejaVu Serif": ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf")}
FACTURX_KINDS = (DocumentKind.INVOICE, DocumentKind.CREDIT_NOTE)


class OfflineFetcher(URLFetcher):  # type: ignore[misc]
    """data: URLs (the embedded logo) and the bundled fonts; never the network or another file."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data", "file"))

    def fetch(self, url: str, headers: Any = None) -> Any:
        if not (url.startswith("data:") or url.startswith(FONTS.as_uri() + "/")):
            raise ValueError(f"documents fetch nothing: {url[:80]}")
        return super().fetch(url, headers)


def css_string(value: object) -> str:
    """A quoted CSS string that cannot end the string, the declaration or the style sheet."""
    escaped = "".join(ch if ch.isalnum() or ch in " .,:;-_()/'@&+" else f"\\{ord(ch):x} " for ch in str(value))
    return f'"{escaped}"'


@cache
def _environments() -> tuple[SandboxedEnvironment, SandboxedEnvironment]:
    html = SandboxedEnvironment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                                undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    html.filters.update(money=_money, number=_number, percent=_percent, country=_country, day=_day)
    css = SandboxedEnvironment(loader=FileSystemLoader(TEMPLATES), autoescape=False, undefined=StrictUndefined)
    css.filters["css_string"] = css_string
    return html, css


@cache
def _fonts() -> tuple[FontConfiguration, CSS]:
    """One font configuration for the process, with the bundled faces registered once."""
    config = FontConfiguration()
    faces = "".join(
        f'@font-face {{ font-family: "Document {family}"; font-weight: {weight}; src: url({(FONTS / file).as_uri()}); }}'
        for family, files in FONT_FILES.items() for weight, file in zip(("normal", "bold"), files, strict=True))
    return config, CSS(string=faces, font_config=config, url_fetcher=OfflineFetcher())


def _doc(context: Context) -> InvoiceDocument:
    return context["doc"]  # type: ignore[no-any-return]


@pass_context
def _money(context: Context, minor: int) -> str:
    document = _doc(context)
    return Money(minor, document.currency).formatted(document.language)


@pass_context
def _number(context: Context, value: Decimal) -> str:
    return format_decimal(value.normalize(), locale=_doc(context).language)


@pass_context
def _percent(context: Context, rate: Decimal) -> str:
    return f"{format_decimal(rate.normalize(), locale=_doc(context).language)}\u00a0%"


@pass_context
def _country(context: Context, code: str) -> str:
    return Locale.parse(_doc(context).language).territories.get(code.upper(), code) if code else ""


@pass_context
def _day(context: Context, value: date) -> str:
    return format_date(value, format="medium", locale=_doc(context).language)


def render_html(document: InvoiceDocument, layout: Layout) -> tuple[str, str]:
    """The document's HTML and its style sheet."""
    html_env, css_env = _environments()
    top, left = layout.address_offsets
    values = {
        "doc": document, "layout": layout, "l": labels_for(document.language),
        "title": title(document.kind, document.language), "logo_url": layout.logo_data_url(),
        "header_text": layout.header_text, "address_top": top - PAGE_TOP_MM, "address_left": left - PAGE_LEFT_MM,
        "content_top": top - PAGE_TOP_MM + ADDRESS_FIELD_HEIGHT_MM,
    }
    css = css_env.get_template("base.css").render(values)
    name = "schet_factura.html" if document.kind is DocumentKind.SCHET_FACTURA else "invoice.html"
    return html_env.get_template(name).render(values), css


def render_pdf(document: InvoiceDocument, layout: Layout) -> bytes:
    """The finished PDF: what is stored, once, for an issued document."""
    markup, css = render_html(document, layout)
    facturx_wanted = document.kind in FACTURX_KINDS
    config, faces = _fonts()
    pdf = HTML(string=markup, url_fetcher=OfflineFetcher(), base_url="about:blank").write_pdf(
        stylesheets=[faces, CSS(string=css, font_config=config)], font_config=config,
        pdf_variant="pdf/a-3b" if facturx_wanted else None)
    if layout.stationery:
        pdf = merge_stationery(pdf, layout.stationery)
    if facturx_wanted:
        pdf = facturx.generate_from_binary(
            pdf, cii.checked(cii.to_xml(document)), flavor="factur-x", level="en16931", check_xsd=False,
            lang=document.language, pdf_metadata=_metadata(document))
    return pdf


def merge_stationery(pdf: bytes, stationery: bytes) -> bytes:
    """Print the stationery's first page under every page of `pdf`."""
    background = pypdf.PdfReader(io.BytesIO(stationery)).pages[0]
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf)))
    for page in writer.pages:
        page.merge_page(background, over=False)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _metadata(document: InvoiceDocument) -> dict[str, str]:
    kind = title(document.kind, document.language)
    return {"author": document.seller.legal_name, "keywords": "Factur-X, EN 16931",
            "title": f"{document.seller.legal_name}: {kind} {document.number}",
            "subject": f"{kind} {document.number} ({document.buyer.legal_name})"}
