"""Resolvers of certificate providers, plans and orders: parse, call one service, build."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy.orm import Session
from strawberry.types import Info

from comptoir.domains import certificate_orders, certificate_providers
from comptoir.domains.models import CertificateProvider as CertificateProviderModel
from comptoir.schema.base import mutate
from comptoir.schema.certificates import (
    CertificateOrder,
    CertificateOrderPayload,
    CertificateOrderPlaceInput,
    CertificateOrderSubmitInput,
    CertificatePlan,
    CertificatePlanCreateInput,
    CertificatePlanPayload,
    CertificateProvider,
    CertificateProviderCreateInput,
    CertificateProviderIdInput,
    CertificateProviderPayload,
    CertificateProviderUpdateInput,
)
from comptoir.schema.ids import decode_id, decode_optional_id


def _seller(info: Info) -> uuid.UUID:
    return info.context.tenant.seller_id  # type: ignore[no-any-return]


async def certificate_provider_list(info: Info) -> list[CertificateProvider]:
    seller_id = _seller(info)
    return await info.context.run(lambda s: [CertificateProvider.from_model(p)
                                             for p in certificate_providers.list_all(s, seller_id=seller_id)])


async def certificate_plan_list(info: Info) -> list[CertificatePlan]:
    seller_id = _seller(info)
    return await info.context.run(lambda s: [CertificatePlan.from_model(p)
                                             for p in certificate_providers.list_plans(s, seller_id=seller_id)])


async def certificate_order_list(info: Info) -> list[CertificateOrder]:
    """Staff: the seller's orders; a customer: its own (row security)."""
    seller_id = _seller(info)
    return await info.context.run(lambda s: [CertificateOrder.from_model(o)
                                             for o in certificate_orders.list_all(s, seller_id=seller_id)])


async def _provider_payload(info: Info, work: Callable[[Session], CertificateProviderModel]
                            ) -> CertificateProviderPayload:
    return await mutate(info, CertificateProviderPayload, lambda s: CertificateProvider.from_model(work(s)),
                        lambda built: CertificateProviderPayload(certificate_provider=built))


async def certificate_provider_create(info: Info, input: CertificateProviderCreateInput) -> CertificateProviderPayload:
    seller_id = _seller(info)
    return await _provider_payload(info, lambda s: certificate_providers.create(
        s, seller_id=seller_id, driver=input.driver, name=input.name, settings=dict(input.settings or {}),
        test_mode=input.test_mode))


async def certificate_provider_update(info: Info, input: CertificateProviderUpdateInput) -> CertificateProviderPayload:
    seller_id = _seller(info)
    return await _provider_payload(info, lambda s: certificate_providers.update(
        s, seller_id=seller_id, provider_id=decode_id(input.id, "CertificateProvider"), name=input.name,
        settings=dict(input.settings) if input.settings is not None else None, test_mode=input.test_mode))


async def certificate_provider_enable(info: Info, input: CertificateProviderIdInput) -> CertificateProviderPayload:
    seller_id = _seller(info)
    return await _provider_payload(info, lambda s: certificate_providers.set_enabled(
        s, seller_id=seller_id, provider_id=decode_id(input.id, "CertificateProvider"), enabled=True))


async def certificate_provider_disable(info: Info, input: CertificateProviderIdInput) -> CertificateProviderPayload:
    seller_id = _seller(info)
    return await _provider_payload(info, lambda s: certificate_providers.set_enabled(
        s, seller_id=seller_id, provider_id=decode_id(input.id, "CertificateProvider"), enabled=False))


async def certificate_plan_create(info: Info, input: CertificatePlanCreateInput) -> CertificatePlanPayload:
    seller_id = _seller(info)
    return await mutate(info, CertificatePlanPayload, lambda s: CertificatePlan.from_model(
        certificate_providers.create_plan(
            s, seller_id=seller_id, provider_id=decode_id(input.provider_id, "CertificateProvider", field="providerId"),
            name=input.name, product=input.product, currency=input.currency, yearly_price=input.yearly_price)),
        lambda built: CertificatePlanPayload(certificate_plan=built))


async def certificate_order_place(info: Info, input: CertificateOrderPlaceInput) -> CertificateOrderPayload:
    seller_id = _seller(info)
    return await mutate(info, CertificateOrderPayload, lambda s: CertificateOrder.from_model(certificate_orders.place(
        s, seller_id=seller_id, customer_id=decode_id(input.customer_id, "Customer", field="customerId"),
        plan_id=decode_id(input.plan_id, "CertificatePlan", field="planId"), common_name=input.common_name,
        subscription_id=decode_optional_id(input.subscription_id, "Subscription", field="subscriptionId"))),
        lambda built: CertificateOrderPayload(certificate_order=built))


async def certificate_order_submit(info: Info, input: CertificateOrderSubmitInput) -> CertificateOrderPayload:
    seller_id = _seller(info)
    answers = input.answers if isinstance(input.answers, dict) else {}
    return await mutate(info, CertificateOrderPayload, lambda s: CertificateOrder.from_model(certificate_orders.submit(
        s, seller_id=seller_id, order_id=decode_id(input.id, "CertificateOrder"), answers=answers,
        generate_key=input.generate_key)), lambda built: CertificateOrderPayload(certificate_order=built))
