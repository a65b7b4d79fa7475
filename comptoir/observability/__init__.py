"""Operations: structured logs, Prometheus metrics, OpenTelemetry traces (issue 14, docs/operations.md)."""
