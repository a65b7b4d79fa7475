"""The skeleton over GraphQL (SPEC §4.10): mySkeleton, skeletonUpload (base64), skeletonReset."""

from __future__ import annotations

import base64
import hashlib

import pytest

from comptoir.provisioning import stock_skeleton
from comptoir.settings import get_settings
from tests import factories
from tests.hosting import archive_builders as build
from tests.hosting.archive_builders import file, folder
from tests.tenancy.support import cheap_password_hashing  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

MY_SKELETON = "{ mySkeleton { isDefault filename sha256 size uploadedAt entries } }"
MY_SKELETON_WITHOUT_ENTRIES = "{ mySkeleton { isDefault filename sha256 } }"
UPLOAD = """mutation Upload($input: SkeletonUploadInput!) {
  skeletonUpload(input: $input) {
    skeleton { isDefault filename sha256 size entries }
    errors { code field message }
  }
}"""
RESET = "mutation { skeletonReset { skeleton { isDefault filename entries } errors { code field message } } }"

SMALL_SITE = [folder("httpdocs/"), file("httpdocs/index.html", b"<h1>Hello</h1>"), folder("cgi-bin/"),
              folder("anon_ftp/"), folder("error_docs/"), file("error_docs/not_found.html", b"<h1>404</h1>")]
SMALL_SITE_ENTRIES = ["anon_ftp/", "cgi-bin/", "error_docs/", "error_docs/not_found.html", "httpdocs/",
                      "httpdocs/index.html"]


@pytest.fixture
async def tokens(client):
    provider = factories.provider("boss")
    alpha = factories.reseller(provider, "Alpha Hosting", "alpha")
    beta = factories.reseller(provider, "Beta Web", "beta")
    return {"boss": await client.login("boss", factories.PASSWORD),
            "alpha": await client.login(alpha.username, factories.PASSWORD),
            "beta": await client.login(beta.username, factories.PASSWORD)}


async def _upload(client, token, archive: bytes, filename: str = "site.tgz"):
    variables = {"input": {"filename": filename, "contentBase64": base64.b64encode(archive).decode()}}
    result = await client.execute(UPLOAD, variables, token=token)
    assert "errors" not in result, result
    return result["data"]["skeletonUpload"]


async def _my_skeleton(client, token, query: str = MY_SKELETON):
    result = await client.execute(query, token=token)
    assert "errors" not in result, result
    return result["data"]["mySkeleton"]


async def test_a_seller_without_an_upload_has_the_stock_skeleton(client, tokens):
    # when
    skeleton = await _my_skeleton(client, tokens["alpha"])
    # then
    assert skeleton == {"isDefault": True, "filename": None, "sha256": None, "size": None, "uploadedAt": None,
                        "entries": list(stock_skeleton.ENTRIES)}


async def test_an_uploaded_tgz_becomes_the_skeleton(client, tokens):
    # given
    archive = build.tar(SMALL_SITE, gzip=True)
    # when
    payload = await _upload(client, tokens["alpha"], archive)
    # then
    sha256 = hashlib.sha256(archive).hexdigest()
    assert payload == {"errors": [], "skeleton": {"isDefault": False, "filename": "site.tgz", "sha256": sha256,
                                                  "size": len(archive), "entries": SMALL_SITE_ENTRIES}}
    skeleton = await _my_skeleton(client, tokens["alpha"])
    assert (skeleton["isDefault"], skeleton["sha256"], skeleton["entries"]) == (False, sha256, SMALL_SITE_ENTRIES)
    assert skeleton["uploadedAt"] is not None


@pytest.mark.parametrize("archive", [build.tar(SMALL_SITE), build.zip_(SMALL_SITE)], ids=["tar", "zip"])
async def test_tar_and_zip_are_accepted_whatever_their_name(client, tokens, archive):
    # when: named .tgz whatever it is: the content decides
    payload = await _upload(client, tokens["alpha"], archive, filename="site.tgz")
    # then
    assert payload["errors"] == []
    assert payload["skeleton"]["entries"] == SMALL_SITE_ENTRIES


async def test_a_hostile_archive_is_refused_with_a_typed_error_and_changes_nothing(client, tokens):
    # given
    await _upload(client, tokens["alpha"], build.tar(SMALL_SITE, gzip=True))
    before = await _my_skeleton(client, tokens["alpha"])
    evil = build.tar(SMALL_SITE + [file("httpdocs/../../../etc/cron.d/evil", b"* * * * * root sh")], gzip=True)
    # when
    payload = await _upload(client, tokens["alpha"], evil)
    # then
    assert payload["skeleton"] is None
    assert payload["errors"] == [{"code": "UNSAFE_PATH", "field": "contentBase64",
                                  "message": 'The entry "httpdocs/../../../etc/cron.d/evil" leaves the archive\'s root.'}]
    assert await _my_skeleton(client, tokens["alpha"]) == before


@pytest.mark.parametrize("archive, code", [
    (build.zip_(SMALL_SITE, symlinks={"httpdocs/passwd": "/etc/passwd"}), "LINK_NOT_ALLOWED"),
    (build.tar(SMALL_SITE + [folder("www/")]), "UNEXPECTED_ROOT_ENTRY"),
    (b"MZ\x90\x00 not an archive at all", "UNKNOWN_FORMAT"),
], ids=["symlink", "wrong root folder", "unknown format"])
async def test_each_refusal_has_its_code(client, tokens, archive, code):
    # when
    payload = await _upload(client, tokens["alpha"], archive)
    # then
    assert [error["code"] for error in payload["errors"]] == [code]


async def test_content_that_is_not_base64_is_refused(client, tokens):
    # when
    result = await client.execute(UPLOAD, {"input": {"filename": "a.zip", "contentBase64": "not base64 at all!"}},
                                  token=tokens["alpha"])
    # then
    assert result["data"]["skeletonUpload"]["errors"] == [
        {"code": "INVALID_BASE64", "field": "contentBase64", "message": "The content is not valid base64."}]


async def test_an_upload_over_the_maximum_size_is_refused_before_it_is_decoded(client, tokens, monkeypatch):
    # given
    monkeypatch.setattr(get_settings(), "skeleton_max_upload_bytes", 300)
    # when
    payload = await _upload(client, tokens["alpha"], build.tar(SMALL_SITE, gzip=True) + bytes(400))
    # then
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("UPLOAD_TOO_LARGE", "contentBase64")]


async def test_an_empty_file_name_is_refused(client, tokens):
    # when
    payload = await _upload(client, tokens["alpha"], build.zip_(SMALL_SITE), filename=" ")
    # then
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("INVALID_FILENAME", "filename")]


async def test_reset_restores_the_stock_skeleton(client, tokens):
    # given
    await _upload(client, tokens["alpha"], build.zip_(SMALL_SITE))
    # when
    result = await client.execute(RESET, token=tokens["alpha"])
    # then
    assert result["data"]["skeletonReset"] == {
        "errors": [], "skeleton": {"isDefault": True, "filename": None, "entries": list(stock_skeleton.ENTRIES)}}
    assert (await _my_skeleton(client, tokens["alpha"]))["isDefault"] is True


async def test_sellers_never_see_nor_reset_each_others_skeleton(client, tokens):
    # given
    archive = build.tar(SMALL_SITE, gzip=True)
    await _upload(client, tokens["alpha"], archive, filename="alpha.tgz")
    # when
    seen_by_beta = await _my_skeleton(client, tokens["beta"])
    seen_by_provider = await _my_skeleton(client, tokens["boss"])
    await client.execute(RESET, token=tokens["beta"])
    await client.execute(RESET, token=tokens["boss"])
    # then
    assert seen_by_beta["isDefault"] is True and seen_by_beta["filename"] is None
    assert seen_by_provider["isDefault"] is True
    alpha_sees = await _my_skeleton(client, tokens["alpha"])
    assert (alpha_sees["filename"], alpha_sees["sha256"]) == ("alpha.tgz", hashlib.sha256(archive).hexdigest())


async def test_the_provider_has_a_skeleton_of_its_own(client, tokens):
    # when
    payload = await _upload(client, tokens["boss"], build.zip_(SMALL_SITE), filename="provider.zip")
    # then
    assert payload["errors"] == []
    assert (await _my_skeleton(client, tokens["boss"], MY_SKELETON_WITHOUT_ENTRIES))["filename"] == "provider.zip"
    assert (await _my_skeleton(client, tokens["alpha"]))["isDefault"] is True

