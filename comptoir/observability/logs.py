"""Log records as one JSON object per line (production) or text, each carrying the request id, seller,
role and operation of the work that emitted it: the audit origin (request id, operation) and the tenant
context are the context variables every GraphQL operation, intent and scheduled event already sets."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from comptoir.audit import recorder
from comptoir.settings import Settings
from comptoir.tenancy import context as tenant

# Attributes every LogRecord has; anything else was passed through `extra=` and is kept.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def context_fields() -> dict[str, str]:
    origin = recorder.current_origin()
    current = tenant.current()
    return {
        "request_id": origin.request_id,
        "source": origin.source,
        "operation": origin.operation,
        "seller_id": str(current.seller_id) if current else "",
        "role": current.role.value if current else "",
    }


class ContextFilter(logging.Filter):
    """Stamp each record with the context of the work that emitted it (unless `extra=` already did)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in context_fields().items():
            if not getattr(record, name, ""):
                setattr(record, name, value)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s %(seller_id)s %(operation)s] %(message)s"


def handler(settings: Settings, stream: Any = None) -> logging.Handler:
    result = logging.StreamHandler(stream or sys.stderr)
    result.addFilter(ContextFilter())
    result.setFormatter(JsonFormatter() if settings.log_format == "json" else logging.Formatter(TEXT_FORMAT))
    result.set_name("comptoir")
    return result


def configure(settings: Settings) -> None:
    """One handler on the root logger (uvicorn's and Celery's loggers propagate to it)."""
    root = logging.getLogger()
    for existing in [h for h in root.handlers if h.get_name() == "comptoir"]:
        root.removeHandler(existing)
    root.addHandler(handler(settings))
    root.setLevel(settings.log_level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "celery"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True

