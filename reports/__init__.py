"""Writes what people read: published CSVs, the report for the provincial office, the auditors'
report, charts, and blank submission workbooks. Plain Python, no Dagster."""
