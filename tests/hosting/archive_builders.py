"""Skeleton archives for tests, friendly and hostile, built in memory.

Bombs are built by repetition, never by compressing their whole content: after a full flush a
deflate compressor is back in its initial state, so the compressed form of one 1 MiB block of zeros
can be repeated to describe a gigabyte in about a megabyte.
"""

from __future__ import annotations

import io
import stat
import struct
import tarfile
import zipfile
import zlib
from dataclasses import dataclass

MiB = 1024 * 1024
GiB = 1024 * MiB
ZEROS = bytes(MiB)


@dataclass(frozen=True)
class Entry:
    name: str
    content: bytes | None = None  # None: a folder
    kind: bytes | None = None  # a tar type (tarfile.SYMTYPE…) to override
    link: str = ""
    mode: int = 0o644


def file(name: str, content: bytes = b"", mode: int = 0o644) -> Entry:
    return Entry(name, content, mode=mode)


def folder(name: str) -> Entry:
    return Entry(name, None, mode=0o755)


FRIENDLY = [
    folder("httpdocs/"), file("httpdocs/index.html", b"<h1>Welcome</h1>"),
    folder("httpdocs/css/"), file("httpdocs/css/site.css", b"body { margin: 0 }" * 50),
    folder("cgi-bin/"), file("cgi-bin/hello.cgi", b"#!/bin/sh\necho hello\n", mode=0o755),
    folder("anon_ftp/"), folder("anon_ftp/pub/"),
    folder("error_docs/"), file("error_docs/not_found.html", b"<h1>Not here</h1>"),
]


def tar(entries: list[Entry], *, gzip: bool = False, format: int = tarfile.GNU_FORMAT) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz" if gzip else "w", format=format) as archive:
        for entry in entries:
            info = tarfile.TarInfo(entry.name)
            info.mode = entry.mode
            if entry.kind is not None:
                info.type = entry.kind
                info.linkname = entry.link
                archive.addfile(info)
            elif entry.content is None:
                info.type = tarfile.DIRTYPE
                archive.addfile(info)
            else:
                info.size = len(entry.content)
                archive.addfile(info, io.BytesIO(entry.content))
    return buffer.getvalue()


def zip_(entries: list[Entry], *, symlinks: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in entries:
            info = zipfile.ZipInfo(entry.name)
            info.create_system = 3
            kind = stat.S_IFDIR if entry.content is None else stat.S_IFREG
            info.external_attr = (kind | entry.mode) << 16
            archive.writestr(info, entry.content or b"")
        for name, target in (symlinks or {}).items():
            info = zipfile.ZipInfo(name)
            info.create_system = 3
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    return buffer.getvalue()


def many_entries_tgz(count: int) -> bytes:
    return tar([folder("httpdocs/")] + [file(f"httpdocs/{i}.html", b"x") for i in range(count)], gzip=True)


def many_entries_zip(count: int) -> bytes:
    return zip_([folder("httpdocs/")] + [folder(f"httpdocs/{i}/") for i in range(count)])


# ---- bombs ---------------------------------------------------------------------------------------

def deflate(head: bytes, zeros: int, tail: bytes = b"") -> bytes:
    """A raw deflate stream of `head`, then `zeros` zero bytes (a multiple of 1 MiB), then `tail`."""
    assert zeros % MiB == 0
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    out = [compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)]
    block = compressor.compress(ZEROS) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(ZEROS) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert block == again, "a full flush must reset the compressor"
    out.append(block * (zeros // MiB))
    out.append(compressor.compress(tail) + compressor.flush())
    return b"".join(out)


def gzip_bomb_tgz(*, declared_size: int, zeros: int = GiB, pax_bomb: bool = False) -> bytes:
    """A tgz whose one file (or, with pax_bomb, whose pax extended header) is `zeros` zero bytes.

    The CRC is not computed (it would take seconds for 1 GiB): a reader must give up long before.
    """
    info = tarfile.TarInfo("httpdocs/zeros.bin")
    info.size = declared_size
    if pax_bomb:
        info.type = tarfile.XHDTYPE  # an extended header whose "records" tarfile would read whole
        info.name = "././@PaxHeader"
    header = info.tobuf(format=tarfile.USTAR_FORMAT)
    body = deflate(header, zeros)
    return b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03" + body + struct.pack("<II", 0, zeros & 0xFFFFFFFF)


def zip_bomb(*, declared_size: int, zeros: int = GiB) -> bytes:
    """A zip whose one member is `zeros` zero bytes, compressed ~1000:1, declaring `declared_size`."""
    name = b"httpdocs/zeros.bin"
    data = deflate(b"", zeros)
    local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0x21, 0, len(data), declared_size,
                        len(name), 0) + name
    central = struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", (3 << 8) | 20, 20, 0, 8, 0, 0x21, 0, len(data),
                          declared_size, len(name), 0, 0, 0, 0, (stat.S_IFREG | 0o644) << 16, 0) + name
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(central), len(local) + len(data), 0)
    return local + data + central + end
