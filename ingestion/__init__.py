"""Reads the register and the submission workbooks into raw DuckDB tables (no Dagster here).

- inbox.py      walks the inbox, parses new and changed files (in parallel), replaces their rows
- workbook.py   one workbook -> ParsedFile: cover, rows, cell issues (contract section 3)
- cells.py      one cell -> typed value and issue, by the catalogue's column type
- safety.py     refuses unsafe or unreadable files before any parser opens them
- excel_errors.py  the text of Excel error cells (#DIV/0!, #N/A), which the reader gives as blanks
- register.py   the register CSVs -> raw.register_org_units, raw.register_agencies
- schema.py     the raw tables' columns, derived from catalog/workbook.yaml
- warehouse.py  creates the raw tables and bulk-inserts rows through Arrow
- reasons.py    the Vietnamese wording of every reason recorded
- digest.py     the SHA-256 of a file (inbox files, register files, published files)
- normalize.py  text matching keys (NFC, case, whitespace, tone-mark placement, characters that show nothing)
"""
