"""Staff generate, review and run a payment queue by hand through GraphQL; the queue settings are part of
the billing settings."""

from __future__ import annotations

from comptoir import clock
from tests import factories
from tests.billing import queue_support as q

GENERATE = """mutation($input: PaymentQueueGenerateInput!) {
  paymentQueueGenerate(input: $input) { queueId skippedReason rows { id status amount { minorUnits } }
    errors { code field } }
}"""
REVIEW = """query($queueId: ID) { paymentQueue(queueId: $queueId) { id invoiceId status position message } }"""
RUN = """mutation($input: PaymentQueueRunInput!) {
  paymentQueueRun(input: $input) { charged rows { status } errors { code field } }
}"""
SETTINGS = """mutation($input: BillingSettingsUpdateInput!) {
  billingSettingsUpdate(input: $input) { billingSettings { queueCardAction queueClearFirst queueDaysBeforeDue
    overdueNoticeDays suspensionDays cancellationAction } errors { code field } }
}"""


async def test_staff_generate_review_and_run_a_queue(client) -> None:
    shop = q.shop(name="queueapi")
    today = clock.today()
    invoice_id = q.invoice(shop, today)  # due in 10 days
    staff = factories.log_in(factories.Actor(shop.seller_id, "queueapiadmin"))
    updated = await client.execute(SETTINGS, {"input": {"queueDaysBeforeDue": 10, "overdueNoticeDays": [2, 9]}},
                                   token=staff)
    assert updated["data"]["billingSettingsUpdate"]["billingSettings"] == {
        "queueCardAction": "capture", "queueClearFirst": True, "queueDaysBeforeDue": 10,
        "overdueNoticeDays": [2, 9], "suspensionDays": 14, "cancellationAction": "cancel"}
    generated = (await client.execute(GENERATE, {"input": {}}, token=staff))["data"]["paymentQueueGenerate"]
    assert [(r["status"], r["amount"]["minorUnits"]) for r in generated["rows"]] == [("queued", 3000)]
    review = (await client.execute(REVIEW, {"queueId": generated["queueId"]}, token=staff))["data"]["paymentQueue"]
    assert [(r["status"], r["position"]) for r in review] == [("queued", 1)]
    ran = (await client.execute(RUN, {"input": {"queueId": generated["queueId"]}}, token=staff))["data"]
    assert ran["paymentQueueRun"] == {"charged": 1, "rows": [{"status": "charging"}], "errors": []}
    q.drain(shop)
    assert q.invoice_row(shop, invoice_id).status == "paid"


async def test_a_bad_setting_is_a_user_error(client) -> None:
    shop = q.shop(name="queuebad")
    staff = factories.log_in(factories.Actor(shop.seller_id, "queuebadadmin"))
    result = await client.execute(SETTINGS, {"input": {"queueCardAction": "steal"}}, token=staff)
    assert result["data"]["billingSettingsUpdate"]["errors"] == [{"code": "INVALID", "field": "queue_card_action"}]
