-- Findings about the auditors' review folder (ingestion/reviews.py): a file that is not a readable copy of
-- kiem_tra_du_lieu.xlsx (REVIEW_FILE_UNREADABLE), a row naming no known finding (REVIEW_UNKNOWN_FINDING),
-- a row whose "Kết luận" is not a decision (REVIEW_BAD_DECISION). A row's period is its finding's, else the
-- period written on the file's summary sheet; a file with neither is reported in every period built.
select
    coalesce(r.period, p.period_key) as period,
    r.problem_check as check_code,
    cast(null as varchar) as org_unit_code,
    r.source_file,
    r.sheet_name,
    r.row_number,
    coalesce(r.decision_raw, r.finding_id) as value_raw,
    json_object('reason', r.problem_reason) as params
from {{ ref('stg_reviews') }} as r
join {{ ref('int_periods_built') }} as p on r.period is null or r.period = p.period_key
where r.problem_check is not null
