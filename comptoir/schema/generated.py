"""GraphQL object and input types generated from the frozen dataclasses of plan values, so the API
always carries every property group of SPEC §4.4 without a hand-kept copy."""

from __future__ import annotations

import enum
import types
import typing
from dataclasses import fields
from typing import Any

import strawberry

_ENUMS: dict[type[enum.Enum], Any] = {}


def graphql_enum(python_enum: type[enum.Enum]) -> Any:
    """Register an enum once (strawberry.enum decorates in place; a second call would re-register)."""
    if python_enum not in _ENUMS:
        _ENUMS[python_enum] = python_enum if hasattr(python_enum, "__strawberry_definition__") else strawberry.enum(
            python_enum)
    return _ENUMS[python_enum]


def _graphql_hint(hint: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in typing.get_args(hint) if a is not type(None)]
        return _graphql_hint(inner) | None
    if origin is frozenset:
        (inner,) = typing.get_args(hint)
        return list[_graphql_hint(inner)]  # type: ignore[misc]
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return graphql_enum(hint)
    return hint


def object_and_input(cls: type[Any], name: str, *, skip: tuple[str, ...] = ()) -> tuple[Any, Any]:
    """A strawberry output type and input type (all fields optional) mirroring dataclass `cls`."""
    hints = typing.get_type_hints(cls)
    names = [f.name for f in fields(cls) if f.name not in skip]
    output_annotations = {n: _graphql_hint(hints[n]) for n in names}
    input_annotations = {n: _optional(_graphql_hint(hints[n])) for n in names}
    output = strawberry.type(type(name, (), {"__annotations__": output_annotations}))
    input_type = strawberry.input(type(f"{name}Input", (), {
        "__annotations__": input_annotations, **{n: strawberry.UNSET for n in names}}))
    return output, input_type


def _optional(hint: Any) -> Any:
    return hint if type(None) in typing.get_args(hint) else hint | None


def to_output(output_type: Any, value: Any) -> Any:
    """Build the GraphQL object from a dataclass instance (frozensets become sorted lists)."""
    kwargs = {}
    for f in fields(output_type):
        item = getattr(value, f.name)
        kwargs[f.name] = sorted(item, key=lambda v: getattr(v, "value", v)) if isinstance(item, frozenset) else item
    return output_type(**kwargs)


def from_input(cls: type[Any], data: Any, base: Any) -> Any:
    """Overlay the set fields of a GraphQL input on `base` (a `cls` instance); unset fields keep base's."""
    if data is None or data is strawberry.UNSET:
        return base
    changes = {}
    for f in fields(cls):
        value = getattr(data, f.name, strawberry.UNSET)
        if value is strawberry.UNSET:
            continue
        changes[f.name] = frozenset(value) if isinstance(getattr(base, f.name), frozenset) and value is not None \
            else value
    return cls(**{**{f.name: getattr(base, f.name) for f in fields(cls)}, **changes})
