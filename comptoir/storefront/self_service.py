"""A customer's own view of what it bought (issue 9 item 8): its orders.

Row-level security already confines a customer to its own orders; the customer is named anyway, so the
query reads as what it means and uses the (seller_id, customer_id) index.
"""

from __future__ import annotations

import enum
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.database.pagination import Page, PageRequest, paginate
from comptoir.storefront.models import Order


class OrderStatus(enum.Enum):
    PENDING = "pending"
    INVOICED = "invoiced"
    PAID = "paid"
    PROVISIONING = "provisioning"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    FAILED = "failed"


class OrderSort(enum.Enum):
    CREATED_AT = "created_at"
    TOTAL = "total"
    STATUS = "status"


SORT_COLUMNS = {OrderSort.CREATED_AT: Order.created_at, OrderSort.TOTAL: Order.total, OrderSort.STATUS: Order.status}


def orders_page(session: Session, *, seller_id: uuid.UUID, customer_id: uuid.UUID, page: PageRequest,
                status: OrderStatus | None = None, sort: OrderSort = OrderSort.CREATED_AT) -> Page[Order]:
    statement = select(Order).where(Order.seller_id == seller_id, Order.customer_id == customer_id)
    if status is not None:
        statement = statement.where(Order.status == status.value)
    return paginate(session, statement, page, sort_column=SORT_COLUMNS[sort], id_column=Order.id)
