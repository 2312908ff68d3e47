"""The submission workbook format (contract section 3), in one place for whoever reads or writes one:

- catalogue.py  the format as the reader applies it (cover fields, sheet layouts, column rules, the
                blank-template marker), from catalog/workbook.yaml; ingestion.workbook parses by it
- writer.py     `write_submission`: the one writer of submission workbooks, behind the blank templates
                (reports.blank_templates), the demo inbox (demo/), the benchmarks and the tests' fixtures

The words themselves (sheet and header names, labels, vocabularies) are data in catalog/workbook.yaml.
"""
