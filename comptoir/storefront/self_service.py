"""A customer's own view of what it bought (issue 9 item 8): its orders, newest first.

Row-level security already confines a customer to its own orders; the customer is named anyway, so the
query reads as what it means and uses the (seller_id, customer_id) index.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.database.pagination import Page, PageRequest, paginate
from comptoir.storefront.models import Order


def orders_page(session: Session, *, seller_id: uuid.UUID, customer_id: uuid.UUID, page: PageRequest) -> Page[Order]:
    statement = select(Order).where(Order.seller_id == seller_id, Order.customer_id == customer_id)
    return paginate(session, statement, page, sort_column=Order.created_at, id_column=Order.id)
