"""Bank batch files for direct debits (SPEC §6, issue 11 item 10): Norma 19 (Spain), DTAUS (Germany) and
SEPA pain.008 XML, each built from the plain dataclasses of `model` exactly as ../shared/formats/ says
(docs/bank-files.md). Formatters only: batches, their tables and processing are billing's."""
