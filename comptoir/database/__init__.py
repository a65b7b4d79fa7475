"""Engines, sessions and the per-transaction tenant context."""
