"""File uploads by the GraphQL multipart request spec: skeleton archives and logos, within the upload limit
(the 1 MB cap of JSON bodies does not apply to them)."""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

import pytest

from comptoir.settings import get_settings
from tests import factories
from tests.hosting import archive_builders as build
from tests.hosting.archive_builders import file, folder
from tests.panel.image_files import png

MB = 1024 * 1024
SKELETON_UPLOAD = """mutation Upload($input: SkeletonUploadInput!) {
  skeletonUpload(input: $input) { skeleton { filename sha256 size entries } errors { code field message } }
}"""
LOGO_UPLOAD = """mutation Logo($input: BrandingUpdateInput!) {
  brandingUpdate(input: $input) { branding { logo { contentType width height byteSize } } errors { code field } }
}"""


@pytest.fixture
async def alpha_token(client) -> str:
    factories.reseller(factories.provider("boss"), "Alpha Hosting", "alpha")
    return await client.login("alpha", factories.PASSWORD)


def _site(payload_bytes: int) -> bytes:
    """A zip whose httpdocs/ holds `payload_bytes` of incompressible data (its size stays about that)."""
    return build.zip_([folder("httpdocs/"), file("httpdocs/index.html", b"<h1>Hi</h1>"),
                       file("httpdocs/video.bin", os.urandom(payload_bytes))])


async def _multipart(client, token: str | None, query: str, variables: dict[str, Any],
                     files: dict[str, tuple[list[str], str, bytes]]):
    """POST by the multipart request spec; files: name -> (variable paths, filename, content)."""
    form = {"operations": json.dumps({"query": query, "variables": variables}),
            "map": json.dumps({name: paths for name, (paths, _, _) in files.items()})}
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return await client.http.post("/graphql", data=form, headers=headers,
                                  files={name: (filename, content) for name, (_, filename, content) in files.items()})


async def test_a_5_mb_skeleton_is_uploaded_as_a_file(client, alpha_token):
    # given an archive five times the JSON body cap
    archive = _site(5 * MB)
    assert len(archive) > 5 * MB
    # when
    response = await _multipart(client, alpha_token, SKELETON_UPLOAD,
                                {"input": {"filename": "site.zip", "content": None}},
                                {"0": (["variables.input.content"], "site.zip", archive)})
    # then
    assert response.status_code == 200, response.text
    payload = response.json()["data"]["skeletonUpload"]
    assert payload == {"errors": [], "skeleton": {
        "filename": "site.zip", "sha256": hashlib.sha256(archive).hexdigest(), "size": len(archive),
        "entries": ["httpdocs/", "httpdocs/index.html", "httpdocs/video.bin"]}}


async def test_an_upload_over_the_limit_is_refused_with_413(client, alpha_token, monkeypatch):
    # given
    monkeypatch.setattr(get_settings(), "skeleton_max_upload_bytes", 2 * MB)
    # when: the body is within limit + 1 MB (the JSON part's share), the file alone is not
    response = await _multipart(client, alpha_token, SKELETON_UPLOAD,
                                {"input": {"filename": "site.zip", "content": None}},
                                {"0": (["variables.input.content"], "site.zip", b"x" * (2 * MB + 1))})
    large = await _multipart(client, alpha_token, SKELETON_UPLOAD,
                             {"input": {"filename": "site.zip", "content": None}},
                             {"0": (["variables.input.content"], "site.zip", b"x" * (4 * MB))})
    # then
    for refused in (response, large):
        assert refused.status_code == 413
        assert refused.json()["errors"][0]["extensions"] == {"code": "PAYLOAD_TOO_LARGE"}


async def test_a_json_body_keeps_its_1_mb_cap(client, alpha_token):
    # when: the same archive base64-encoded in a JSON body
    response = await client.http.post("/graphql", json={"query": SKELETON_UPLOAD, "variables": {
        "input": {"filename": "site.zip", "contentBase64": "A" * (2 * MB)}}},
        headers={"authorization": f"Bearer {alpha_token}"})
    # then
    assert response.status_code == 413


async def test_a_logo_is_uploaded_as_a_file(client, alpha_token):
    logo = png(120, 40)
    response = await _multipart(client, alpha_token, LOGO_UPLOAD, {"input": {"logo": None}},
                                {"logo": (["variables.input.logo"], "logo.png", logo)})
    assert response.status_code == 200, response.text
    assert response.json()["data"]["brandingUpdate"] == {"errors": [], "branding": {"logo": {
        "contentType": "image/png", "width": 120, "height": 40, "byteSize": len(logo)}}}


async def test_a_string_in_place_of_a_file_is_a_variable_error(client, alpha_token):
    response = await client.http.post("/graphql", json={"query": LOGO_UPLOAD, "variables": {
        "input": {"logo": "iVBORw0KGgo="}}}, headers={"authorization": f"Bearer {alpha_token}",
                                                     "accept": "application/graphql-response+json"})
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert "multipart" in error["message"]


@pytest.mark.parametrize("variables, paths, message", [
    ({"input": {"logo": None}}, ["variables.input.missing"], "names no variable"),
    ({"input": {"logo": None}}, ["query"], "only be placed in the variables"),
    ({"input": {"logo": "something"}}, ["variables.input.logo"], "must be null"),
])
async def test_a_wrong_map_is_a_bad_request(client, alpha_token, variables, paths, message):
    response = await _multipart(client, alpha_token, LOGO_UPLOAD, variables,
                                {"0": (paths, "logo.png", png(10, 10))})
    assert response.status_code == 400
    assert message in response.json()["errors"][0]["message"]


async def test_a_multipart_request_without_operations_is_a_bad_request(client, alpha_token):
    response = await client.http.post("/graphql", files={"0": ("a.png", b"x")},
                                      headers={"authorization": f"Bearer {alpha_token}"})
    assert response.status_code == 400
    assert "'operations' and 'map'" in response.json()["errors"][0]["message"]
