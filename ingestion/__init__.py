"""Reads the register and the submission workbooks into raw DuckDB tables (no Dagster here)."""
