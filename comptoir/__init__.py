"""Comptoir: the business back end of a web-hosting provider and its resellers."""
