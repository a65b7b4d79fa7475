"""The provider's `resellers` list: filters, sort, keyset cursors and totalCount (ARCHITECTURE: connections)."""

from __future__ import annotations

import pytest

from tests import factories
from tests.tenancy.support import cheap_password_hashing  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

LIST = """query List($first: Int, $after: String, $filter: ResellerFilterInput, $sort: ResellerSortInput) {
  resellers(first: $first, after: $after, filter: $filter, sort: $sort) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id name status } }
  }
}"""
SUSPEND = "mutation S($id: ID!) { resellerSuspend(input: {id: $id}) { errors { code } } }"
# Names repeat on purpose: ties on the sort column must still page without gaps or duplicates.
NAMES = ["Delta", "alpha", "Charlie", "Bravo", "Alpha", "echo", "Delta", "bravo", "Foxtrot"]


@pytest.fixture
async def boss(client):
    provider = factories.provider("boss")
    for n, name in enumerate(NAMES):
        factories.reseller(provider, name, f"admin{n}")
    return await client.login("boss", factories.PASSWORD)


async def _list(client, boss, **variables):
    result = await client.execute(LIST, variables, token=boss)
    assert "errors" not in result, result
    return result["data"]["resellers"]


async def _walk(client, boss, page_size, **variables):
    """Every page in turn; returns the pages."""
    pages, after = [], None
    while True:
        page = await _list(client, boss, first=page_size, after=after, **variables)
        pages.append(page)
        if not page["pageInfo"]["hasNextPage"]:
            return pages
        after = page["pageInfo"]["endCursor"]


def _ids(pages):
    return [edge["node"]["id"] for page in pages for edge in page["edges"]]


@pytest.mark.parametrize("field", ["NAME", "CREATED_AT", "STATUS"])
@pytest.mark.parametrize("direction", ["ASC", "DESC"])
async def test_pages_follow_each_other_without_gaps_or_duplicates(client, boss, field, direction):
    # given
    sort = {"field": field, "direction": direction}
    await client.execute(SUSPEND, {"id": (await _list(client, boss, first=1))["edges"][0]["node"]["id"]},
                         token=boss)
    everything = await _list(client, boss, first=100, sort=sort)
    # when
    pages = await _walk(client, boss, 2, sort=sort)
    # then
    assert _ids(pages) == [edge["node"]["id"] for edge in everything["edges"]]
    assert len(set(_ids(pages))) == len(NAMES)
    assert {page["totalCount"] for page in pages} == {len(NAMES)}


async def test_sorting_by_name_orders_the_names(client, boss):
    # when
    ascending = await _list(client, boss, sort={"field": "NAME", "direction": "ASC"})
    descending = await _list(client, boss, sort={"field": "NAME", "direction": "DESC"})
    # then
    names = [edge["node"]["name"] for edge in ascending["edges"]]
    assert [name.lower() for name in names] == sorted(name.lower() for name in NAMES)
    assert [edge["node"]["name"] for edge in descending["edges"]] == names[::-1]


async def test_the_default_order_is_oldest_first(client, boss):
    # when
    page = await _list(client, boss)
    # then
    assert [edge["node"]["name"] for edge in page["edges"]] == NAMES


async def test_page_info_says_where_a_page_stands(client, boss):
    # when
    first = await _list(client, boss, first=4)
    last = await _list(client, boss, first=100, after=first["pageInfo"]["endCursor"])
    # then
    assert (first["pageInfo"]["hasNextPage"], first["pageInfo"]["hasPreviousPage"]) == (True, False)
    assert (last["pageInfo"]["hasNextPage"], last["pageInfo"]["hasPreviousPage"]) == (False, True)
    assert first["pageInfo"]["startCursor"] == first["edges"][0]["cursor"]
    assert len(last["edges"]) == len(NAMES) - 4


async def test_status_filter_lists_only_resellers_in_that_status(client, boss):
    # given
    everyone = await _list(client, boss)
    suspended = {edge["node"]["id"] for edge in everyone["edges"][:3]}
    for reseller_id in suspended:
        await client.execute(SUSPEND, {"id": reseller_id}, token=boss)
    # when
    only_suspended = await _list(client, boss, filter={"status": "SUSPENDED"})
    only_active = await _list(client, boss, filter={"status": "ACTIVE"})
    # then
    assert {edge["node"]["id"] for edge in only_suspended["edges"]} == suspended
    assert only_suspended["totalCount"] == 3
    assert only_active["totalCount"] == len(NAMES) - 3


async def test_search_matches_part_of_the_name_whatever_its_case(client, boss):
    # when
    page = await _list(client, boss, filter={"search": "ALP"})
    # then
    assert sorted(edge["node"]["name"] for edge in page["edges"]) == ["Alpha", "alpha"]
    assert page["totalCount"] == 2


async def test_search_matches_the_contact_email(client, boss):
    # when
    page = await _list(client, boss, filter={"search": "admin3@r.test"})
    # then
    assert [edge["node"]["name"] for edge in page["edges"]] == ["Bravo"]


@pytest.mark.parametrize("search", ["%", "_", "a_p", "\\"])
async def test_search_takes_like_wildcards_literally(client, boss, search):
    # when
    page = await _list(client, boss, filter={"search": search})
    # then
    assert page["totalCount"] == 0


async def test_filters_and_pages_combine(client, boss):
    # when
    pages = await _walk(client, boss, 1, filter={"search": "ha"}, sort={"field": "NAME", "direction": "ASC"})
    # then
    names = [edge["node"]["name"] for page in pages for edge in page["edges"]]
    assert sorted(names, key=str.lower) == names
    assert len(names) == sum("ha" in name.lower() for name in NAMES) == 3
    assert {page["totalCount"] for page in pages} == {len(names)}


async def test_the_provider_itself_is_not_listed_among_its_resellers(client, boss):
    # when
    page = await _list(client, boss, first=100)
    # then
    assert "Provider" not in [edge["node"]["name"] for edge in page["edges"]]


async def test_page_size_is_capped_at_the_maximum(client, boss, monkeypatch):
    # given
    from comptoir.settings import get_settings

    monkeypatch.setattr(get_settings(), "max_page_size", 4)
    # when
    page = await _list(client, boss, first=1000)
    # then
    assert len(page["edges"]) == 4
    assert page["pageInfo"]["hasNextPage"] is True


async def test_a_malformed_cursor_is_refused_as_bad_input(client, boss):
    # when
    result = await client.execute(LIST, {"after": "not-a-cursor"}, token=boss)
    # then
    assert result["data"] is None
    assert [error["extensions"]["code"] for error in result["errors"]] == ["BAD_USER_INPUT"]

