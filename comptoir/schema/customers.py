"""GraphQL types of customers."""

from __future__ import annotations

import enum
from datetime import datetime

import strawberry

from comptoir.database.pagination import SortDirection
from comptoir.schema.base import Node
from comptoir.schema.ids import encode_id
from comptoir.tenancy.customers import CustomerSort as _CustomerSort
from comptoir.tenancy.models import Customer as CustomerModel

CustomerSortField = strawberry.enum(_CustomerSort, name="CustomerSortField")


@strawberry.enum
class CustomerStatus(enum.Enum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    PENDING = "pending"
    FRAUDULENT = "fraudulent"


@strawberry.type
class Customer(Node):
    contact_name: str
    company_name: str
    email: str
    phone: str
    country: str
    status: CustomerStatus
    created_at: datetime

    @classmethod
    def from_model(cls, customer: CustomerModel) -> Customer:
        return cls(id=strawberry.ID(encode_id("Customer", customer.id)), contact_name=customer.contact_name,
                   company_name=customer.company_name, email=customer.email, phone=customer.phone,
                   country=customer.country, status=CustomerStatus(customer.status),
                   created_at=customer.created_at)


@strawberry.input
class CustomerFilterInput:
    status: CustomerStatus | None = None
    search: str | None = None


@strawberry.input
class CustomerSortInput:
    field: CustomerSortField = _CustomerSort.CREATED_AT  # type: ignore[valid-type]
    direction: SortDirection = SortDirection.ASC
