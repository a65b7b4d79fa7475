"""POST /webhooks/{config_id}: payment gateways' signed callbacks (verified in comptoir.payments.webhooks)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import JSONResponse

from comptoir.payments import webhooks

MAX_BODY_BYTES = 256 * 1024


async def webhook_endpoint(request: Request) -> JSONResponse:
    try:
        config_id = uuid.UUID(request.path_params["config_id"])
    except ValueError:
        return JSONResponse({"error": "unknown gateway"}, status_code=404)
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        return JSONResponse({"error": "too large"}, status_code=413)
    headers = {key.lower(): value for key, value in request.headers.items()}
    # the processor's timestamp is compared with the wall clock, not the sandbox clock of business dates
    receipt = await asyncio.to_thread(webhooks.receive, config_id, headers, body, datetime.now(UTC))
    return JSONResponse({"outcome": receipt.outcome}, status_code=receipt.status_code)
