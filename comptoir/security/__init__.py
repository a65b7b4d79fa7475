"""Protection of data at rest: sealing secrets (gateway and registrar settings, tokens, IBANs)."""
