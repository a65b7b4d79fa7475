"""The audit log (SPEC §8): who changed what, when, from where — written in the same transaction as the
change — and its archiving into checksummed JSONL files (ProcessActionLog)."""
