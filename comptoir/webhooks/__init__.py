"""Outgoing webhooks (SPEC §12): sellers subscribe endpoints to business events; deliveries are signed as
the Standard Webhooks specification says, retried through the intents, logged and resendable."""
