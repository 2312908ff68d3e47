"""The parts of the data-quality work that need no build: the suites as data, and the one vocabulary the
findings model has to spell. (The findings history's bookkeeping and the finding keys are dbt unit tests:
tests/test_dbt_unit.py.)"""

from __future__ import annotations

import json
import re
from pathlib import Path

import catalog
import expectations

REPO = Path(__file__).resolve().parent.parent


def test_suites_are_complete_data():
    from expectations.run import parameters

    params = parameters("2021-H1")
    codes = set(catalog.checks())
    for name, suite in expectations.suites().items():
        assert suite["meta"]["row_reference"] and suite["meta"]["title_vi"], name
        for e in suite["expectations"]:
            assert e["meta"]["kind"] in ("structure", "content"), (name, e)
            assert e["description"], (name, e)
            if e["meta"]["kind"] == "content":  # a tolerated share of rows that the checks report
                assert e["kwargs"]["mostly"] < 1 and e["meta"]["finding"] in codes, (name, e)
            for placeholder in re.findall(r'"\$PARAMETER": "([^"]+)"', json.dumps(e)):
                assert placeholder in params, (name, placeholder)


def test_findings_model_spells_agency_kinds_as_the_workbook_does():
    sql = (REPO / "dbt_project/models/findings/findings_rows.sql").read_text(encoding="utf-8")
    spelled = dict(re.findall(r"'(\w+)': '([^']+)'", re.search(r"agency_kind_vi = \{([^}]*)\}", sql).group(1)))
    vocab = catalog.workbook()["vocab"]["agency_kind"]
    assert spelled == {key: words[0] for key, words in vocab.items()}
