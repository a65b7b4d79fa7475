"""Query and Mutation fields of the seller home (staff) and of a customer's own orders."""

from __future__ import annotations

import strawberry

from comptoir.resolvers import storefront_home as resolvers
from comptoir.schema.base import Connection
from comptoir.schema.permissions import IsCustomer, IsStaff
from comptoir.schema.storefront_cart import Order
from comptoir.schema.storefront_home import OrderRetryPayload, SellerHome, TodoItem, TodoItemDonePayload


@strawberry.type
class StorefrontHomeQuery:
    seller_home: SellerHome = strawberry.field(resolver=resolvers.seller_home, permission_classes=[IsStaff])
    todo_items: Connection[TodoItem] = strawberry.field(resolver=resolvers.todo_items, permission_classes=[IsStaff],
                                                        description="Oldest first unless sorted otherwise.")
    my_orders: Connection[Order] = strawberry.field(
        resolver=resolvers.my_orders, permission_classes=[IsCustomer],
        description="The logged-in customer's own orders, newest first unless sorted otherwise: status, "
                    "lines as bought, totals.")


@strawberry.type
class StorefrontHomeMutation:
    todo_item_done: TodoItemDonePayload = strawberry.mutation(resolver=resolvers.todo_item_done,
                                                              permission_classes=[IsStaff])
    order_retry: OrderRetryPayload = strawberry.mutation(
        resolver=resolvers.order_retry, permission_classes=[IsStaff],
        description="Run a failed order's failed steps again (after fixing what its to-do item says).")
