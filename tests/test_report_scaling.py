"""The report writers grow linearly with the size of the province.

A whole-country build (705 districts, 10,575 communes, 11,281 workbooks) once never finished its
`report_documents` step: python-docx's `Table.cell(r, c)` rebuilds the table's cell grid on every call, so
a table cost rows² × columns². These tests build a synthetic warehouse (only the marts and dimensions the
reports read, in an in-memory DuckDB) with D districts and check that doubling D at most about doubles
the time of writing the report documents (`report_data.load` + `period_report.write_report`, the work of
the `report_documents` asset) and the auditors' report (`auditors.write_report`). Times are compared
within one run (the shortest of a few runs at each size, the two sizes taking turns), never against an
absolute figure.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import time
from pathlib import Path

import duckdb
import PIL.Image
import pyarrow as pa
import pytest

import catalog
from catalog import periods
from reports import auditors, charts, narrative, period_report, report_data
from reports.xlsx_report import write_xlsx

PERIOD, PREVIOUS = "2021-H1", "2020-H2"
PROVINCE = "60"
COMMUNES_PER_DISTRICT = 5
SMALL, LARGE = 60, 120
MAX_RATIO = 2.6  # doubling the districts: at most about double the time, with room for a shared machine

_ORG_UNIT = [
    "org_unit_code",
    "org_unit_name",
    "org_unit_name_key",
    "org_unit_level",
    "parent_code",
    "valid_from",
    "valid_to",
    "commune_code",
    "district_code",
    "province_code",
]


def _table(con, name: str, columns: dict[str, tuple[pa.DataType, list]]) -> None:
    view = f"_src_{name}"
    con.register(view, pa.table({c: pa.array(values, type=t) for c, (t, values) in columns.items()}))
    con.execute(f"create or replace table main.{name} as select * from {view}")
    con.unregister(view)


def _columns(rows: list[dict], types: dict[str, pa.DataType]) -> dict[str, tuple[pa.DataType, list]]:
    return {c: (t, [r.get(c) for r in rows]) for c, t in types.items()}


S, INT, B, D, TS = pa.string(), pa.int64(), pa.bool_(), pa.date32(), pa.timestamp("us")


def synthetic_warehouse(n_districts: int, communes: int = COMMUNES_PER_DISTRICT, con=None):
    """A DuckDB connection holding what the report writers read, for one province of `n_districts`
    districts of `communes` communes each, two half-years (so the report has a previous period and a
    trend), a winning workbook per unit (a superseded one for every seventh commune, none for every
    thirteenth) and a few findings per commune, recorded once in the findings history."""
    con = con or duckdb.connect()
    indicators = catalog.indicators()
    checks = catalog.checks()
    district_codes = [f"{d + 1:03d}" for d in range(n_districts)]
    commune_codes = {d: [f"{d}{c + 1:02d}" for c in range(communes)] for d in district_codes}

    org = [
        {
            "org_unit_code": PROVINCE,
            "org_unit_name": "Tỉnh Thử Nghiệm",
            "org_unit_level": "province",
            "province_code": PROVINCE,
        }
    ]
    for d in district_codes:
        org.append(
            {
                "org_unit_code": d,
                "org_unit_name": f"Huyện Số {int(d)}",
                "org_unit_level": "district",
                "parent_code": PROVINCE,
                "district_code": d,
                "province_code": PROVINCE,
            }
        )
        for c in commune_codes[d]:
            org.append(
                {
                    "org_unit_code": c,
                    "org_unit_name": f"Xã {int(c[-2:])} huyện {int(d)}",
                    "org_unit_level": "commune",
                    "parent_code": d,
                    "commune_code": c,
                    "district_code": d,
                    "province_code": PROVINCE,
                }
            )
    for r in org:
        r["org_unit_name_key"] = r["org_unit_name"].lower()
    _table(
        con,
        "dim_org_unit",
        _columns(
            org, {c: S for c in _ORG_UNIT if c not in ("valid_from", "valid_to")} | {"valid_from": D, "valid_to": D}
        ),
    )
    agencies = [
        {
            "agency_code": f"CQ{d}",
            "agency_name": f"Trường học huyện {int(d)}",
            "agency_kind": "truong_hoc",
            "managed_by": "district",
            "district_code": d,
            "province_code": PROVINCE,
        }
        for d in district_codes
    ]
    _table(
        con,
        "dim_agency",
        _columns(
            agencies,
            {
                c: S
                for c in ("agency_code", "agency_name", "agency_kind", "managed_by", "district_code", "province_code")
            },
        ),
    )

    period_rows = []
    for key in (PREVIOUS, PERIOD):
        start, end = periods.bounds(key)
        year, half = periods.parse(key)
        period_rows.append(
            {
                "period_key": key,
                "period_year": year,
                "half": half,
                "period_start": start,
                "period_end": end,
                "previous_period_key": periods.previous(key),
                "period_label_vi": f"6 tháng {'đầu' if half == 1 else 'cuối'} năm {year}",
            }
        )
    _table(
        con,
        "dim_period",
        _columns(
            period_rows,
            {
                "period_key": S,
                "period_year": INT,
                "half": INT,
                "period_start": D,
                "period_end": D,
                "previous_period_key": S,
                "period_label_vi": S,
            },
        ),
    )

    figures = []
    for p, period in enumerate((PREVIOUS, PERIOD)):
        sums: dict[str, list[int]] = {}
        for k, d in enumerate(district_codes):
            for spec in indicators:
                if spec["province_only"]:
                    continue
                total = (20 + (k * 7 + spec["sort_order"] * 3) % 40) * (100 if "households" in spec["indicator"] else 1)
                achieved = total - (k * 3 + spec["sort_order"] + p) % (total // 2 + 1)
                has_total = spec["has_total"]
                figures.append(
                    (period, spec, d, "district", f"Huyện Số {int(d)}", achieved, total if has_total else None)
                )
                s = sums.setdefault(spec["indicator"], [0, 0])
                s[0] += achieved
                s[1] += total
        for spec in indicators:
            achieved, total = sums.get(spec["indicator"], [150 + p, 190])
            figures.append(
                (period, spec, PROVINCE, "province", "Tỉnh Thử Nghiệm", achieved, total if spec["has_total"] else None)
            )
    _table(
        con,
        "mart_indicators",
        {
            "period": (S, [f[0] for f in figures]),
            "indicator": (S, [f[1]["indicator"] for f in figures]),
            "org_unit_code": (S, [f[2] for f in figures]),
            "org_unit_level": (S, [f[3] for f in figures]),
            "org_unit_name": (S, [f[4] for f in figures]),
            "achieved": (INT, [f[5] for f in figures]),
            "total": (INT, [f[6] for f in figures]),
            "sort_order": (INT, [f[1]["sort_order"] for f in figures]),
            "label_vi": (S, [f[1]["label_vi"] for f in figures]),
            "province_code": (S, [PROVINCE for _ in figures]),
        },
    )

    submissions, models, findings = [], [], []
    start, end = periods.bounds(PERIOD)
    deadline = dt.date(end.year, end.month + 1, 20)

    def submit(level, code, name, district, version=1, status="winner", winner=None, day=5):
        source = f"{PERIOD}/{district or PROVINCE}/{code}_v{version}.xlsx"
        created = dt.date(end.year, end.month + 1, day)
        submissions.append(
            {
                "period": PERIOD,
                "source_file": source,
                "file_sha256": hashlib.sha256(source.encode()).hexdigest(),
                "reporter_level": level,
                "reporter_code": code,
                "reporter_name": name,
                "district_code": district,
                "province_code": PROVINCE,
                "version": version,
                "created_on": created,
                "modified_at": dt.datetime.combine(created, dt.time(9)),
                "submission_status": status,
                "winner_file": winner or source,
                "rows_read": 12,
                "rows_counted": 11,
                "rows_excluded": 1,
                "summary_rows_read": 0 if level == "commune" else 3,
                "deadline": deadline,
                "on_time": created <= deadline,
            }
        )
        return source

    submit("province", PROVINCE, "Tỉnh Thử Nghiệm", None)
    n = 0
    for d in district_codes:
        submit("district", d, f"Huyện Số {int(d)}", d)
        for c in commune_codes[d]:
            n += 1
            name = f"Xã {int(c[-2:])} huyện {int(d)}"
            if n % 13 == 0:
                findings.append(
                    {
                        "check_code": "MISSING_SUBMISSION",
                        "org_unit_code": c,
                        "district_code": d,
                        "commune_code": c,
                        "params": {"unit_name": name, "code": c, "period": PERIOD},
                    }
                )
                continue
            source = submit("commune", c, name, d, version=2 if n % 7 == 0 else 1, day=5 + n % 20)
            if n % 7 == 0:
                old = submit("commune", c, name, d, version=1, status="superseded", winner=source)
                findings.append(
                    {
                        "check_code": "SUPERSEDED_SUBMISSION",
                        "org_unit_code": c,
                        "district_code": d,
                        "commune_code": c,
                        "source_file": old,
                        "value_raw": "1",
                        "params": {"version": 1, "winner_file": source},
                    }
                )
            for row in (3, 7):
                findings.append(
                    {
                        "check_code": "MISSING_VALUE",
                        "org_unit_code": f"{c}{row:03d}",
                        "district_code": d,
                        "commune_code": c,
                        "source_file": source,
                        "sheet_name": "Thôn, khu phố",
                        "row_number": row,
                        "value_raw": "",
                        "params": {"column": "Tổng số hộ", "sheet": "Thôn, khu phố", "row": row},
                    }
                )
            if n % 5 == 0:
                findings.append(
                    {
                        "check_code": "HOUSEHOLDS_REGISTERED_EXCEED_TOTAL",
                        "org_unit_code": f"{c}004",
                        "district_code": d,
                        "commune_code": c,
                        "source_file": source,
                        "sheet_name": "Thôn, khu phố",
                        "row_number": 4,
                        "value_raw": "=SUM(A1)",
                        "params": {"registered": 120, "total": 100},
                    }
                )
            for g in range(1, 7):
                models.append(
                    {
                        "period": PERIOD,
                        "reporter_level": "commune",
                        "reporter_code": c,
                        "commune_code": c,
                        "district_code": d,
                        "province_code": PROVINCE,
                        "model_group": g,
                        "model_name": f"Mô hình {g}",
                        "source_file": source,
                        "sheet_name": "Mô hình",
                        "row_number": g + 1,
                    }
                )
    for f in findings:
        f.update(period=PERIOD, severity=checks[f["check_code"]]["severity"], params=json.dumps(f["params"]))
    _table(
        con,
        "mart_submissions",
        _columns(
            submissions,
            {
                "period": S,
                "source_file": S,
                "file_sha256": S,
                "reporter_level": S,
                "reporter_code": S,
                "reporter_name": S,
                "district_code": S,
                "version": INT,
                "created_on": D,
                "modified_at": TS,
                "submission_status": S,
                "rejection_check": S,
                "rejection_reason": S,
                "winner_file": S,
                "rows_read": INT,
                "rows_counted": INT,
                "rows_excluded": INT,
                "summary_rows_read": INT,
                "deadline": D,
                "on_time": B,
                "province_code": S,
            },
        ),
    )
    _table(
        con,
        "fct_models",
        _columns(
            models,
            {
                "period": S,
                "reporter_level": S,
                "reporter_code": S,
                "commune_code": S,
                "district_code": S,
                "province_code": S,
                "model_group": INT,
                "model_name": S,
                "unit_code": S,
                "founded_year": INT,
                "source_file": S,
                "sheet_name": S,
                "row_number": INT,
            },
        ),
    )
    _table(
        con,
        "mart_dq_findings",
        _columns(
            findings,
            {
                "period": S,
                "check_code": S,
                "severity": S,
                "org_unit_code": S,
                "source_file": S,
                "sheet_name": S,
                "row_number": INT,
                "value_raw": S,
                "params": S,
                "district_code": S,
                "commune_code": S,
            },
        ),
    )
    # who had to report: the winners and the communes MISSING_SUBMISSION names (dbt's rule, on these rows)
    con.execute(
        """
        create or replace table main.mart_expected_submissions as
        select period, reporter_level as org_unit_level, reporter_code as org_unit_code,
               reporter_name as org_unit_name, district_code, $province as province_code, true as received,
               source_file, created_on, on_time
        from main.mart_submissions where submission_status = 'winner'
        union all
        select period, 'commune', org_unit_code, json_extract_string(params, '$.unit_name'), district_code,
               $province, false, null, null, false
        from main.mart_dq_findings where check_code = 'MISSING_SUBMISSION'
        """,
        {"province": PROVINCE},
    )
    # no reform between the periods: nothing re-expressed on other boundaries
    con.execute(
        "create or replace table main.mart_indicators_current_boundaries (boundaries_period varchar, "
        "period varchar, boundaries_since date, org_unit_code varchar, org_unit_level varchar, org_unit_name varchar, "
        "indicator varchar, comparable boolean, achieved hugeint, total hugeint, sort_order integer)"
    )
    # each unit's name in the period (dbt: the register rows valid on the period's last day)
    con.execute(
        """
        create or replace table main.mart_unit_names as
        select p.period, u.org_unit_code as unit_code, u.org_unit_name as unit_name, u.org_unit_level as unit_level
        from main.dim_org_unit as u cross join (select distinct period from main.mart_indicators) as p
        union all
        select p.period, a.agency_code, a.agency_name, 'agency'
        from main.dim_agency as a cross join (select distinct period from main.mart_indicators) as p
        """
    )
    con.execute(
        "create or replace table main.mart_rows_as_read (source_table varchar, source_file varchar, "
        "sheet_name varchar, row_number integer, reporter_level varchar, cells varchar)"
    )
    # each finding's key (dbt: a hash of what identifies it), and one build of history that found them all
    con.execute(
        "create or replace table main.mart_dq_findings as select md5(cast(row_number() over () as varchar)) "
        "as finding_key, * from main.mart_dq_findings"
    )
    con.execute(
        """
        create or replace table main.findings_history as
        select finding_key, period, check_code, severity, org_unit_code, source_file, sheet_name, row_number,
               value_raw, params, timestamp '2021-07-21 06:00' as first_seen_at, 'run-1' as first_seen_run,
               timestamp '2021-07-21 06:00' as last_seen_at, 'run-1' as last_seen_run, 1 as times_seen,
               true as is_open, cast(null as timestamp) as closed_at, cast(null as varchar) as closed_run
        from main.mart_dq_findings
        """
    )
    return con


def _best_times(runs: int, work) -> tuple[float, float, object]:
    """Shortest of `runs` runs of `work(size)` at each size, SMALL and LARGE taking turns so that both
    see the same load on a shared machine; and the result of the last LARGE run."""
    best = {SMALL: float("inf"), LARGE: float("inf")}
    result = None
    for _ in range(runs):
        for size in (SMALL, LARGE):
            gc.collect()
            started = time.perf_counter()
            result = work(size)
            best[size] = min(best[size], time.perf_counter() - started)
    return best[SMALL], best[LARGE], result


def _assert_linear(t_small: float, t_large: float) -> None:
    assert t_large / t_small <= MAX_RATIO, (
        f"{SMALL} districts: {t_small:.2f} s, {LARGE} districts: {t_large:.2f} s (x{t_large / t_small:.2f}, "
        f"at most x{MAX_RATIO})"
    )


def write_documents(con, out: Path) -> period_report.ReportFiles:
    """What the report_documents asset does for the one province."""
    return period_report.write_report(report_data.load(con, PERIOD), out)


@pytest.fixture(scope="module")
def warehouses():
    cons = {size: synthetic_warehouse(size) for size in (SMALL, LARGE)}
    for con in cons.values():
        con.execute("set threads = 1")  # steadier timings on a shared machine
    yield cons
    for con in cons.values():
        con.close()


def test_report_documents_grow_linearly(warehouses, tmp_path):
    t_small, t_large, files = _best_times(2, lambda size: write_documents(warehouses[size], tmp_path / str(size)))
    assert files.text.count("| Huyện Số ") == LARGE  # one annex line per district
    assert all(path.stat().st_size > 0 for path in files.paths())
    with PIL.Image.open(files.charts["households"]) as chart:  # bounded, however many districts
        assert chart.height <= (0.42 * charts.MAX_DISTRICT_BARS + 2.5) * charts.DPI
    _assert_linear(t_small, t_large)


def test_word_and_excel_writers_grow_linearly(warehouses, tmp_path):
    """The Word and Excel writers alone, without the charts (whose size is bounded) that dilute them
    above: a table that costs rows² shows here first."""
    inputs = {}
    for size in (SMALL, LARGE):
        data = report_data.load(warehouses[size], PERIOD)
        out = tmp_path / str(size)
        (out / "charts").mkdir(parents=True)
        paths = {key: out / "charts" / name for key, name in charts.FILES.items()}
        for path in paths.values():  # small stand-ins: the charts are not what is measured here
            PIL.Image.new("RGB", (65, 40), "white").save(path)
        inputs[size] = (data, out, paths, {k: p.relative_to(out).as_posix() for k, p in paths.items()})

    def work(size):
        data, out, paths, relative = inputs[size]
        when = period_report.stamp(data)
        narrative.write(narrative.render(data, relative), out / "r.md", out / "r.docx", title="t", stamp=when)
        return write_xlsx(data, out / "r.xlsx", charts=paths, stamp=when)

    t_small, t_large, _ = _best_times(3, work)
    _assert_linear(t_small, t_large)


def test_auditors_report_grows_linearly(warehouses, tmp_path):
    for size in (SMALL, LARGE):
        (tmp_path / str(size)).mkdir()
    t_small, t_large, result = _best_times(
        5, lambda size: auditors.write_report(warehouses[size], PERIOD, tmp_path / str(size))
    )
    assert result["findings"] > 2 * LARGE * COMMUNES_PER_DISTRICT
    assert result["submissions"] > LARGE * COMMUNES_PER_DISTRICT
    _assert_linear(t_small, t_large)
