"""The Upload scalar: a file sent by the GraphQL multipart request spec (comptoir.http_uploads puts it in
the variables). Strawberry's own accepts any value; ours refuses anything but a file at coercion, so a
string sent in a JSON body is a 400, not a resolver's surprise."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile
from strawberry.file_uploads import Upload
from strawberry.types.scalar import ScalarDefinition, scalar


def _file_only(value: Any) -> UploadFile:
    if isinstance(value, UploadFile):
        return value
    raise ValueError("Send a file here, as multipart/form-data (the GraphQL multipart request spec).")


def _never_serialised(value: Any) -> Any:
    raise TypeError("An Upload is input only.")


FILE_UPLOAD: ScalarDefinition = scalar(
    name="Upload", description="A file, sent by the GraphQL multipart request spec (multipart/form-data).",
    serialize=_never_serialised, parse_value=_file_only)
SCALAR_OVERRIDES: dict[object, Any] = {Upload: FILE_UPLOAD}
