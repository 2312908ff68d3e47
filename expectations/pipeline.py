"""Invariants of the pipeline itself, checked on the built warehouse for one period. A violation is not
a data-quality finding that a commune can correct: it means antq lost a file or a row, or would count a
unit twice, so the figures must not be published (the blocking asset checks of orchestration.assets.quality).

Each function returns the offending rows as dicts (empty when the invariant holds)."""

from __future__ import annotations

import catalog


def _dicts(cur) -> list[dict]:
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def unaccounted_files(con, period: str) -> list[dict]:
    """Inbox files of the period (or of no readable period) that the import summary does not account for."""
    return _dicts(
        con.execute(
            """
        select f.source_file, f.status, f.period
        from raw.files as f
        left join main.mart_submissions as m on m.period = ? and m.source_file = f.source_file
        where (f.period = ? or f.period is null)
          and (m.source_file is null or m.submission_status is null)
        order by f.source_file
        """,
            [period, period],
        )
    )


def lost_rows(con, period: str) -> list[dict]:
    """Files of the period whose rows in the raw tables differ in number from the rows the import summary
    read (rows_read + summary_rows_read): a row dropped or duplicated between ingestion and the marts."""
    raw_rows = " union all ".join(f"select source_file from raw.{t}" for t in catalog.raw_tables())
    return _dicts(
        con.execute(
            f"""
        with raw_counts as (
            select source_file, count(*) as raw_rows from ({raw_rows}) group by source_file
        )
        select m.source_file, coalesce(r.raw_rows, 0) as raw_rows,
               m.rows_read + m.summary_rows_read as rows_in_summary
        from main.mart_submissions as m
        left join raw_counts as r using (source_file)
        where m.period = ? and m.submission_status <> 'rejected'
          and coalesce(r.raw_rows, 0) <> m.rows_read + m.summary_rows_read
        order by m.source_file
        """,
            [period],
        )
    )


def duplicate_winners(con, period: str) -> list[dict]:
    """Reporting units with more than one winning workbook in the period."""
    return _dicts(
        con.execute(
            """
        select reporter_level, reporter_code, count(*) as winners,
               string_agg(source_file, ', ' order by source_file) as files
        from main.mart_submissions
        where period = ? and submission_status = 'winner'
        group by all
        having count(*) > 1
        order by all
        """,
            [period],
        )
    )


def units_counted_twice(con, period: str) -> list[dict]:
    """Register units that appear more than once among the units the plan and registration figures count."""
    return _dicts(
        con.execute(
            """
        select unit_kind, unit_code, count(*) as times, string_agg(distinct source_file, ', ') as files
        from main.fct_unit_status
        where period = ?
        group by all
        having count(*) > 1
        order by all
        """,
            [period],
        )
    )
