"""GraphQL types of the seller home (SPEC §8): overview, setup checklist, to-do items."""

from __future__ import annotations

from datetime import datetime

import strawberry

from comptoir.database.pagination import SortDirection
from comptoir.schema.base import Node
from comptoir.schema.ids import encode_id
from comptoir.schema.storefront import StorefrontError
from comptoir.schema.storefront_cart import Order
from comptoir.storefront.home import Overview, SetupStep
from comptoir.storefront.self_service import OrderSort as _OrderSort
from comptoir.storefront.self_service import OrderStatus as _OrderStatus
from comptoir.storefront.todos import TodoItem as TodoItemModel
from comptoir.storefront.todos import TodoSort as _TodoSort
from comptoir.storefront.todos import TodoStatus as _TodoStatus

TodoStatus = strawberry.enum(_TodoStatus, name="TodoStatus")
TodoItemSortField = strawberry.enum(_TodoSort, name="TodoItemSortField")
OrderStatus = strawberry.enum(_OrderStatus, name="OrderStatus")
MyOrderSortField = strawberry.enum(_OrderSort, name="MyOrderSortField")


@strawberry.type(description="Something that needs a person of the seller, e.g. an order step that gave up.")
class TodoItem(Node):
    kind: str = strawberry.field(description="What sort of item, e.g. provisioning_failed.")
    subject_id: strawberry.ID | None = strawberry.field(
        description="Global id of the object concerned (an Order, ...), if any: fetch it with `node`.")
    title: str
    details: str
    status: TodoStatus  # type: ignore[valid-type]
    created_at: datetime
    done_at: datetime | None

    @classmethod
    def from_model(cls, item: TodoItemModel) -> TodoItem:
        return cls(id=strawberry.ID(encode_id("TodoItem", item.id)), kind=item.kind,
                   subject_id=strawberry.ID(encode_id(item.subject_type, item.subject_id)) if item.subject_id else None, title=item.title,
                   details=item.details, status=_TodoStatus(item.status), created_at=item.created_at,
                   done_at=item.done_at)


@strawberry.type
class TodoItemDonePayload:
    todo_item: TodoItem | None = None
    errors: list[StorefrontError] = strawberry.field(default_factory=list)


@strawberry.type(description="How big the seller's business is. Invoices: 0 until billing exists.")
class SellerOverview:
    pending_customers: int = strawberry.field(description="Customers a store created, awaiting review.")
    customers: int = strawberry.field(description="Active and suspended customers.")
    subscriptions: int
    orders: int
    invoices: int
    open_todo_items: int

    @classmethod
    def of(cls, overview: Overview) -> SellerOverview:
        return cls(pending_customers=overview.pending_customers, customers=overview.customers,
                   subscriptions=overview.subscriptions, orders=overview.orders, invoices=overview.invoices,
                   open_todo_items=overview.open_todos)


@strawberry.type(description="One step of \"prepare your company for launch\".")
class SetupChecklistStep:
    id: str = strawberry.field(description="Stable: company_details, store, payment_method, plan_on_sale, "
                                           "email_settings. A client links each to where it is done.")
    title: str
    done: bool

    @classmethod
    def of(cls, step: SetupStep) -> SetupChecklistStep:
        return cls(id=step.id, title=step.title, done=step.done)


@strawberry.type(description="The seller's home page (SPEC §8).")
class SellerHome:
    overview: SellerOverview
    setup_checklist: list[SetupChecklistStep]
    setup_complete: bool


@strawberry.input
class TodoItemFilterInput:
    status: TodoStatus | None = None  # type: ignore[valid-type]


@strawberry.input
class TodoItemSortInput:
    field: TodoItemSortField = _TodoSort.CREATED_AT  # type: ignore[valid-type]
    direction: SortDirection = SortDirection.ASC


@strawberry.input
class TodoItemDoneInput:
    id: strawberry.ID


@strawberry.input(description="A failed order (a step gave up): its failed steps run again once the cause is fixed.")
class OrderRetryInput:
    id: strawberry.ID


@strawberry.type
class OrderRetryPayload:
    order: Order | None = None
    errors: list[StorefrontError] = strawberry.field(default_factory=list)


@strawberry.input
class MyOrderFilterInput:
    status: OrderStatus | None = None  # type: ignore[valid-type]


@strawberry.input
class MyOrderSortInput:
    field: MyOrderSortField = _OrderSort.CREATED_AT  # type: ignore[valid-type]
    direction: SortDirection = SortDirection.DESC
