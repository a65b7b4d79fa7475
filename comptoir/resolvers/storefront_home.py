"""Resolvers of the seller home, its to-do items, and a customer's own orders."""

from __future__ import annotations

from sqlalchemy.orm import Session
from strawberry.types import Info

from comptoir.schema.base import Connection, mutate, page_request
from comptoir.schema.ids import decode_id
from comptoir.schema.storefront_cart import Order
from comptoir.schema.storefront_home import (
    MyOrderFilterInput,
    MyOrderSortInput,
    OrderRetryInput,
    OrderRetryPayload,
    SellerHome,
    SellerOverview,
    SetupChecklistStep,
    TodoItem,
    TodoItemDoneInput,
    TodoItemDonePayload,
    TodoItemFilterInput,
    TodoItemSortInput,
)
from comptoir.storefront import flows, home, self_service, todos


async def seller_home(info: Info) -> SellerHome:
    seller_id = info.context.tenant.seller_id

    def load(session: Session) -> SellerHome:
        steps = [SetupChecklistStep.of(step) for step in home.checklist(session, seller_id=seller_id)]
        return SellerHome(overview=SellerOverview.of(home.overview(session, seller_id=seller_id)),
                          setup_checklist=steps, setup_complete=all(step.done for step in steps))
    return await info.context.run(load)


async def todo_items(info: Info, first: int | None = None, after: str | None = None,
                     filter: TodoItemFilterInput | None = None,
                     sort: TodoItemSortInput | None = None) -> Connection[TodoItem]:
    sort = sort or TodoItemSortInput()
    request = page_request(info, first, after, sort.direction)
    seller_id = info.context.tenant.seller_id
    status = filter.status if filter else None

    def load(session: Session) -> Connection[TodoItem]:
        page = todos.list_page(session, seller_id=seller_id, status=status, page=request, sort=sort.field)
        return Connection[TodoItem].from_page(page, TodoItem.from_model)
    return await info.context.run(load)


async def todo_item_done(info: Info, input: TodoItemDoneInput) -> TodoItemDonePayload:
    seller_id = info.context.tenant.seller_id
    return await mutate(
        info, TodoItemDonePayload,
        lambda s: TodoItem.from_model(todos.mark_done(s, seller_id=seller_id,
                                                      item_id=decode_id(input.id, "TodoItem"))),
        lambda item: TodoItemDonePayload(todo_item=item))


async def order_retry(info: Info, input: OrderRetryInput) -> OrderRetryPayload:
    seller_id = info.context.tenant.seller_id
    return await mutate(
        info, OrderRetryPayload,
        lambda s: Order.from_model(flows.retry(s, seller_id=seller_id, order_id=decode_id(input.id, "Order"))),
        lambda order: OrderRetryPayload(order=order))


async def my_orders(info: Info, first: int | None = None, after: str | None = None,
                    filter: MyOrderFilterInput | None = None, sort: MyOrderSortInput | None = None) -> Connection[Order]:
    sort = sort or MyOrderSortInput()
    request = page_request(info, first, after, sort.direction)
    tenant = info.context.tenant
    status = filter.status if filter else None

    def load(session: Session) -> Connection[Order]:
        page = self_service.orders_page(session, seller_id=tenant.seller_id, customer_id=tenant.customer_id,
                                        page=request, status=status, sort=sort.field)
        return Connection[Order].from_page(page, Order.from_model)
    return await info.context.run(load)
