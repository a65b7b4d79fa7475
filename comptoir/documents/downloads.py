"""Signed, expiring download links for stored documents, and the plain route that serves them.

The GraphQL field that hands out a link does the authorising; the link itself is the authority
afterwards (HMAC-SHA256 with the instance's secret key over seller, document and expiry). Expiry is
wall-clock time: it protects a URL in transit, it is not a business date.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from comptoir.database.engine import session_scope
from comptoir.documents import service
from comptoir.settings import get_settings
from comptoir.tenancy.context import Role, TenantContext

LINK_LIFETIME_SECONDS = 15 * 60
PATH = "/documents/{document_id}"


def _signature(seller_id: uuid.UUID, document_id: uuid.UUID, expires: int) -> str:
    key = get_settings().secret_key.encode()
    message = f"document:{seller_id}:{document_id}:{expires}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def signed_path(seller_id: uuid.UUID, document_id: uuid.UUID, *, lifetime: int = LINK_LIFETIME_SECONDS,
                now: float | None = None) -> str:
    """`/documents/<id>?seller=…&expires=…&signature=…`, valid for `lifetime` seconds."""
    expires = int((time.time() if now is None else now) + lifetime)
    query = urlencode({"seller": str(seller_id), "expires": expires,
                       "signature": _signature(seller_id, document_id, expires)})
    return f"/documents/{document_id}?{query}"


def verify(seller: str, document_id: str, expires: str, signature: str, *, now: float | None = None
           ) -> tuple[uuid.UUID, uuid.UUID] | None:
    """The (seller, document) a link names if its signature holds and it has not expired."""
    try:
        seller_id, doc_id, deadline = uuid.UUID(seller), uuid.UUID(document_id), int(expires)
    except ValueError:
        return None
    if deadline < (time.time() if now is None else now):
        return None
    if not hmac.compare_digest(_signature(seller_id, doc_id, deadline), signature):
        return None
    return seller_id, doc_id


def _read(seller_id: uuid.UUID, document_id: uuid.UUID) -> tuple[str, str, bytes] | None:
    with session_scope(TenantContext(Role.SYSTEM, seller_id)) as session:
        document = service.get(session=session, document_id=document_id)
        if document is None:
            return None
        return document.filename, document.content_type, document.content


async def download(request: Request) -> Response:
    params = request.query_params
    named = verify(params.get("seller", ""), request.path_params["document_id"], params.get("expires", ""),
                   params.get("signature", ""))
    if named is None:
        return PlainTextResponse("This link is invalid or has expired.", status_code=403)
    found = await run_in_threadpool(_read, *named)
    if found is None:
        return PlainTextResponse("Not found.", status_code=404)
    filename, content_type, content = found
    return Response(content, media_type=content_type, headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "private, max-age=0, no-store", "X-Content-Type-Options": "nosniff"})


def route() -> Route:
    return Route(PATH, download, methods=["GET"])
