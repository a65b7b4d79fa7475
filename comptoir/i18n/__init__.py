"""Languages: gettext catalogs (Babel), which locale a reader gets, and locale-aware formatting.

- `catalogs`: extract / update / compile (`make i18n`), and the translations a running process uses
  (the .mo files are built from the committed .po files on first use, never committed).
- `negotiation.resolve_locale`: explicit > user preference > Accept-Language > store > seller.
- `formatting`: money, numbers, percentages, dates through Babel only.
"""
