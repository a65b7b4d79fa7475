"""The stock skeleton: what a new webspace holds when its seller uploaded none ("Default", SPEC §4.10)."""

from __future__ import annotations

from pathlib import Path

FOLDERS = ("httpdocs", "cgi-bin", "anon_ftp", "anon_ftp/incoming", "anon_ftp/pub", "error_docs")


def _error_page(status: int, title: str, text: str) -> bytes:
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{status} {title}</title></head>\n"
            f"<body><h1>{title}</h1><p>{text}</p></body></html>\n").encode()


FILES: dict[str, bytes] = {
    "httpdocs/index.html": (
        b"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Coming soon</title></head>\n"
        b"<body><h1>This site is being set up</h1><p>Its owner has not published it yet.</p></body></html>\n"),
    "error_docs/bad_request.html": _error_page(400, "Bad request", "The server could not understand the request."),
    "error_docs/unauthorized.html": _error_page(401, "Unauthorized", "This page needs a login."),
    "error_docs/forbidden.html": _error_page(403, "Forbidden", "You may not see this page."),
    "error_docs/not_found.html": _error_page(404, "Not found", "There is no page at this address."),
    "error_docs/internal_server_error.html": _error_page(
        500, "Internal server error", "The site failed to answer; try again later."),
}

ENTRIES: tuple[str, ...] = tuple(sorted([f"{folder}/" for folder in FOLDERS] + list(FILES)))


def write(target: Path) -> None:
    """Write the stock skeleton into `target` (an existing, empty folder)."""
    for folder in FOLDERS:
        (target / folder).mkdir(mode=0o755, parents=True, exist_ok=True)
    for name, content in FILES.items():
        (target / name).write_bytes(content)
