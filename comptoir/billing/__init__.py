"""Billing: invoices, taxes, coupons and the ledger (SPEC §9)."""
