"""Branding (SPEC §1): logo judged by its content, logo link, title-bar text, reset to the stock logo."""

from __future__ import annotations

import base64
import threading
import time

import pytest
from sqlalchemy import delete

from comptoir.database.engine import session_scope
from comptoir.errors import DomainError
from comptoir.panel import branding, images
from comptoir.panel.models import Branding
from comptoir.tenancy.context import Role, TenantContext
from tests import factories
from tests.panel.image_files import gif, jpeg, png
from tests.tenancy.support import cheap_password_hashing  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

KB = 1024


@pytest.fixture
def provider() -> factories.Actor:
    return factories.provider()


@pytest.fixture
def seller(provider) -> factories.Actor:
    return factories.reseller(provider, "Alpha Hosting", "alpha_admin")


def as_staff(seller: factories.Actor):  # type: ignore[no-untyped-def]
    return session_scope(TenantContext(Role.RESELLER, seller.seller_id))


def stored(seller: factories.Actor) -> Branding | None:
    with as_staff(seller) as session:
        return branding.get(session=session, seller_id=seller.seller_id)


def refusal(work) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as caught:
        work()
    return caught.value.code.name


# --- the image rules, on bytes alone ----------------------------------------------------------------------

@pytest.mark.parametrize(("build", "content_type"), [(png, "image/png"), (gif, "image/gif"), (jpeg, "image/jpeg")])
def test_gif_jpeg_and_png_logos_are_read_with_their_pixel_size(build, content_type):
    # when
    image = branding.read_logo(build(180, 50))
    # then
    assert (image.content_type, image.width, image.height) == (content_type, 180, 50)


def test_logo_of_exactly_100_kb_is_accepted():
    assert branding.read_logo(png(120, 50, size=100 * KB)).byte_size == 100 * KB


def test_logo_over_100_kb_is_refused():
    assert refusal(lambda: branding.read_logo(png(120, 50, size=100 * KB + 1))) == "IMAGE_TOO_LARGE"


def test_png_renamed_gif_is_detected_by_content():
    # given a PNG announced as a GIF by its data URL (the only "name" an upload carries)
    upload = "data:image/gif;base64," + base64.b64encode(png(40, 50)).decode()
    # when
    image = branding.read_logo(images.decode_base64(upload, max_bytes=100 * KB, field="logoBase64"))
    # then
    assert image.content_type == "image/png"


@pytest.mark.parametrize("content", [
    b'<svg xmlns="http://www.w3.org/2000/svg" width="50" height="50"/>',
    b"<html><script>alert(1)</script></html>",
    b"BM" + b"\x00" * 60,  # a BMP
    b"RIFF\x1a\x00\x00\x00WEBPVP8 ",
    b"",
])
def test_svg_html_and_other_formats_are_refused_whatever_they_claim_to_be(content):
    assert refusal(lambda: branding.read_logo(content)) == "UNSUPPORTED_IMAGE_TYPE"


@pytest.mark.parametrize("build", [png, gif, jpeg])
def test_truncated_logo_is_refused_as_corrupt(build):
    whole = build(120, 50)
    assert refusal(lambda: branding.read_logo(whole[: len(whole) - 3])) == "CORRUPT_IMAGE"


@pytest.mark.parametrize("build", [png, gif, jpeg])
def test_bytes_after_the_end_of_the_image_are_refused_as_corrupt(build):
    # a polyglot: a valid image followed by a script
    assert refusal(lambda: branding.read_logo(build(120, 50) + b"<script>alert(1)</script>")) == "CORRUPT_IMAGE"


def test_png_with_a_wrong_checksum_is_refused_as_corrupt():
    damaged = bytearray(png(120, 50))
    damaged[20] ^= 0xFF  # inside IHDR: its CRC no longer matches
    assert refusal(lambda: branding.read_logo(bytes(damaged))) == "CORRUPT_IMAGE"


def test_jpeg_without_a_frame_header_is_refused_as_corrupt():
    assert refusal(lambda: branding.read_logo(b"\xff\xd8\xff\xe0\x00\x04ab\xff\xd9")) == "CORRUPT_IMAGE"


def test_gif_without_any_image_is_refused_as_corrupt():
    header_only = b"GIF89a" + b"\x32\x00\x32\x00\x00\x00\x00" + b"\x3b"
    assert refusal(lambda: branding.read_logo(header_only)) == "CORRUPT_IMAGE"


@pytest.mark.parametrize("text", ["not base64!", "data:image/png;base64,@@@@", "iVBORw0KGgo=é"])
def test_text_that_is_not_base64_is_refused(text):
    assert refusal(lambda: images.decode_base64(text, max_bytes=100 * KB, field="logoBase64")) == "INVALID_BASE64"


def test_oversized_upload_is_refused_before_it_is_decoded():
    assert refusal(lambda: images.decode_base64("A" * 200_000, max_bytes=100 * KB, field="logoBase64")
                   ) == "IMAGE_TOO_LARGE"


# --- the seller's branding ------------------------------------------------------------------------------

def test_update_stores_logo_link_and_title(seller):
    # when
    with as_staff(seller) as session:
        branding.update(session=session, seller_id=seller.seller_id, logo=jpeg(200, 50),
                        logo_link_url="https://alpha.example/", title_text="  Alpha Panel  ")
    # then
    row = stored(seller)
    assert row is not None
    assert (row.logo_content_type, row.logo_link_url, row.title_text) == (
        "image/jpeg", "https://alpha.example/", "Alpha Panel")
    logo = branding.logo_of(row)
    assert logo is not None and (logo.width, logo.height) == (200, 50)


def test_refused_logo_stores_nothing(seller):
    with as_staff(seller) as session:
        # when a valid link and title come with an oversized logo
        with pytest.raises(DomainError):
            branding.update(session=session, seller_id=seller.seller_id, logo=png(10, 10, size=100 * KB + 1),
                            logo_link_url="https://alpha.example/", title_text="Alpha")
        # then
        assert branding.get(session=session, seller_id=seller.seller_id) is None


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "data:text/html,hi", "ftp://files.example/", "//alpha.example/", "alpha.example",
    "http://", "https://alpha.example/a b", "https://alpha.example/\r\nSet-Cookie: x", "https://alpha.example:99999/",
    "https://alpha.example/" + "x" * 2048,
])
def test_logo_link_must_be_an_absolute_http_or_https_url(seller, url):
    with as_staff(seller) as session:
        assert refusal(lambda: branding.update(session=session, seller_id=seller.seller_id, logo_link_url=url)
                       ) == "INVALID_URL"


def test_empty_logo_link_and_title_clear_them(seller):
    with as_staff(seller) as session:
        branding.update(session=session, seller_id=seller.seller_id, logo_link_url="http://alpha.example",
                        title_text="Alpha")
    # when
    with as_staff(seller) as session:
        branding.update(session=session, seller_id=seller.seller_id, logo_link_url=" ", title_text="")
    # then
    row = stored(seller)
    assert row is not None and (row.logo_link_url, row.title_text) == ("", "")


@pytest.mark.parametrize("title", ["x" * 256, "Alpha\nPanel", "Alpha\x00"])
def test_title_text_is_one_line_of_at_most_255_characters(seller, title):
    with as_staff(seller) as session:
        assert refusal(lambda: branding.update(session=session, seller_id=seller.seller_id, title_text=title)
                       ) == "INVALID_TITLE"


def test_reset_restores_stock_logo(seller):
    # given
    with as_staff(seller) as session:
        branding.update(session=session, seller_id=seller.seller_id, logo=png(120, 50), title_text="Alpha")
    # when
    with as_staff(seller) as session:
        branding.reset_logo(session=session, seller_id=seller.seller_id)
    # then the logo is gone, the title stays
    row = stored(seller)
    assert row is not None and branding.logo_of(row) is None and row.title_text == "Alpha"


def test_reset_without_other_customisation_removes_the_branding_row(seller):
    with as_staff(seller) as session:
        branding.update(session=session, seller_id=seller.seller_id, logo=gif(120, 50))
    # when
    with as_staff(seller) as session:
        assert branding.reset_logo(session=session, seller_id=seller.seller_id) is None
    # then
    assert stored(seller) is None


def test_concurrent_first_uploads_of_one_seller_both_succeed(seller):
    # given one transaction that created the row and has not committed yet
    first_wrote, errors = threading.Event(), []
    release = threading.Event()

    def first() -> None:
        with as_staff(seller) as session:
            branding.update(session=session, seller_id=seller.seller_id, title_text="first")
            first_wrote.set()
            release.wait(5)

    def second() -> None:
        try:
            with as_staff(seller) as session:
                branding.update(session=session, seller_id=seller.seller_id, logo=png(120, 50))
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    assert first_wrote.wait(5)
    threads[1].start()
    time.sleep(0.3)  # the second now waits on the first's row
    release.set()
    for thread in threads:
        thread.join(10)
    # then
    assert errors == []
    row = stored(seller)
    assert row is not None and row.title_text == "first" and branding.logo_of(row) is not None


def test_concurrent_update_and_reset_never_fail(seller):
    """Regression: the row was created, then selected FOR UPDATE in a second statement; a reset deleting it
    in between left the select empty (INTERNAL_ERROR in most rounds of an attack test)."""
    errors: list[Exception] = []

    def run(work, barrier: threading.Barrier) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait(5)
            with as_staff(seller) as session:
                work(session)
        except Exception as error:
            errors.append(error)

    for round_ in range(30):
        # given a logo and nothing else: a reset deletes the row
        with as_staff(seller) as session:
            branding.update(session=session, seller_id=seller.seller_id, logo=png(120, 50))
        barrier = threading.Barrier(2)
        threads = [
            threading.Thread(target=run, args=(lambda s, title=f"round {round_}": branding.update(
                session=s, seller_id=seller.seller_id, title_text=title), barrier)),
            threading.Thread(target=run, args=(lambda s: branding.reset_logo(session=s, seller_id=seller.seller_id), barrier)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        # then both finished, in one order or the other
        assert errors == []
        row = stored(seller)
        assert row is not None and row.title_text == f"round {round_}"
        with as_staff(seller) as session:
            branding.reset_logo(session=session, seller_id=seller.seller_id)
            session.execute(delete(Branding))


def test_reseller_never_sees_another_resellers_branding(provider, seller):
    # given
    other = factories.reseller(provider, "Bravo Hosting", "bravo_admin")
    with as_staff(seller) as session:
        branding.update(session=session, seller_id=seller.seller_id, logo=png(120, 50), title_text="Alpha")
    # when Bravo asks for Alpha's row by its key
    with as_staff(other) as session:
        # then the database shows nothing
        assert branding.get(session=session, seller_id=seller.seller_id) is None
