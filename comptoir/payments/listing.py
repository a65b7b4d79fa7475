"""Lists of payments and gateway configurations for staff: keyset pages, filtered and sorted."""

from __future__ import annotations

import enum
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.database.pagination import Page, PageRequest, paginate
from comptoir.payments.models import GatewayConfig, Payment
from comptoir.payments.rules import Status


class PaymentSort(enum.Enum):
    CREATED_AT = "created_at"
    AMOUNT = "amount"
    STATUS = "status"


class GatewayConfigSort(enum.Enum):
    NAME = "name"
    CREATED_AT = "created_at"


_PAYMENT_COLUMNS = {PaymentSort.CREATED_AT: Payment.created_at, PaymentSort.AMOUNT: Payment.amount,
                    PaymentSort.STATUS: Payment.status}
_CONFIG_COLUMNS = {GatewayConfigSort.NAME: GatewayConfig.name, GatewayConfigSort.CREATED_AT: GatewayConfig.created_at}


def payments_page(session: Session, *, seller_id: uuid.UUID, page: PageRequest, sort: PaymentSort,
                  status: Status | None = None, customer_id: uuid.UUID | None = None,
                  gateway_config_id: uuid.UUID | None = None) -> Page[Payment]:
    statement = select(Payment).where(Payment.seller_id == seller_id)
    if status is not None:
        statement = statement.where(Payment.status == status.value)
    if customer_id is not None:
        statement = statement.where(Payment.customer_id == customer_id)
    if gateway_config_id is not None:
        statement = statement.where(Payment.gateway_config_id == gateway_config_id)
    return paginate(session, statement, page, sort_column=_PAYMENT_COLUMNS[sort], id_column=Payment.id)


def gateway_configs_page(session: Session, *, seller_id: uuid.UUID, page: PageRequest,
                         sort: GatewayConfigSort) -> Page[GatewayConfig]:
    statement = select(GatewayConfig).where(GatewayConfig.seller_id == seller_id)
    return paginate(session, statement, page, sort_column=_CONFIG_COLUMNS[sort], id_column=GatewayConfig.id)
