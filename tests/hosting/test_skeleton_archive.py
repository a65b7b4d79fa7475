"""Skeleton archives are hostile input (SPEC §4.10): each attack is refused with its own code and a clear
message, and extraction writes nothing, inside or outside the target."""

from __future__ import annotations

import os
import stat
import tarfile
from pathlib import Path

import pytest

from comptoir.hosting import skeleton_archive
from comptoir.hosting.skeleton_archive import ArchiveFormat, ArchiveLimits, SkeletonError, SkeletonErrorCode
from tests.hosting import archive_builders as build
from tests.hosting.archive_builders import FRIENDLY, Entry, GiB, MiB, file, folder

Code = SkeletonErrorCode


@pytest.fixture(autouse=True)
def clean_tables():
    """These tests touch no table: nothing to clean after them."""
    yield


def _tree(root: Path) -> set[str]:
    return {path.relative_to(root).as_posix() for path in root.rglob("*")}


def _refused_without_writing(tmp_path: Path, data: bytes, limits: ArchiveLimits | None = None) -> SkeletonError:
    """Extract into tmp_path/webspace; the refusal must leave tmp_path exactly as it was."""
    target = tmp_path / "webspace"
    target.mkdir()
    with pytest.raises(SkeletonError) as refused:
        skeleton_archive.extract(data, target, limits or ArchiveLimits())
    assert _tree(tmp_path) == {"webspace"}
    return refused.value


HOSTILE = {
    "tar path traversal": (build.tar(FRIENDLY + [file("../escaped.txt", b"x")]), Code.UNSAFE_PATH),
    "tar traversal inside a root folder": (
        build.tar(FRIENDLY + [file("httpdocs/../../escaped.txt", b"x")]), Code.UNSAFE_PATH),
    "zip path traversal": (build.zip_(FRIENDLY + [file("httpdocs/../../../escaped.txt", b"x")]), Code.UNSAFE_PATH),
    "tar absolute path": (build.tar(FRIENDLY + [file("/tmp/escaped.txt", b"x")]), Code.UNSAFE_PATH),
    "zip absolute path": (build.zip_(FRIENDLY + [file("/tmp/escaped.txt", b"x")]), Code.UNSAFE_PATH),
    "zip drive letter": (build.zip_(FRIENDLY + [file("C:/escaped.txt", b"x")]), Code.UNSAFE_PATH),
    "zip backslashes": (build.zip_(FRIENDLY + [file("httpdocs\\..\\..\\escaped.txt", b"x")]), Code.UNSAFE_PATH),
    "tar control character": (build.tar(FRIENDLY + [file("httpdocs/a\nb.html", b"x")]), Code.UNSAFE_PATH),
    "tar symlink": (build.tar(FRIENDLY + [Entry("httpdocs/passwd", kind=tarfile.SYMTYPE, link="/etc/passwd")]),
                    Code.LINK_NOT_ALLOWED),
    "tar symlink to a folder outside": (
        build.tar([folder("httpdocs/"), Entry("httpdocs/out", kind=tarfile.SYMTYPE, link="../.."),
                   file("httpdocs/out/escaped.txt", b"x")]), Code.LINK_NOT_ALLOWED),
    "zip symlink": (build.zip_(FRIENDLY, symlinks={"httpdocs/passwd": "/etc/passwd"}), Code.LINK_NOT_ALLOWED),
    "tar hard link": (
        build.tar(FRIENDLY + [Entry("httpdocs/shadow", kind=tarfile.LNKTYPE, link="/etc/shadow")]),
        Code.LINK_NOT_ALLOWED),
    "tar character device": (build.tar(FRIENDLY + [Entry("httpdocs/null", kind=tarfile.CHRTYPE)]),
                             Code.SPECIAL_FILE_NOT_ALLOWED),
    "tar block device": (build.tar(FRIENDLY + [Entry("httpdocs/sda", kind=tarfile.BLKTYPE)]),
                         Code.SPECIAL_FILE_NOT_ALLOWED),
    "tar fifo": (build.tar(FRIENDLY + [Entry("httpdocs/pipe", kind=tarfile.FIFOTYPE)]),
                 Code.SPECIAL_FILE_NOT_ALLOWED),
    "wrong folder at the root": (build.tar(FRIENDLY + [folder("www/"), file("www/index.html", b"x")]),
                                 Code.UNEXPECTED_ROOT_ENTRY),
    "file at the root": (build.zip_(FRIENDLY + [file("README.txt", b"x")]), Code.UNEXPECTED_ROOT_ENTRY),
    "root folder name as a file": (build.tar([file("httpdocs", b"x")]), Code.UNEXPECTED_ROOT_ENTRY),
    "same file twice": (build.tar(FRIENDLY + [file("httpdocs/index.html", b"again")]), Code.DUPLICATE_ENTRY),
    "file where a folder is": (build.tar([file("httpdocs/css", b"x"), file("httpdocs/css/a.css", b"x")]),
                               Code.DUPLICATE_ENTRY),
    "10k entries (tgz)": (build.many_entries_tgz(10_000), Code.TOO_MANY_ENTRIES),
    "10k entries (zip)": (build.many_entries_zip(10_000), Code.TOO_MANY_ENTRIES),
    "none of the four folders": (build.tar([folder("./")]), Code.NO_SKELETON_FOLDERS),
    "random bytes": (os.urandom(4096), Code.UNKNOWN_FORMAT),
    "gzip of something that is not a tar": (
        b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03" + build.deflate(b"hello " * 200, 0) + bytes(8),
        Code.UNKNOWN_FORMAT),
    "truncated tgz": (build.tar(FRIENDLY, gzip=True)[:200], Code.CORRUPT_ARCHIVE),
    "truncated zip": (build.zip_(FRIENDLY)[:-30], Code.CORRUPT_ARCHIVE),
}


@pytest.mark.parametrize("data, code", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_archive_is_refused_with_its_code_and_nothing_is_written(tmp_path, data, code):
    # when
    error = _refused_without_writing(tmp_path, data)
    # then
    assert error.code is code
    assert error.field == "contentBase64"
    assert error.message.endswith(".") and len(error.message) < 300


def test_a_path_traversal_message_names_the_entry(tmp_path):
    # when
    error = _refused_without_writing(tmp_path, build.tar(FRIENDLY + [file("../escaped.txt", b"x")]))
    # then
    assert error.message == 'The entry "../escaped.txt" leaves the archive\'s root.'


def test_a_zip_bomb_of_a_gigabyte_declared_at_its_size_is_refused_before_reading(tmp_path):
    # given: 1 GiB of zeros in about 1 MiB
    bomb = build.zip_bomb(declared_size=GiB)
    assert len(bomb) < 2 * MiB
    # when
    error = _refused_without_writing(tmp_path, bomb)
    # then
    assert error.code is Code.FILE_TOO_LARGE


def test_a_zip_bomb_declared_below_the_file_limit_is_caught_by_the_ratio_while_reading(tmp_path):
    # given: declares 19 MiB (under the 20 MiB file limit) and holds 1 GiB
    bomb = build.zip_bomb(declared_size=19 * MiB)
    # when
    error = _refused_without_writing(tmp_path, bomb)
    # then
    assert error.code is Code.COMPRESSION_RATIO_TOO_HIGH


def test_a_zip_bomb_declared_small_is_refused_not_expanded(tmp_path):
    # given: declares 1000 bytes and holds 1 GiB; the reader stops at the declared size, the CRC fails
    bomb = build.zip_bomb(declared_size=1000)
    # when
    error = _refused_without_writing(tmp_path, bomb)
    # then
    assert error.code is Code.CORRUPT_ARCHIVE


def test_a_gzip_bomb_of_a_gigabyte_declared_at_its_size_is_refused_before_reading(tmp_path):
    # given: a tgz holding 1 GiB of zeros in about 1 MiB
    bomb = build.gzip_bomb_tgz(declared_size=GiB)
    assert len(bomb) < 2 * MiB
    # when
    error = _refused_without_writing(tmp_path, bomb)
    # then
    assert error.code is Code.FILE_TOO_LARGE


def test_a_gzip_bomb_declared_below_the_file_limit_is_caught_by_the_ratio_while_reading(tmp_path):
    # when
    error = _refused_without_writing(tmp_path, build.gzip_bomb_tgz(declared_size=19 * MiB))
    # then
    assert error.code is Code.COMPRESSION_RATIO_TOO_HIGH
    assert "compression bomb" in error.message


def test_a_gzip_bomb_hidden_in_a_tar_extended_header_is_stopped_by_counting_the_stream(tmp_path):
    # given: tarfile reads a pax header whole; without the ratio check only the byte count can stop it
    bomb = build.gzip_bomb_tgz(declared_size=GiB, pax_bomb=True)
    # when
    error = _refused_without_writing(tmp_path, bomb, ArchiveLimits(max_compression_ratio=10**9))
    # then
    assert error.code is Code.TOTAL_SIZE_TOO_LARGE


def test_files_adding_up_past_the_total_limit_are_refused_while_reading(tmp_path):
    # given: an uncompressed tar (ratio 1) whose files each pass the file limit
    data = build.tar([folder("httpdocs/")] + [file(f"httpdocs/{i}.bin", os.urandom(300_000)) for i in range(4)])
    limits = ArchiveLimits(max_total_bytes=1_000_000, max_file_bytes=500_000)
    # when
    error = _refused_without_writing(tmp_path, data, limits)
    # then
    assert error.code is Code.TOTAL_SIZE_TOO_LARGE


def test_an_upload_over_the_maximum_size_is_refused_before_it_is_read(tmp_path):
    # when
    error = _refused_without_writing(tmp_path, build.tar(FRIENDLY), ArchiveLimits(max_upload_bytes=1000))
    # then
    assert error.code is Code.UPLOAD_TOO_LARGE


def test_an_encrypted_zip_entry_is_refused(tmp_path):
    # given: the "encrypted" flag set on an entry
    data = bytearray(build.zip_(FRIENDLY))
    central = data.index(b"PK\x01\x02")
    local = data.index(b"PK\x03\x04")
    data[central + 8] |= 1
    data[local + 6] |= 1
    # when
    error = _refused_without_writing(tmp_path, bytes(data))
    # then
    assert error.code is Code.ENCRYPTED_ENTRY


def test_an_empty_upload_is_refused():
    with pytest.raises(SkeletonError) as refused:
        skeleton_archive.inspect(b"")
    assert refused.value.code is Code.EMPTY_UPLOAD


# ---- friendly archives ---------------------------------------------------------------------------

FRIENDLY_ENTRIES = ("anon_ftp/", "anon_ftp/pub/", "cgi-bin/", "cgi-bin/hello.cgi", "error_docs/",
                    "error_docs/not_found.html", "httpdocs/", "httpdocs/css/", "httpdocs/css/site.css",
                    "httpdocs/index.html")

FORMATS = {
    "tar": (build.tar(FRIENDLY), ArchiveFormat.TAR),
    "tar (pax)": (build.tar(FRIENDLY, format=tarfile.PAX_FORMAT), ArchiveFormat.TAR),
    "tgz": (build.tar(FRIENDLY, gzip=True), ArchiveFormat.TAR_GZIP),
    "zip": (build.zip_(FRIENDLY), ArchiveFormat.ZIP),
}


@pytest.mark.parametrize("data, archive_format", FORMATS.values(), ids=FORMATS.keys())
def test_a_friendly_archive_is_extracted_with_its_files_and_nothing_else(tmp_path, data, archive_format):
    # given
    target = tmp_path / "webspace"
    target.mkdir()
    # when
    manifest = skeleton_archive.extract(data, target)
    # then
    assert manifest.format is archive_format
    assert manifest.entries == FRIENDLY_ENTRIES
    assert manifest.file_count == 4
    assert _tree(target) == {entry.rstrip("/") for entry in FRIENDLY_ENTRIES}
    assert (target / "httpdocs/index.html").read_bytes() == b"<h1>Welcome</h1>"
    assert os.stat(target / "cgi-bin/hello.cgi").st_mode & stat.S_IXUSR
    assert not os.stat(target / "httpdocs/index.html").st_mode & (stat.S_IXUSR | stat.S_ISUID)
    assert _tree(tmp_path) == {"webspace"} | {f"webspace/{p}" for p in _tree(target)}


def test_a_tar_made_from_inside_the_folder_with_leading_dot_slash_is_accepted():
    # given: what `tar czf skeleton.tgz -C site .` produces
    data = build.tar([folder("./"), folder("./httpdocs/"), file("./httpdocs/index.html", b"hi")], gzip=True)
    # when
    manifest = skeleton_archive.inspect(data)
    # then
    assert manifest.entries == ("httpdocs/", "httpdocs/index.html")


def test_the_format_comes_from_the_content_not_the_name():
    # given: the reader never sees a file name
    zip_named_tgz = build.zip_(FRIENDLY)
    # then
    assert skeleton_archive.inspect(zip_named_tgz).format is ArchiveFormat.ZIP
    assert skeleton_archive.inspect(build.tar(FRIENDLY, gzip=True)).format is ArchiveFormat.TAR_GZIP


def test_extraction_does_not_follow_a_link_planted_in_the_target_beforehand(tmp_path):
    # given: the target already holds a symlink where a root folder will go
    outside = tmp_path / "outside"
    outside.mkdir()
    target = tmp_path / "webspace"
    target.mkdir()
    (target / "error_docs").symlink_to(outside)
    # when: the archive's error_docs cannot replace the link
    with pytest.raises(OSError):
        skeleton_archive.extract(build.tar(FRIENDLY), target)
    # then
    assert list(outside.iterdir()) == []
