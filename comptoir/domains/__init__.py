"""Domains and SSL certificates (SPEC §7): registrar accounts, TLDs, domain plans, domains and their
operations, certificate providers, plans and orders."""
