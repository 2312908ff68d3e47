-- Findings about whole files and their covers: rejected files (UNREADABLE_FILE, INVALID_COVER,
-- BLANK_TEMPLATE), SUPERSEDED_SUBMISSION, and antq's LATE_SUBMISSION and COMMUNE_SAFE_VILLAGES_NOT.
-- `params` holds the values the check's Vietnamese message (catalog/checks.csv) is filled with.
with submissions as (
    select * from {{ ref('int_submissions') }}
),

-- A file with no readable period is reported in every period built while it stays in the inbox.
rejected as (
    select
        coalesce(f.period, p.period_key) as period,
        f.rejection_check as check_code,
        f.reporter_code as org_unit_code,
        f.source_file,
        case when f.rejection_check = 'INVALID_COVER' then {{ cover_sheet() }} end as sheet_name,
        cast(null as integer) as row_number,
        cast(null as varchar) as value_raw,
        json_object('reason', f.rejection_reason) as params
    from {{ ref('stg_files') }} as f
    join {{ ref('int_periods_built') }} as p on f.period is null or f.period = p.period_key
    where f.file_status = 'rejected'
),

superseded as (
    select period, 'SUPERSEDED_SUBMISSION', reporter_code, source_file, cast(null as varchar), cast(null as integer),
        cast(version as varchar),
        json_object('version', version, 'created_on', strftime(created_on, '%d/%m/%Y'), 'winner_file', winner_file)
    from submissions
    where submission_status = 'superseded'
),

late_submissions as (
    -- the workbook the figures come from was prepared after the deadline (mart_submissions.deadline)
    select w.period, 'LATE_SUBMISSION', w.reporter_code, w.source_file, {{ cover_sheet() }}, cast(null as integer),
        strftime(w.created_on, '%d/%m/%Y'),
        json_object('unit_name', coalesce(w.register_name, w.reporter_name),
                    'created_on', strftime(w.created_on, '%d/%m/%Y'), 'deadline', strftime(m.deadline, '%d/%m/%Y'),
                    'days_late', date_diff('day', m.deadline, w.created_on))
    from submissions as w
    join {{ ref('mart_submissions') }} as m on m.period = w.period and m.source_file = w.source_file
    where w.submission_status = 'winner' and not m.on_time
),

commune_safety as (
    -- communes whose cover says "safe" with fewer than half of their register villages registered
    select c.period, c.unit_code, c.unit_name, c.source_file,
        count(*) as villages, count_if(v.safe_registered) as villages_safe
    from {{ ref('fct_unit_status') }} as c
    join {{ ref('int_org_units_in_period') }} as u
        on u.period = c.period and u.parent_code = c.unit_code and u.org_unit_level = 'village'
    join {{ ref('fct_unit_status') }} as v
        on v.period = c.period and v.unit_kind = 'village' and v.unit_code = u.org_unit_code
    where c.unit_kind = 'commune' and c.safe_registered
    group by all
    having 2 * count_if(v.safe_registered) < count(*)
),

commune_safe_villages_not as (
    select period, 'COMMUNE_SAFE_VILLAGES_NOT', unit_code, source_file, {{ cover_sheet() }}, cast(null as integer),
        cast(villages_safe as varchar) || '/' || villages,
        json_object('unit_name', unit_name, 'villages_safe', villages_safe, 'villages', villages)
    from commune_safety
)

select * from rejected
union all select * from superseded
union all select * from late_submissions
union all select * from commune_safe_villages_not
