"""Error codes of automation: scheduled events and the sandbox clock."""

from __future__ import annotations

from comptoir.errors import ErrorCode


class AutomationErrorCode(ErrorCode):
    SANDBOX_DISABLED = "sandbox_disabled"
    NOT_IN_FUTURE = "not_in_future"
    TOO_FAR = "too_far"
    EVENT_BUSY = "event_busy"
    UNKNOWN_EVENT_KIND = "unknown_event_kind"
