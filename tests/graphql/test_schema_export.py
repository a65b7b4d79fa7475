"""schema.graphql, the committed SDL, is the schema the code builds: clients and reviewers read it."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from comptoir.cli import app as cli
from comptoir.schema.root import schema

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"
STALE = "schema.graphql is stale: run `make schema` and commit the result."


def test_the_committed_schema_graphql_is_the_schema_the_code_builds():
    # given
    expected = schema.as_str() + "\n"
    # when
    committed = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.exists() else ""
    # then
    if committed != expected:
        diff = difflib.unified_diff(committed.splitlines(), expected.splitlines(), "schema.graphql (committed)",
                                    "schema.as_str()", lineterm="", n=1)
        pytest.fail(f"{STALE}\n" + "\n".join(list(diff)[:60]))


def test_comptoir_schema_writes_the_sdl(tmp_path):
    output = tmp_path / "schema.graphql"
    result = CliRunner().invoke(cli, ["schema", "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert output.read_text(encoding="utf-8") == schema.as_str() + "\n"
