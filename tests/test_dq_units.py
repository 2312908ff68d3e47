"""The parts of the data-quality work that need no build: the findings history's bookkeeping, the suites
as data, and the one vocabulary the findings model has to spell."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import duckdb

import catalog
import expectations
from reports import findings_history

REPO = Path(__file__).resolve().parent.parent


def finding(check="MISSING_VALUE", row=3, value="", period="2021-H1"):
    return {
        "period": period,
        "check_code": check,
        "severity": catalog.checks()[check]["severity"],
        "org_unit_code": "99101001",
        "source_file": "2021-H1/x.xlsx",
        "sheet_name": "Thôn, khu phố",
        "row_number": row,
        "value_raw": value,
        "message": "…",
    }


def test_history_opens_keeps_closes_and_reopens():
    con = duckdb.connect()
    a, b = finding(row=3), finding(row=4)
    t = [dt.datetime(2021, 7, d, 8) for d in (21, 22, 23, 24)]
    assert findings_history.history(con, "2021-H1") == {}
    assert findings_history.record_build(con, "2021-H1", [a, b], "run1", t[0]) == {
        "open": 2,
        "new": 2,
        "seen_again": 0,
        "reopened": 0,
        "closed": 0,
    }
    # b corrected: closed; a seen again
    assert findings_history.record_build(con, "2021-H1", [a], "run2", t[1]) == {
        "open": 1,
        "new": 0,
        "seen_again": 1,
        "reopened": 0,
        "closed": 1,
    }
    # another period's build leaves this period's record alone
    findings_history.record_build(con, "2020-H2", [finding(period="2020-H2")], "run3", t[2])
    assert findings_history.record_build(con, "2021-H1", [a, b], "run4", t[3]) == {
        "open": 2,
        "new": 0,
        "seen_again": 1,
        "reopened": 1,
        "closed": 0,
    }
    key_a, key_b = findings_history.finding_keys([a, b])
    rows = findings_history.history(con, "2021-H1")
    assert (rows[key_a]["first_seen_at"], rows[key_a]["last_seen_run"], rows[key_a]["times_seen"]) == (t[0], "run4", 3)
    assert (rows[key_b]["is_open"], rows[key_b]["closed_at"], rows[key_b]["times_seen"]) == (True, None, 2)
    assert len(findings_history.history(con, "2020-H2")) == 1


def test_finding_keys_are_stable_and_tell_identical_findings_apart():
    a = finding(value="812")
    assert findings_history.finding_keys([a]) == findings_history.finding_keys([dict(a)])
    assert findings_history.finding_keys([a]) != findings_history.finding_keys([finding(value="805")])
    twice = findings_history.finding_keys([a, dict(a)])
    assert len(set(twice)) == 2


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
