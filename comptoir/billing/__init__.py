"""Billing (issue 11)."""
