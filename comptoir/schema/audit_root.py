"""Query fields of the audit log (SPEC §8)."""

from __future__ import annotations

import strawberry

from comptoir.resolvers import audit as r
from comptoir.schema.audit import AuditArchive, AuditEntry
from comptoir.schema.base import Connection
from comptoir.schema.permissions import IsAuthenticated, IsStaff


@strawberry.type
class AuditQuery:
    audit_log: Connection[AuditEntry] = strawberry.field(
        resolver=r.audit_log, permission_classes=[IsAuthenticated],
        description="Every change, newest first unless sorted otherwise: staff see their seller's, a customer "
                    "its own actions.")
    audit_archives: Connection[AuditArchive] = strawberry.field(
        resolver=r.audit_archives, permission_classes=[IsStaff],
        description="Archive files of entries older than the retention, newest first.")
    audit_archive_entries: Connection[AuditEntry] = strawberry.field(
        resolver=r.audit_archive_entries, permission_classes=[IsStaff],
        description="The entries of one archive, read back from its file after checking its SHA-256.")
