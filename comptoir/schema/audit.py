"""GraphQL types of the audit log (SPEC §8) and its archives."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from comptoir.audit.models import AuditArchive as ArchiveModel
from comptoir.audit.models import AuditEntry as EntryModel
from comptoir.database.pagination import SortDirection
from comptoir.schema.base import Node
from comptoir.schema.ids import encode_id


@strawberry.type(description="One recorded change: who (role, user), what (object, action, before/after with "
                             "secrets redacted), when, from where (request id, client address).")
class AuditEntry(Node):
    occurred_at: datetime
    actor_role: str = strawberry.field(description="provider, reseller, customer, storefront or system.")
    actor_user_id: strawberry.ID | None = strawberry.field(description="Global id of the acting user, if any.")
    source: str = strawberry.field(description="graphql, event, intent, or direct (CLI, scripts).")
    operation: str = strawberry.field(description="The mutation (planCreate), event or intent kind.")
    object_type: str = strawberry.field(description="The changed object's type (ServicePlan, Mutation, …).")
    object_id: str
    action: str = strawberry.field(description="create, update, delete, bulk_insert, bulk_update, bulk_delete, "
                                               "or operation (a mutation that changed no row).")
    changes: JSON = strawberry.field(description="{after} for a creation, {before} for a deletion, "
                                                 "{changed: {column: [before, after]}} for an update.")
    request_id: str
    client_address: str

    @classmethod
    def from_model(cls, entry: EntryModel) -> AuditEntry:
        return cls.from_json({"id": entry.id, "occurred_at": entry.occurred_at, "actor_role": entry.actor_role,
                              "actor_user_id": entry.actor_user_id, "source": entry.source,
                              "operation": entry.operation, "object_type": entry.object_type,
                              "object_id": entry.object_id, "action": entry.action, "changes": entry.changes,
                              "request_id": entry.request_id, "client_address": entry.client_address})

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> AuditEntry:
        occurred = row["occurred_at"]
        user = row.get("actor_user_id")
        return cls(id=strawberry.ID(encode_id("AuditEntry", row["id"])),
                   occurred_at=datetime.fromisoformat(occurred) if isinstance(occurred, str) else occurred,
                   actor_role=row["actor_role"],
                   actor_user_id=strawberry.ID(encode_id("User", user)) if user else None,
                   source=row["source"], operation=row["operation"], object_type=row["object_type"],
                   object_id=row["object_id"], action=row["action"], changes=row["changes"],
                   request_id=row["request_id"], client_address=row["client_address"])


@strawberry.input
class AuditLogFilterInput:
    object_type: str | None = None
    object_id: str | None = None
    action: str | None = None
    actor_role: str | None = None
    actor_user_id: strawberry.ID | None = None
    source: str | None = None
    operation: str | None = None
    since: datetime | None = strawberry.field(default=None, description="Entries at or after this time.")
    until: datetime | None = strawberry.field(default=None, description="Entries before this time.")


@strawberry.input
class AuditLogSortInput:
    direction: SortDirection = SortDirection.DESC


@strawberry.type(description="A gzip JSONL file of audit entries older than the retention (ProcessActionLog).")
class AuditArchive(Node):
    path: str
    entries: int
    oldest_at: datetime
    newest_at: datetime
    sha256: str
    size_bytes: int
    created_at: datetime

    @classmethod
    def from_model(cls, archive: ArchiveModel) -> AuditArchive:
        return cls(id=strawberry.ID(encode_id("AuditArchive", archive.id)), path=archive.path,
                   entries=archive.entries, oldest_at=archive.oldest_at, newest_at=archive.newest_at,
                   sha256=archive.sha256, size_bytes=archive.size_bytes, created_at=archive.created_at)
