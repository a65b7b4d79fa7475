"""Unexpected exceptions reach the client as "Internal error." and a request id, which the log also holds."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from comptoir.tenancy import auth, resellers
from tests import factories

RESELLERS = "{ resellers(first: 5) { edges { node { name } } } }"
PROFILE_UPDATE = """mutation { profileUpdate(input: {fullName: "Renamed"}) { user { fullName } errors { code } } }"""
SECRET = "connection string postgresql://owner:s3cret@db"


def _boom(*args, **kwargs):
    raise RuntimeError(SECRET)


def _log_records_with(caplog, request_id: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if request_id in r.getMessage()]


async def test_an_exception_in_a_resolver_is_masked_and_logged_with_the_request_id(client, monkeypatch, caplog):
    # given
    factories.provider("boss")
    token = await client.login("boss", factories.PASSWORD)
    monkeypatch.setattr(resellers, "list_page", _boom)
    # when
    with caplog.at_level(logging.ERROR, logger="comptoir.graphql"):
        response = await client.http.post("/graphql", json={"query": RESELLERS},
                                          headers={"authorization": f"Bearer {token}"})
    # then
    assert response.status_code == 200
    body = response.json()
    request_id = response.headers["x-request-id"]
    assert body["data"] is None
    assert body["errors"] == [{
        "message": "Internal error.", "locations": [{"line": 1, "column": 3}], "path": ["resellers"],
        "extensions": {"code": "INTERNAL_ERROR", "requestId": request_id},
    }]
    assert SECRET not in response.text
    [record] = _log_records_with(caplog, request_id)
    assert record.exc_info is not None and record.exc_info[1].args == (SECRET,)


async def test_a_failure_before_execution_is_masked_too_and_is_a_500(client, monkeypatch, caplog):
    # given the token check itself fails (the database went away between two requests, say)
    monkeypatch.setattr(auth, "authenticate", _boom)
    # when
    with caplog.at_level(logging.ERROR, logger="comptoir.graphql"):
        response = await client.http.post("/graphql", json={"query": "{ me { username } }"}, headers={
            "authorization": "Bearer some-token", "accept": "application/graphql-response+json"})
    # then
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/graphql-response+json")
    request_id = response.headers["x-request-id"]
    assert response.json() == {"errors": [
        {"message": "Internal error.", "extensions": {"code": "INTERNAL_ERROR", "requestId": request_id}}]}
    assert SECRET not in response.text
    assert len(_log_records_with(caplog, request_id)) == 1


async def test_a_failed_commit_shows_no_data_of_the_rolled_back_mutation(client, monkeypatch, superuser_connection):
    # given
    factories.provider("boss")
    token = await client.login("boss", factories.PASSWORD)

    async def failing_commit(self):
        raise RuntimeError(SECRET)

    monkeypatch.setattr(AsyncSession, "commit", failing_commit)
    # when
    response = await client.http.post("/graphql", json={"query": PROFILE_UPDATE},
                                      headers={"authorization": f"Bearer {token}"})
    # then
    assert response.status_code == 500
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["INTERNAL_ERROR"]
    assert "data" not in response.json()
    assert superuser_connection.execute("SELECT full_name FROM users WHERE username = 'boss'").fetchone() == ("",)


async def test_every_response_carries_a_fresh_request_id(client):
    first = await client.http.post("/graphql", json={"query": "{ __typename }"})
    second = await client.http.post("/graphql", json={"query": "{"})
    assert first.headers["x-request-id"] != second.headers["x-request-id"]
