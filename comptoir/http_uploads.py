"""File uploads by the GraphQL multipart request spec (github.com/jaydenseric/graphql-multipart-request-spec).

A multipart/form-data POST carries `operations` (the JSON request), `map` (which file goes where in the
variables: {"0": ["variables.input.content"]}) and the files. The body may be as large as the largest
upload setting plus the 1 MB the JSON request may take; a larger one is refused (413) while it streams.
Files are spooled to disk past 1 MB by Starlette and reach resolvers as the `Upload` scalar.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.types import Message

from comptoir.http_input import (
    MAX_BODY_BYTES,
    SURROGATE_ESCAPE,
    GraphQLParams,
    RequestError,
    params_from_mapping,
    refuse_surrogates,
)

MULTIPART = "multipart/form-data"
MAX_FILES = 10
PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"


class _BodyTooLarge(Exception):
    pass


def is_multipart(request: Request) -> bool:
    return request.headers.get("content-type", "").split(";")[0].strip().lower() == MULTIPART


def _too_large(max_bytes: int) -> RequestError:
    return RequestError(f"An upload may hold at most {max_bytes} bytes.", status=413, code=PAYLOAD_TOO_LARGE)


def _bounded(request: Request, limit: int) -> Request:
    """The same request, whose body stops being read as soon as it passes `limit` bytes."""
    received = 0

    async def receive() -> Message:
        nonlocal received
        message = await request.receive()
        received += len(message.get("body", b""))
        if received > limit:
            raise _BodyTooLarge
        return message

    return Request(request.scope, receive)


@asynccontextmanager
async def multipart_params(request: Request, *, max_bytes: int) -> AsyncIterator[GraphQLParams]:
    """The request's parameters with its files in the variables; the files are closed on exit."""
    limit = max_bytes + MAX_BODY_BYTES
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(max_bytes)
    try:
        form = await _bounded(request, limit).form(max_files=MAX_FILES, max_fields=2 + MAX_FILES,
                                                   max_part_size=MAX_BODY_BYTES)
    except _BodyTooLarge:
        raise _too_large(max_bytes) from None
    except (MultiPartException, HTTPException) as error:
        raise RequestError(f"The multipart request is malformed: {getattr(error, 'detail', error)}") from None
    try:
        yield _params(form, max_bytes)
    finally:
        await form.close()


def _params(form: FormData, max_bytes: int) -> GraphQLParams:
    operations, files_map = form.get("operations"), form.get("map")
    if not isinstance(operations, str) or not isinstance(files_map, str):
        raise RequestError("A multipart request needs the 'operations' and 'map' fields, in that order.")
    data, paths = _json(operations, "operations"), _json(files_map, "map")
    params = params_from_mapping(data)
    if SURROGATE_ESCAPE.search(operations.encode()):
        refuse_surrogates(params)
    if not isinstance(paths, dict):
        raise RequestError("The 'map' field must be a JSON object.")
    for name, targets in paths.items():
        upload = form.get(name)
        if not isinstance(upload, UploadFile):
            raise RequestError(f"The file '{name}' named in 'map' is missing.")
        if upload.size is not None and upload.size > max_bytes:
            raise _too_large(max_bytes)
        if not isinstance(targets, list) or not targets:
            raise RequestError(f"'map.{name}' must be a list of variable paths.")
        for target in targets:
            _place(data, target, upload)
    return params


def _json(text: str, name: str) -> Any:
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise RequestError(f"The '{name}' field is not valid JSON.") from None


def _place(data: dict[str, Any], target: Any, upload: UploadFile) -> None:
    """Put `upload` at `target` ("variables.input.content"), where the operations hold null."""
    if not isinstance(target, str) or not target.startswith("variables."):
        raise RequestError(f"A file may only be placed in the variables, not at '{target}'.")
    segments = target.split(".")
    holder: Any = data
    for position, segment in enumerate(segments):
        key: Any = int(segment) if isinstance(holder, list) and segment.isdigit() else segment
        valid = (isinstance(holder, dict) and key in holder) or (
            isinstance(holder, list) and isinstance(key, int) and key < len(holder))
        if not valid:
            raise RequestError(f"The path '{target}' in 'map' names no variable.")
        if position == len(segments) - 1:
            if holder[key] is not None:
                raise RequestError(f"The variable at '{target}' must be null where a file goes.")
            holder[key] = upload
        else:
            holder = holder[key]
