"""The query shapes measured, sent unchanged to the application and to the floor."""

from __future__ import annotations

ME = "{ me { id username email fullName role language createdAt } }"

RESELLERS = """{ resellers(first: 50) { totalCount edges { node { id name allocation {
  limits { resource limit used remaining } permissions oversellingAllowed } } } } }"""

QUERIES = {"me": ME, "resellers": RESELLERS}
