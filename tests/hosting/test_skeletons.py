"""The seller's skeleton service (SPEC §4.10): one checked archive per seller, "Default" restores the stock one."""

from __future__ import annotations

import hashlib

import pytest

from comptoir.database.engine import session_scope
from comptoir.hosting import skeletons
from comptoir.hosting.skeleton_archive import ArchiveFormat, SkeletonError, SkeletonErrorCode
from comptoir.provisioning import stock_skeleton
from comptoir.tenancy.context import Role, TenantContext
from tests import factories
from tests.hosting import archive_builders as build
from tests.hosting.archive_builders import FRIENDLY, file


@pytest.fixture
def sellers():
    provider = factories.provider()
    return factories.reseller(provider, "Alpha Hosting", "alpha"), factories.reseller(provider, "Beta Web", "beta")


def _as(seller: factories.Actor):
    return session_scope(TenantContext(Role.RESELLER, seller.seller_id))


def test_an_uploaded_archive_becomes_the_sellers_skeleton(sellers):
    # given
    alpha, _ = sellers
    archive = build.tar(FRIENDLY, gzip=True)
    # when
    with _as(alpha) as session:
        skeletons.upload(session, seller_id=alpha.seller_id, filename="C:\\Users\\me\\site.tgz", archive=archive)
    # then
    with _as(alpha) as session:
        description = skeletons.describe(session, seller_id=alpha.seller_id)
        assert skeletons.archive_for(session, seller_id=alpha.seller_id) == archive
    assert description.is_default is False
    assert description.filename == "site.tgz"
    assert description.sha256 == hashlib.sha256(archive).hexdigest()
    assert description.size == len(archive)
    assert description.uploaded_at is not None


def test_a_new_upload_replaces_the_previous_one(sellers):
    # given
    alpha, _ = sellers
    first, second = build.tar(FRIENDLY), build.zip_(FRIENDLY)
    with _as(alpha) as session:
        skeletons.upload(session, seller_id=alpha.seller_id, filename="one.tar", archive=first)
    # when
    with _as(alpha) as session:
        skeletons.upload(session, seller_id=alpha.seller_id, filename="two.zip", archive=second)
    # then
    with _as(alpha) as session:
        assert skeletons.archive_for(session, seller_id=alpha.seller_id) == second
        assert skeletons.describe(session, seller_id=alpha.seller_id).filename == "two.zip"


def test_a_hostile_upload_is_refused_and_the_previous_skeleton_stays(sellers):
    # given
    alpha, _ = sellers
    good = build.tar(FRIENDLY)
    with _as(alpha) as session:
        skeletons.upload(session, seller_id=alpha.seller_id, filename="good.tar", archive=good)
    # when
    with pytest.raises(SkeletonError) as refused, _as(alpha) as session:
        skeletons.upload(session, seller_id=alpha.seller_id, filename="evil.tar",
                         archive=build.tar(FRIENDLY + [file("../../evil.php", b"<?php")]))
    # then
    assert refused.value.code is SkeletonErrorCode.UNSAFE_PATH
    with _as(alpha) as session:
        assert skeletons.archive_for(session, seller_id=alpha.seller_id) == good


def test_a_zip_named_like_a_tgz_is_read_as_a_zip():
    # when
    checked = skeletons.check_upload(filename="site.tgz", archive=build.zip_(FRIENDLY))
    # then
    assert checked.manifest.format is ArchiveFormat.ZIP
    assert checked.filename == "site.tgz"


@pytest.mark.parametrize("filename", ["", "   ", "a" * 256, "bad\x00name.zip", "folder/"])
def test_an_unusable_file_name_is_refused(filename):
    with pytest.raises(SkeletonError) as refused:
        skeletons.check_upload(filename=filename, archive=build.zip_(FRIENDLY))
    assert (refused.value.code, refused.value.field) == (SkeletonErrorCode.INVALID_FILENAME, "filename")


def test_reset_restores_the_stock_skeleton_and_may_be_repeated(sellers):
    # given
    alpha, _ = sellers
    with _as(alpha) as session:
        skeletons.upload(session, seller_id=alpha.seller_id, filename="site.zip", archive=build.zip_(FRIENDLY))
    # when
    with _as(alpha) as session:
        skeletons.reset(session, seller_id=alpha.seller_id)
        skeletons.reset(session, seller_id=alpha.seller_id)
    # then
    with _as(alpha) as session:
        assert skeletons.describe(session, seller_id=alpha.seller_id).is_default
        assert skeletons.archive_for(session, seller_id=alpha.seller_id) is None
    assert skeletons.entries(None) == stock_skeleton.ENTRIES


def test_the_entries_of_a_stored_archive_are_listed():
    assert skeletons.entries(build.tar(FRIENDLY))[:3] == ("anon_ftp/", "anon_ftp/pub/", "cgi-bin/")
    assert "httpdocs/index.html" in stock_skeleton.ENTRIES


def test_a_seller_never_sees_nor_resets_another_sellers_skeleton(sellers):
    # given
    alpha, beta = sellers
    archive = build.tar(FRIENDLY)
    with _as(alpha) as session:
        skeletons.upload(session, seller_id=alpha.seller_id, filename="alpha.tar", archive=archive)
    # when: beta asks for alpha's skeleton by id and tries to reset it
    with _as(beta) as session:
        seen = skeletons.get(session, seller_id=alpha.seller_id)
        described = skeletons.describe(session, seller_id=alpha.seller_id)
        bytes_seen = skeletons.archive_for(session, seller_id=alpha.seller_id)
        skeletons.reset(session, seller_id=alpha.seller_id)
        own = skeletons.describe(session, seller_id=beta.seller_id)
    # then
    assert (seen, bytes_seen, described.is_default, own.is_default) == (None, None, True, True)
    with _as(alpha) as session:
        assert skeletons.archive_for(session, seller_id=alpha.seller_id) == archive


def test_a_seller_cannot_store_a_skeleton_under_another_sellers_id(sellers):
    # given
    alpha, beta = sellers
    # when: the database refuses the row (row-level security), whatever the service was told
    with pytest.raises(Exception) as refused, _as(beta) as session:
        skeletons.upload(session, seller_id=alpha.seller_id, filename="x.tar", archive=build.tar(FRIENDLY))
    # then
    assert "row-level security" in str(refused.value)
    with _as(alpha) as session:
        assert skeletons.describe(session, seller_id=alpha.seller_id).is_default
