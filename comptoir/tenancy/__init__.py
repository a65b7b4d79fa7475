"""Sellers (provider and resellers), users, customers, sessions, allocations."""
