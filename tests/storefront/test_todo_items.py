"""To-do items: created idempotently by the system, listed and closed by staff through GraphQL."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from comptoir.database.engine import session_scope
from comptoir.errors import DomainError
from comptoir.schema.ids import encode_id
from comptoir.storefront import todos
from comptoir.tenancy.context import Role, TenantContext
from tests import factories

LIST = """query($status: TodoStatus, $first: Int, $after: String) {
  todoItems(filter: {status: $status}, first: $first, after: $after) {
    totalCount edges { node { id kind subjectId title details status doneAt } } pageInfo { hasNextPage endCursor } } }"""
DONE = """mutation($id: ID!) { todoItemDone(input: {id: $id}) {
  todoItem { id status doneAt } errors { code field } } }"""


def create(seller_id: uuid.UUID, kind: str, subject_id: uuid.UUID | None = None, title: str = "Look") -> uuid.UUID:
    subject = todos.Subject("Order", subject_id) if subject_id else None
    with session_scope(TenantContext(Role.SYSTEM, seller_id)) as session:
        return todos.create(session, seller_id=seller_id, todo=todos.NewTodo(kind=kind, subject=subject, title=title)).id


def alpha_and_bravo() -> tuple[Any, Any]:
    provider = factories.provider()
    return (factories.reseller(provider, "Alpha Hosting", "alpha"),
            factories.reseller(provider, "Bravo Hosting", "bravo"))


async def listing(client: Any, token: str, **variables: Any) -> dict[str, Any]:
    answer = await client.execute(LIST, variables, token=token)
    assert "errors" not in answer, answer
    return answer["data"]["todoItems"]  # type: ignore[no-any-return]


def test_creating_the_same_open_item_twice_gives_the_one_item() -> None:
    alpha, _ = alpha_and_bravo()
    order_id = uuid.uuid4()
    first = create(alpha.seller_id, "provisioning_failed", order_id)
    assert create(alpha.seller_id, "provisioning_failed", order_id, title="Again") == first
    assert create(alpha.seller_id, "provisioning_failed", uuid.uuid4()) != first  # another subject
    assert create(alpha.seller_id, "payment_overdue", order_id) != first  # another kind
    no_subject = create(alpha.seller_id, "check_dns")
    assert create(alpha.seller_id, "check_dns") == no_subject


def test_an_invalid_kind_or_title_is_a_typed_error() -> None:
    alpha, _ = alpha_and_bravo()
    with pytest.raises(DomainError) as bad_kind:
        create(alpha.seller_id, "Not A Kind")
    with pytest.raises(DomainError) as bad_title:
        create(alpha.seller_id, "ok_kind", title="")
    assert (bad_kind.value.field, bad_title.value.field) == ("kind", "title")


async def test_staff_list_open_items_and_mark_one_done(client: Any) -> None:
    # given two open items of Alpha and one of Bravo
    alpha, bravo = alpha_and_bravo()
    order_id = uuid.uuid4()
    first = create(alpha.seller_id, "provisioning_failed", order_id, title="Order 1 failed")
    create(alpha.seller_id, "provisioning_failed", uuid.uuid4(), title="Order 2 failed")
    create(bravo.seller_id, "provisioning_failed", uuid.uuid4(), title="Bravo's")
    token = await client.login("alpha", factories.PASSWORD)
    found = await listing(client, token, status="OPEN")
    assert found["totalCount"] == 2
    assert [e["node"]["title"] for e in found["edges"]] == ["Order 1 failed", "Order 2 failed"]
    assert found["edges"][0]["node"]["subjectId"] == encode_id("Order", order_id)
    # when the first is done
    done = (await client.execute(DONE, {"id": encode_id("TodoItem", first)}, token=token))["data"]["todoItemDone"]
    # then
    assert done["errors"] == [] and done["todoItem"]["status"] == "DONE" and done["todoItem"]["doneAt"]
    assert [e["node"]["title"] for e in (await listing(client, token, status="OPEN"))["edges"]] == ["Order 2 failed"]
    assert [e["node"]["title"] for e in (await listing(client, token, status="DONE"))["edges"]] == ["Order 1 failed"]
    assert (await listing(client, token))["totalCount"] == 2
    # done twice stays done, at the first time
    again = (await client.execute(DONE, {"id": encode_id("TodoItem", first)}, token=token))["data"]["todoItemDone"]
    assert again["todoItem"]["doneAt"] == done["todoItem"]["doneAt"]


async def test_once_done_the_same_kind_and_subject_opens_a_new_item(client: Any) -> None:
    alpha, _ = alpha_and_bravo()
    order_id = uuid.uuid4()
    first = create(alpha.seller_id, "provisioning_failed", order_id)
    token = await client.login("alpha", factories.PASSWORD)
    await client.execute(DONE, {"id": encode_id("TodoItem", first)}, token=token)
    assert create(alpha.seller_id, "provisioning_failed", order_id) != first
    assert (await listing(client, token, status="OPEN"))["totalCount"] == 1


async def test_another_sellers_item_is_not_found_and_stays_open(client: Any) -> None:
    alpha, bravo = alpha_and_bravo()
    bravos = create(bravo.seller_id, "provisioning_failed", uuid.uuid4())
    token = await client.login("alpha", factories.PASSWORD)
    answer = (await client.execute(DONE, {"id": encode_id("TodoItem", bravos)}, token=token))["data"]["todoItemDone"]
    assert answer["todoItem"] is None and [e["code"] for e in answer["errors"]] == ["NOT_FOUND"]
    assert (await listing(client, token))["edges"] == []
    bravo_token = await client.login("bravo", factories.PASSWORD)
    assert [e["node"]["status"] for e in (await listing(client, bravo_token))["edges"]] == ["OPEN"]


async def test_the_list_pages_with_a_cursor(client: Any) -> None:
    alpha, _ = alpha_and_bravo()
    for number in range(3):
        create(alpha.seller_id, "provisioning_failed", uuid.uuid4(), title=f"Item {number}")
    token = await client.login("alpha", factories.PASSWORD)
    first = await listing(client, token, first=2)
    assert first["pageInfo"]["hasNextPage"] is True
    rest = await listing(client, token, first=2, after=first["pageInfo"]["endCursor"])
    assert [e["node"]["title"] for e in first["edges"] + rest["edges"]] == ["Item 0", "Item 1", "Item 2"]


def test_concurrent_creators_of_one_item_leave_one_open_item() -> None:
    # Workers retrying the same failed step at once; more calls than psycopg's prepare threshold (5), so the
    # prepared form of the statement is exercised too.
    alpha, _ = alpha_and_bravo()
    order_id = uuid.uuid4()
    barrier = threading.Barrier(4)

    def worker() -> list[uuid.UUID]:
        barrier.wait()
        return [create(alpha.seller_id, "provisioning_failed", order_id) for _ in range(3)]

    with ThreadPoolExecutor(max_workers=4) as pool:
        ids = {item for found in pool.map(lambda _: worker(), range(4)) for item in found}
    assert len(ids) == 1


async def test_the_list_sorts_by_kind_in_either_direction(client: Any) -> None:
    alpha, _ = alpha_and_bravo()
    for kind in ("payment_overdue", "check_dns", "provisioning_failed"):
        create(alpha.seller_id, kind)
    token = await client.login("alpha", factories.PASSWORD)
    query = "query($d: SortDirection!) { todoItems(sort: {field: KIND, direction: $d}) { edges { node { kind } } } }"
    kinds = [[e["node"]["kind"] for e in (await client.execute(query, {"d": d}, token=token))["data"]["todoItems"]["edges"]]
             for d in ("ASC", "DESC")]
    assert kinds == [["check_dns", "payment_overdue", "provisioning_failed"],
                     ["provisioning_failed", "payment_overdue", "check_dns"]]
