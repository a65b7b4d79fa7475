"""After card flows of every kind (saved cards, renewals needing authentication, the virtual terminal,
GraphQL, declines, timeouts), no table cell and no log line holds a test card number or security code."""

from __future__ import annotations

import logging
import re

from psycopg import sql

from comptoir.security import secrets
from comptoir.database.engine import session_scope
from comptoir.payments import service
from comptoir.payments.drivers.base import CardInput
from comptoir.payments.drivers.sandbox_card import TEST_CARDS
from comptoir.schema.ids import encode_id
from tests import factories
from tests.payments import support

CVV = "9187"  # distinctive, so that a match means the code itself
TEXT_TYPES = ("text", "character varying", "jsonb", "json", "bytea", "character", "text[]", "character varying[]")

ADD_CARD = """mutation($input: PaymentMethodAddCardInput!) {
  paymentMethodAddCard(input: $input) { paymentMethod { last4 } errors { code } }
}"""


def _cells(superuser) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    columns = superuser.execute("""
        SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
          JOIN information_schema.tables t ON t.table_name = c.table_name AND t.table_schema = c.table_schema
         WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
           AND (c.data_type IN ('text', 'character varying', 'jsonb', 'json', 'bytea', 'character')
                OR c.udt_name IN ('_text', '_varchar'))""").fetchall()
    cells = []
    for table, column, data_type in columns:
        expression = sql.SQL("encode({}, 'escape')" if data_type == "bytea" else "{}::text").format(
            sql.Identifier(column))
        query = sql.SQL("SELECT {} FROM {} WHERE {} IS NOT NULL").format(expression, sql.Identifier(table),
                                                                        sql.Identifier(column))
        cells += [(table, column, row[0]) for row in superuser.execute(query)]
    return cells


async def test_no_card_number_or_security_code_is_kept_in_any_table_or_log_line(client, superuser_connection,
                                                                                caplog):
    caplog.set_level(logging.DEBUG)
    shop = support.merchant(subscribed=True)
    numbers = list(TEST_CARDS)
    # saved cards of every behaviour, each charged once
    for number in numbers:
        method_id = support.save_card_with(shop, number, CVV)
        payment_id = support.charge(shop, method_id)
        support.perform(shop, payment_id)
        if support.payment(shop, payment_id).status == "pending":
            support.perform(shop, payment_id)
    # the virtual terminal
    with session_scope(shop.staff()) as session:
        service.virtual_terminal(session, seller_id=shop.seller_id, card=CardInput(numbers[0], 1, 2031, CVV),
                                 new=service.NewPayment(gateway_config_id=shop.card_gateway_id, amount=700,
                                                        currency="EUR", idempotency_key="vt"))
    # GraphQL, accepted and refused (a number sent as an Int is quoted by the refusal)
    token = factories.log_in(shop.customer)
    for number in (numbers[1], int(numbers[2])):
        await client.execute(ADD_CARD, {"input": {"gatewayConfigId": encode_id("GatewayConfig", shop.card_gateway_id),
                                                  "card": {"number": number, "expiryMonth": 1, "expiryYear": 2031,
                                                           "cvv": CVV}}}, token=token)
    # then
    cells = _cells(superuser_connection)
    assert len(cells) > 50  # the scan saw the payments, methods, e-mails…
    digits = {number: re.compile(rf"(?<!\d){number}(?!\d)") for number in numbers}
    cvv = re.compile(rf"\b{CVV}\b")
    for table, column, value in cells:
        for number, pattern in digits.items():
            assert not pattern.search(value.replace(" ", "").replace("-", "")), f"{number} in {table}.{column}"
        if not secrets.is_sealed(value):  # ciphertext may hold any 4 digits by chance
            assert not cvv.search(value), f"security code in {table}.{column}: {value[:80]}"
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert caplog.records
    for number in numbers:
        assert number not in logged.replace(" ", "")
    assert CVV not in logged
