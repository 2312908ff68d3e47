"""Everything the period's report needs, read from the warehouse marts into plain Python values.

The connection is used only here; the documents, charts and workbook are rendered from a `ReportData`
after it is closed. Labels come from the indicator catalogue; every number comes from the warehouse.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache

import catalog
from ingestion.warehouse import rows_as_dicts
from reports import reviews
from reports.published import findings as period_findings


@dataclass(frozen=True)
class Figure:
    """One indicator of one unit in one period (contract section 4)."""

    indicator: str
    achieved: int | None
    total: int | None
    # False: an earlier period re-expressed on today's boundaries (issue 13) for an indicator that has no
    # meaning across the reform; achieved and total are then None, shown as "Không so sánh được", never 0
    comparable: bool = True

    @property
    def spec(self) -> dict:
        return _specs()[self.indicator]


@dataclass(frozen=True)
class UnitFigures:
    """A province or district with its figures by indicator."""

    code: str
    name: str
    level: str
    figures: dict[str, Figure]


@dataclass(frozen=True)
class ModelRow:
    """Counted models of one line of the models-by-group table: a district, the province-managed
    agencies, or the communes directly under the province (two-level structure)."""

    kind: str  # 'district' | 'province_agencies' | 'communes_without_district'
    code: str | None
    name: str | None  # the district's register name; None for the two other kinds
    by_group: dict[int, int]


@dataclass(frozen=True)
class Completeness:
    """Who reported, against who is expected to, and what became of the inbox's files."""

    expected: dict[str, int]  # reporter level -> units expected (register, valid in the period)
    received: dict[str, int]  # reporter level -> units with a winning submission
    files_by_status: dict[str, int]
    findings_by_severity: dict[str, int]


@dataclass(frozen=True)
class ReportData:
    period: str
    period_label: str  # "6 tháng đầu năm 2021"
    period_year: int
    period_end: dt.date
    data_date: dt.date  # latest "Ngày lập" of the period's winning submissions
    province: UnitFigures
    previous_period: str | None  # the half-year before, when the warehouse has it
    previous_label: str | None
    previous_province: UnitFigures | None
    districts: list[UnitFigures]
    trend: list[tuple[str, str, UnitFigures]]  # (period, label, province figures), oldest first
    model_rows: list[ModelRow]
    completeness: Completeness
    findings: list[dict] = field(default_factory=list)
    submissions: list[dict] = field(default_factory=list)
    review_counts: dict[str, int] = field(default_factory=dict)  # findings by review state (reports.reviews)
    # False when the register has no district valid in the period (since 1 July 2025: communes directly
    # under the province): the documents then speak of the two-level structure only (district_level())
    district_level: bool = True
    # the day since which the administrative boundaries the previous half-year and the trend are
    # re-expressed on took effect (mart_indicators_current_boundaries); None: no reform between the periods
    boundaries_since: dt.date | None = None


@cache
def _specs() -> dict[str, dict]:
    return {i["indicator"]: i for i in catalog.indicators()}


def model_groups() -> list[tuple[int, str]]:
    """(group number, catalogue indicator) of the six model groups, in report order."""
    prefix = "models.group_"
    return [
        (int(i["indicator"][len(prefix) :]), i["indicator"])
        for i in catalog.indicators()
        if i["indicator"].startswith(prefix)
    ]


def provinces(con, period: str) -> list[str]:
    """Codes of the provinces with published figures for the period."""
    return [
        r[0]
        for r in con.execute(
            "select distinct org_unit_code from main.mart_indicators "
            "where period = ? and org_unit_level = 'province' order by 1",
            [period],
        ).fetchall()
    ]


def district_level(con, period: str, province_code: str | None = None) -> bool:
    """Whether the period has a district level: a district of the register valid in the period (of the
    province, when named). mart_indicators publishes a row for every such district, reported or not.
    Every document asks here, none guesses from its own rows."""
    return (
        con.execute(
            """
        select count(*) from main.mart_indicators as m
        where m.period = ? and m.org_unit_level = 'district' and (? is null or m.province_code = ?)
        """,
            [period, province_code, province_code],
        ).fetchone()[0]
        > 0
    )


def load(con, period: str, province_code: str | None = None) -> ReportData:
    """The report's data for `period` and one province (the only one when not named)."""
    codes = provinces(con, period)
    if not codes:
        raise ValueError(f"kho dữ liệu chưa có số liệu kỳ {period}")
    if province_code is None:
        if len(codes) > 1:
            raise ValueError(f"kỳ {period} có số liệu của {len(codes)} tỉnh: hãy chọn một mã tỉnh")
        province_code = codes[0]
    units = _units(con, period, province_code)
    period_row = _period(con, period)
    previous = period_row["previous_period_key"]
    # periods before a reform read on today's boundaries (issue 13), the others as published
    redone, boundaries_since = _on_current_boundaries(con, period, province_code)
    labels = dict(_built_periods(con, province_code, period)) | {p: label for p, (label, _) in redone.items()}
    trend = [(p, labels[p], redone[p][1] if p in redone else units[(p, province_code)]) for p in sorted(labels)]
    previous_unit = next((u for p, _, u in trend if p == previous), None)
    has_previous = previous_unit is not None
    submissions = _submissions(con, period, province_code)
    found = period_findings(con, period)
    province = units[(period, province_code)]
    return ReportData(
        period=period,
        period_label=period_row["period_label_vi"],
        period_year=period_row["period_year"],
        period_end=period_row["period_end"],
        data_date=max(
            (s["created_on"] for s in submissions if s["submission_status"] == "winner" and s["created_on"]),
            default=period_row["period_end"],
        ),
        province=province,
        previous_period=previous if has_previous else None,
        previous_label=_period(con, previous)["period_label_vi"] if has_previous else None,
        previous_province=previous_unit,
        districts=sorted(
            (u for (p, _), u in units.items() if p == period and u.level == "district"), key=lambda u: u.code
        ),
        trend=trend,
        model_rows=_model_rows(con, period, province_code, province),
        completeness=_completeness(con, period, province, submissions, found),
        findings=found,
        submissions=submissions,
        review_counts=reviews.counts(con, period, found),
        district_level=district_level(con, period, province_code),
        boundaries_since=boundaries_since,
    )


def _period(con, period: str) -> dict:
    cur = con.execute(
        "select period_key, period_year, period_end, previous_period_key, period_label_vi "
        "from main.dim_period where period_key = ?",
        [period],
    )
    rows = rows_as_dicts(cur)
    if not rows:
        raise ValueError(f"kỳ không có trong danh mục kỳ báo cáo: {period}")
    return rows[0]


def _built_periods(con, province_code: str, upto: str) -> list[tuple[str, str]]:
    """(period, label) of the periods with published figures for the province, up to `upto`."""
    return [
        (r[0], r[1])
        for r in con.execute(
            """
        select distinct m.period, p.period_label_vi, p.period_start
        from main.mart_indicators as m
        join main.dim_period as p on p.period_key = m.period
        where m.org_unit_level = 'province' and m.org_unit_code = ?
          and p.period_start <= (select period_start from main.dim_period where period_key = ?)
        order by p.period_start
        """,
            [province_code, upto],
        ).fetchall()
    ]


def _on_current_boundaries(
    con, period: str, province_code: str
) -> tuple[dict[str, tuple[str, UnitFigures]], dt.date | None]:
    """The earlier periods' figures of the province re-expressed on this period's boundaries, by period
    with its label (none unless a crosswalk row took effect between them), and since when those
    boundaries hold."""
    rows = con.execute(
        """
        select m.period, p.period_label_vi, m.boundaries_since, m.org_unit_name, m.indicator, m.comparable,
               m.achieved, m.total
        from main.mart_indicators_current_boundaries as m
        join main.dim_period as p on p.period_key = m.period
        where m.boundaries_period = ? and m.org_unit_code = ? and m.org_unit_level = 'province'
        order by m.period, m.sort_order, m.indicator
        """,
        [period, province_code],
    ).fetchall()
    grouped: dict[str, tuple[str, str, dict[str, Figure]]] = {}
    since = None
    for p, label, day, name, indicator, comparable, achieved, total in rows:
        since = day if since is None else max(since, day)
        entry = grouped.setdefault(p, (label, name, {}))
        entry[2][indicator] = Figure(
            indicator,
            None if achieved is None else int(achieved),
            None if total is None else int(total),
            bool(comparable),
        )
    return {
        p: (label, UnitFigures(province_code, name, "province", figures))
        for p, (label, name, figures) in grouped.items()
    }, since


def _units(con, period: str, province_code: str) -> dict[tuple[str, str], UnitFigures]:
    """Figures of the province and its districts, for every built period up to `period`."""
    rows = con.execute(
        """
        select m.period, m.org_unit_code, m.org_unit_level, m.org_unit_name, m.indicator, m.achieved, m.total
        from main.mart_indicators as m
        join main.dim_period as p on p.period_key = m.period
        where m.province_code = ?
          and p.period_start <= (select period_start from main.dim_period where period_key = ?)
        order by m.period, m.org_unit_code, m.sort_order, m.indicator
        """,
        [province_code, period],
    ).fetchall()
    grouped: dict[tuple[str, str], tuple[str, str, dict[str, Figure]]] = {}
    for p, code, level, name, indicator, achieved, total in rows:
        entry = grouped.setdefault((p, code), (level, name, {}))
        entry[2][indicator] = Figure(indicator, int(achieved), None if total is None else int(total))
    return {key: UnitFigures(key[1], name, level, figures) for key, (level, name, figures) in grouped.items()}


def _submissions(con, period: str, province_code: str) -> list[dict]:
    """The period's files with their status. Files whose reporter is not a unit of this province
    (unknown codes, unreadable covers) are kept: they are part of what the office received."""
    cur = con.execute(
        """
        select s.source_file, s.file_sha256, s.reporter_level, s.reporter_code, s.reporter_name,
               s.district_code, s.version, s.created_on, s.submission_status, s.rejection_check,
               s.rejection_reason, s.winner_file, s.rows_read, s.rows_counted, s.rows_excluded
        from main.mart_submissions as s
        where s.period = ? and (s.province_code = ? or s.province_code is null)
        order by s.source_file
        """,
        [period, province_code],
    )
    return rows_as_dicts(cur)


def _model_rows(con, period: str, province_code: str, province: UnitFigures) -> list[ModelRow]:
    counts = con.execute(
        """
        select case when reporter_level = 'province' then 'province_agencies'
                    when district_code is null then 'communes_without_district'
                    else 'district' end as kind,
               district_code, model_group, count(*)
        from main.fct_models
        where period = ? and province_code = ?
        group by all
        """,
        [period, province_code],
    ).fetchall()
    by_key: dict[tuple[str, str | None], dict[int, int]] = {}
    for kind, district, group, n in counts:
        by_key.setdefault((kind, district if kind == "district" else None), {})[int(group)] = int(n)
    districts = con.execute(
        """
        select distinct m.org_unit_code, m.org_unit_name from main.mart_indicators as m
        where m.period = ? and m.org_unit_level = 'district' and m.province_code = ?
        order by 1
        """,
        [period, province_code],
    ).fetchall()
    rows = [ModelRow("district", code, name, by_key.get(("district", code), {})) for code, name in districts]
    for kind in ("communes_without_district", "province_agencies"):
        if (kind, None) in by_key:
            rows.append(ModelRow(kind, None, None, by_key[(kind, None)]))
    return rows


def _completeness(con, period: str, province: UnitFigures, submissions: list[dict], found: list[dict]) -> Completeness:
    # Who is expected and who reported: main.mart_expected_submissions, as the auditors' report counts them.
    expected = {"province": 0, "district": 0, "commune": 0}
    received = dict(expected)
    for level, n_expected, n_received in con.execute(
        "select org_unit_level, count(*), count_if(received) from main.mart_expected_submissions "
        "where period = ? and province_code = ? group by 1",
        [period, province.code],
    ).fetchall():
        expected[level], received[level] = n_expected, n_received
    by_status: dict[str, int] = {}
    for s in submissions:
        by_status[s["submission_status"] or "unknown_unit"] = (
            by_status.get(s["submission_status"] or "unknown_unit", 0) + 1
        )
    by_severity = {severity: 0 for severity in catalog.SEVERITY_ORDER}
    for f in found:  # a finding standing for more of its check and file beyond the listing limit counts them all
        by_severity[f["severity"]] = by_severity.get(f["severity"], 0) + 1 + f.get("not_listed", 0)
    return Completeness(expected, received, by_status, by_severity)
