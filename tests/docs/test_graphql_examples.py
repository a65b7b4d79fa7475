"""Every GraphQL example in the README and the docs is valid against the real schema; every link resolves."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import ExecutableDefinitionNode, parse, validate

from comptoir.schema.root import schema

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", ROOT / "docs" / "graphql.md", ROOT / "docs" / "architecture.md",
             ROOT / "docs" / "tenancy.md"]
BLOCK = re.compile(r"```graphql\n(.*?)```", re.S)


def examples() -> list[tuple[str, str]]:
    return [(f"{path.name}#{number}", block)
            for path in DOCUMENTS
            for number, block in enumerate(BLOCK.findall(path.read_text(encoding="utf-8")), start=1)]


def test_the_documents_hold_examples():
    assert len(examples()) >= 8


@pytest.mark.parametrize(("where", "document"), examples(), ids=[where for where, _ in examples()])
def test_example_is_valid_against_the_schema(where, document):
    parsed = parse(document)
    if all(isinstance(definition, ExecutableDefinitionNode) for definition in parsed.definitions):
        errors = validate(schema._schema, parsed)
        assert not errors, f"{where}: {[e.message for e in errors]}"
        return
    for definition in parsed.definitions:  # a quoted piece of the schema: its types and fields exist
        named = schema._schema.get_type(definition.name.value)
        assert named is not None, f"{where}: no type {definition.name.value}"
        for field in getattr(definition, "fields", None) or []:
            assert field.name.value in named.fields, f"{where}: no field {named.name}.{field.name.value}"


LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize("path", sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")]),
                         ids=lambda path: path.name)
def test_relative_links_point_at_files_of_the_repository(path):
    targets = [t for t in LINK.findall(path.read_text(encoding="utf-8")) if "://" not in t]
    missing = [t for t in targets if not (path.parent / t).exists()]
    assert not missing, f"{path.name} links to missing {missing}"
