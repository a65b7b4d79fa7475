"""Every domain error code reaches the client as itself: mapped by identity, checked when the schema is built."""

from __future__ import annotations

import enum
import importlib
import pkgutil

import pytest
from graphql import GraphQLEnumType

import comptoir
from comptoir.errors import DomainError, DomainErrors, ErrorCode
from comptoir.schema import base
from comptoir.schema.root import schema
from tests import factories
from tests.tenancy.support import cheap_password_hashing  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")


def _all_domain_code_enums() -> list[type[ErrorCode]]:
    for module in pkgutil.walk_packages(comptoir.__path__, "comptoir."):
        importlib.import_module(module.name)  # a code enum in a module nothing imports yet counts too
    return base._domain_code_enums()


def _error_types() -> list[type]:
    """Every UserError implementation the schema serves."""
    return [t for t in base.UserError.__subclasses__() if schema._schema.get_type(t.__name__) is not None]


def test_every_domain_error_code_has_a_member_in_some_schema_enum():
    # given every ErrorCode subclass of the package
    domains = _all_domain_code_enums()
    assert len(domains) >= 10
    # then each member is carried by at least one schema enum, under its own name
    carried = {code for codes in base._CODE_MAPS.values() for code in codes}
    missing = [f"{type(code).__name__}.{code.name}" for domain in domains for code in domain if code not in carried]
    assert missing == []
    base.check_error_codes()


@pytest.mark.parametrize("error_type", _error_types(), ids=lambda t: t.__name__)
def test_each_code_a_payload_carries_is_serialised_as_its_own_name(error_type):
    # given the domain codes the payload's enum maps
    codes = base._code_map_of(error_type)
    graphql_enum = schema._schema.get_type(error_type.__name__ + "Code")
    assert isinstance(graphql_enum, GraphQLEnumType)
    for code in codes:
        # when a service raises it
        [converted] = base.user_errors(DomainError(code, "why", field="name"), error_type)
        # then the client reads the very same name
        assert graphql_enum.serialize(converted.code) == code.name, code


def test_a_code_no_schema_enum_carries_stops_the_schema_from_being_built():
    # given a new domain code enum nobody added to a payload's enum
    class OrphanErrorCode(ErrorCode):
        LOST = "lost"

    try:
        # then building the schema refuses, naming it
        with pytest.raises(TypeError, match="OrphanErrorCode"):
            base.check_error_codes()
    finally:
        del OrphanErrorCode
        import gc

        gc.collect()  # __subclasses__ holds weak references: the orphan must not leak into other tests
    base.check_error_codes()


def test_a_code_outside_the_payloads_enum_is_an_internal_error_not_a_silent_invalid():
    from comptoir.hosting.ip_rules import IpAddressErrorCode
    from comptoir.schema.branding import BrandingError

    with pytest.raises(base.UnmappedErrorCode):
        base.user_errors(DomainError(IpAddressErrorCode.ADDRESS_TAKEN), BrandingError)


def test_collected_errors_become_one_payload_error_each_with_their_paths():
    from comptoir.hosting.errors import HostingErrorCode
    from comptoir.schema.hosting import HostingError

    error = DomainErrors([DomainError(HostingErrorCode.INVALID_DOMAIN, field="domainName"),
                          DomainError(HostingErrorCode.INVALID_LOGIN, field="systemLogin")]).under("subscription")
    converted = base.user_errors(error, HostingError)
    assert [(e.field, e.code.name) for e in converted] == [
        ("subscription.domainName", "INVALID_DOMAIN"), ("subscription.systemLogin", "INVALID_LOGIN")]


# --- the codes that used to arrive as INVALID, end to end ------------------------------------------------

PROFILE = """mutation($input: ProfileUpdateInput!) { profileUpdate(input: $input) { errors { code field } } }"""
PREFERENCES = """mutation($language: String!) {
  preferencesUpdate(input: {language: $language}) { errors { code field } } }"""


async def test_too_long_and_unsupported_language_reach_the_client_as_themselves(client):
    factories.provider("root")
    token = await client.login("root", factories.PASSWORD)
    too_long = await client.execute(PROFILE, {"input": {"fullName": "x" * 300}}, token=token)
    assert too_long["data"]["profileUpdate"]["errors"] == [{"code": "TOO_LONG", "field": "fullName"}]
    language = await client.execute(PREFERENCES, {"language": "tlh"}, token=token)
    assert language["data"]["preferencesUpdate"]["errors"] == [{"code": "UNSUPPORTED_LANGUAGE", "field": "language"}]


def test_schema_enums_are_plain_python_enums_keyed_by_the_domain_members():
    for schema_enum, codes in base._CODE_MAPS.items():
        assert issubclass(schema_enum, enum.Enum)
        assert all(codes[code].name == code.name for code in codes)
