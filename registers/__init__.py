"""Registers of administrative units made from maintained data (issue 13): `antq register` writes a
register folder (contract section 2) for one province, in the 2025 structure (34 provinces, communes
under the province) or the 2021 structure (63 provinces, districts, communes), and for 2025 the
crosswalk from each former commune to its new commune(s). Plain Python: no Dagster.

    sources   the two PyPI libraries (vietnam-provinces, vietnamadminunits) and their cross-checks
    folder    writes org_units.csv and agencies.csv
    crosswalk writes crosswalk.csv
"""
