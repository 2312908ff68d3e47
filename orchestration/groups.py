"""The asset groups of the Dagster UI, in the order the data flows: ingestion → warehouse → quality →
publication.

Dagster 1.13 lists groups alphabetically (the asset graph's sidebar sorts them by name, as does the
catalogue), so each name starts with its place in the flow; the graph itself lays them out left to right
by their dependencies, which follow the same order (no asset depends on a later group)."""

INGESTION = "1_ingestion"
WAREHOUSE = "2_warehouse"
QUALITY = "3_quality"
PUBLICATION = "4_publication"

ORDER = (INGESTION, WAREHOUSE, QUALITY, PUBLICATION)
