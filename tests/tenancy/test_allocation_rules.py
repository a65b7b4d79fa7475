"""Reseller allocations as pure values: limits (None = unlimited), merging, usage (SPEC §2)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comptoir.errors import DomainError
from comptoir.hosting.vocabulary import Resource
from comptoir.tenancy.allocation import (
    AllocationErrorCode,
    ResellerOnlyPermission,
    ResourceUsage,
    granted_permissions,
    merge_limits,
    stored_permissions,
    usage_report,
    validate_limits,
)


@pytest.fixture(autouse=True)
def clean_tables() -> Iterator[None]:
    """Pure functions: no tables to empty after each test."""
    yield

limits = st.one_of(st.none(), st.integers(min_value=0, max_value=10**9))


def test_resources_not_given_are_unlimited():
    stored = validate_limits([(Resource.DISK_SPACE, 100)])
    assert stored[Resource.DISK_SPACE.value] == 100
    assert all(stored[r.value] is None for r in Resource if r is not Resource.DISK_SPACE)


def test_a_negative_limit_is_refused():
    with pytest.raises(DomainError) as refused:
        validate_limits([(Resource.TRAFFIC, -1)])
    assert refused.value.code is AllocationErrorCode.NEGATIVE_LIMIT


def test_a_resource_given_twice_is_refused():
    with pytest.raises(DomainError) as refused:
        validate_limits([(Resource.TRAFFIC, 1), (Resource.TRAFFIC, None)])
    assert refused.value.code is AllocationErrorCode.DUPLICATE_RESOURCE


@given(st.dictionaries(st.sampled_from(list(Resource)), limits), st.dictionaries(st.sampled_from(list(Resource)),
                                                                                 limits))
def test_merging_changes_exactly_the_listed_resources(before, changes):
    stored = validate_limits(before.items())
    merged = merge_limits(stored, list(changes.items()))
    for resource in Resource:
        expected = changes[resource] if resource in changes else stored[resource.value]
        assert merged[resource.value] == expected


@given(limits, st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=10**9), st.booleans())
def test_remaining_is_the_limit_less_usage_with_overselling_else_less_the_limits_given(limit, used, given,
                                                                                        overselling):
    remaining = ResourceUsage(Resource.DISK_SPACE, limit, used, given, overselling).remaining
    bound = used if overselling else given
    assert remaining == (None if limit is None else max(limit - bound, 0))


def test_mailbox_size_is_a_cap_per_mailbox_whose_remaining_is_the_cap():
    assert ResourceUsage(Resource.MAILBOX_SIZE, 500, 0, 400).remaining == 500


def test_a_usage_report_lists_every_resource_once():
    report = usage_report({Resource.CUSTOMERS.value: 3}, {Resource.CUSTOMERS: 1})
    assert [u.resource for u in report] == list(Resource)
    assert next(u for u in report if u.resource is Resource.CUSTOMERS).remaining == 2


def test_permissions_are_stored_for_every_permission_and_read_back_as_granted():
    stored = stored_permissions([ResellerOnlyPermission.CREATE_CUSTOMERS])
    assert stored["create_customers"] is True and stored["set_overselling_policy"] is False
    assert [p.value for p in granted_permissions(stored)] == ["create_customers"]
