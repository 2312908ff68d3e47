"""The bad-input corpus (tests/corpus): generated once, built once through `antq build`, then each case is
held to what it must give: its findings in dq_findings.csv, exactly (or its predicate), the messages that
name its problem, and every valid row of its files in the warehouse and counted in the published figures.
The published files are also checked byte by byte: no raw control character ever reaches a reader."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass

import duckdb
import pytest
from build_helpers import build, findings, indicators

from tests.corpus.generate import (
    AGENCIES,
    COMMUNES,
    DISTRICTS,
    PROVINCE,
    Case,
    Finding,
    P,
    cases,
    generate,
    register_villages,
)

CASES = cases()
# checks that reject a whole file: it lands no row at all
FILE_REJECTIONS = {"UNREADABLE_FILE", "INVALID_COVER", "BLANK_TEMPLATE"}
CONTROL_SHOWN = ("[U+0000]", "[U+001B]", "[U+0007]")


@dataclass
class Built:
    cases: dict[str, Case]
    period_dir: object
    seconds: float
    findings: list[dict]
    figures: dict
    files: dict[str, tuple]  # source_file -> (status, check_code)
    raw_villages: dict[tuple[str, int], bool]  # (source_file, row) -> row_valid
    raw_agencies: dict[tuple[str, int], bool]
    status: dict[tuple[str, str], tuple]  # (unit_kind, unit_code) -> (source_file, row_number)
    households: dict[tuple[str, int], tuple]  # (source_file, row) -> (total, registered)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Built:
    tmp = tmp_path_factory.mktemp("corpus")
    inbox, register = tmp / "inbox", tmp / "register"
    generated = generate(inbox, register)
    started = time.perf_counter()
    period_dir = build(tmp, P, inbox, register)  # asserts `antq build` exited 0
    seconds = time.perf_counter() - started
    print(f"\ncorpus: {len(generated)} cases, antq build {seconds:.1f} s")
    con = duckdb.connect(str(tmp / "warehouse.duckdb"), read_only=True)
    try:
        files = {
            f: (s, c) for f, s, c in con.execute("select source_file, status, check_code from raw.files").fetchall()
        }
        raw_villages = {
            (f, r): v
            for f, r, v in con.execute("select source_file, row_number, row_valid from raw.villages").fetchall()
        }
        raw_agencies = {
            (f, r): v
            for f, r, v in con.execute("select source_file, row_number, row_valid from raw.agencies").fetchall()
        }
        status = {
            (k, u): (f, r)
            for k, u, f, r in con.execute(
                "select unit_kind, unit_code, source_file, row_number from main.fct_unit_status where period = ?", [P]
            ).fetchall()
        }
        households = {
            (f, r): (t, g)
            for f, r, t, g in con.execute(
                "select source_file, row_number, households_total, households_registered "
                "from main.fct_village_households where period = ?",
                [P],
            ).fetchall()
        }
    finally:
        con.close()
    return Built(
        {c.name: c for c in generated},
        period_dir,
        seconds,
        findings(period_dir),
        indicators(period_dir),
        files,
        raw_villages,
        raw_agencies,
        status,
        households,
    )


def as_finding(row: dict) -> Finding:
    return Finding(row["check"], row["org_unit_code"], row["sheet"], row["row"], row["source_file"])


def claimed_by(case: Case, row: dict) -> bool:
    if case.predicate is not None and row["source_file"] in case.files:
        return True
    return as_finding(row) in case.expected


@pytest.mark.parametrize("name", [c.name for c in CASES])
def test_case(corpus, name):
    case = corpus.cases[name]
    found = corpus.findings
    on_files = [as_finding(f) for f in found if f["source_file"] in case.files]

    # its findings
    if case.predicate is not None:
        assert case.predicate(found), [f for f in found if f["source_file"] in case.files]
    else:
        assert sorted(on_files) == sorted(f for f in case.expected if f.source_file), (
            f"{name}: findings on its files differ from the planted ones"
        )
        for expected in case.expected:
            if not expected.source_file:
                assert expected in {as_finding(f) for f in found}, f"{name}: {expected} not found"
    by_key = {as_finding(f): f for f in found}
    for expected, text in case.messages:
        assert text in by_key[expected]["message"], (expected, by_key[expected]["message"])

    # every file of the case is in the inbox's record, under its source_file
    for file in case.files:
        assert file in corpus.files, f"{name}: {file} not recorded in raw.files"
        rejected = any(f.check in FILE_REJECTIONS and f.source_file == file for f in case.expected)
        if rejected:
            assert corpus.files[file][0] == "rejected", file
            assert not [k for k in corpus.raw_villages if k[0] == file], f"{file}: a rejected file landed rows"

    # its rows: valid ones land, counted ones count, the others count nowhere
    for r in case.villages:
        key = (r.source_file, r.row)
        if case.rows_land:
            assert key in corpus.raw_villages, f"{name}: village row {key} did not land"
            assert corpus.raw_villages[key] is r.valid, f"{name}: row_valid of {key}"
        through = corpus.status.get(("village", r.village))
        if r.counts:
            assert through == key, f"{name}: village {r.village} counted through {through}, not {key}"
        else:
            assert through != key, f"{name}: village {r.village} counted through excluded row {key}"
        if r.households:
            assert corpus.households.get(key) == (r.total, r.registered), f"{name}: households of {key}"
        else:
            assert key not in corpus.households, f"{name}: households of excluded row {key} summed"
    for r in case.agencies:
        key = (r.source_file, r.row)
        if case.rows_land:
            assert corpus.raw_agencies.get(key) is r.valid, f"{name}: agency row {key}"
        kind = "province_agency" if AGENCIES[r.agency][2] == "province" else "district_agency"
        through = corpus.status.get((kind, r.agency))
        assert (through == key) is r.counts, f"{name}: agency {r.agency} counted through {through}"
    if not case.rows_land:
        counted = {f for f, _ in corpus.status.values()} | {f for f, _ in corpus.households}
        assert not counted & set(case.files), f"{name}: a file that must count nothing counts"


def test_every_finding_is_planted_by_a_case(corpus):
    assert {f["period"] for f in corpus.findings} == {P}
    unplanted = [f for f in corpus.findings if not any(claimed_by(c, f) for c in CASES)]
    assert unplanted == [], "findings no case planted"
    twice = [k for k, n in Counter(as_finding(f) for f in corpus.findings).items() if n > 1]
    assert twice == [], "the same finding listed twice"


def test_every_corpus_file_is_recorded(corpus):
    assert set(corpus.files) == {file for c in CASES for file in c.files}


def expected_figures(all_cases: list[Case]) -> dict[tuple[str, str], tuple[int, int | None]]:
    """The published figures the case definitions imply, for the province and each district: village
    boards and registrations, households, agencies, steering committees and communes."""
    counted = {}
    for case in all_cases:
        for r in case.villages:
            if r.counts:
                assert r.village not in counted, f"village {r.village} counted twice by the definitions"
                counted[r.village] = r
    agencies = {r.agency: r for c in all_cases for r in c.agencies if r.counts}
    covers = {(r.level, r.code): r for c in all_cases for r in c.covers if r.counts}
    villages = register_villages()
    out = {}
    for scope, districts in [(PROVINCE[0], set(DISTRICTS)), *((d, {d}) for d in DISTRICTS)]:
        in_scope = [counted[v] for v, (_, d) in villages.items() if d in districts and v in counted]
        total = sum(1 for _, d in villages.values() if d in districts)
        rows = [r for r in in_scope if r.households]
        communes = [c for c, spec in COMMUNES.items() if spec[1] in districts]
        commune_covers = [covers[("commune", c)] for c in communes if ("commune", c) in covers]
        district_agencies = [a for a, spec in AGENCIES.items() if spec[2] == "district" and spec[3] in districts]
        listed = [agencies[a] for a in district_agencies if a in agencies]
        out.update(
            {
                (scope, "plan_issued.village_boards"): (sum(r.plan for r in in_scope), total),
                (scope, "safe_registered.villages"): (sum(r.safe for r in in_scope), total),
                (scope, "safe_registered.households"): (sum(r.registered for r in rows), sum(r.total for r in rows)),
                (scope, "plan_issued.commune_steering_committees"): (
                    sum(c.steering for c in commune_covers),
                    len(communes),
                ),
                (scope, "safe_registered.communes"): (sum(c.safe for c in commune_covers), len(communes)),
                (scope, "plan_issued.district_steering_committees"): (
                    sum(covers[("district", d)].steering for d in districts if ("district", d) in covers),
                    len(districts),
                ),
                (scope, "plan_issued.district_agencies"): (sum(a.plan for a in listed), len(district_agencies)),
                (scope, "safe_registered.district_agencies"): (sum(a.safe for a in listed), len(district_agencies)),
            }
        )
    province_agencies = [a for a, spec in AGENCIES.items() if spec[2] == "province"]
    listed = [agencies[a] for a in province_agencies if a in agencies]
    out[(PROVINCE[0], "plan_issued.province_agencies")] = (sum(a.plan for a in listed), len(province_agencies))
    out[(PROVINCE[0], "safe_registered.province_agencies")] = (sum(a.safe for a in listed), len(province_agencies))
    return out


def test_published_figures_count_every_landed_row(corpus):
    expected = expected_figures(list(corpus.cases.values()))
    got = {key: corpus.figures.get(key) for key in expected}
    assert got == expected


def test_published_files_hold_no_raw_control_character(corpus):
    for name in ("dq_findings.csv", "kiem_tra_du_lieu.html"):
        data = (corpus.period_dir / name).read_bytes()
        raw = sorted({b for b in data if b < 0x20 and b != 0x0A})
        assert raw == [], f"{name} holds raw control bytes {[hex(b) for b in raw]}"
        text = data.decode("utf-8")
        for shown in CONTROL_SHOWN:
            assert shown in text, f"{name} does not show {shown}"
