-- The import summary per workbook and period: what became of each file of the inbox, how many of its
-- rows count (rows_read = rows_counted + rows_excluded; "Tổng hợp" rows apart), and whether it was
-- prepared (Ngày lập) by the period's deadline. A file with no readable period is listed in every period
-- built.
--
-- The deadline is the `submission_deadline_day` of the month after the half-year ends (dbt var, else the
-- ANTQ_SUBMISSION_DEADLINE_DAY environment variable, else the catalogue's setting: catalog/settings.csv,
-- the seed `settings`), unless the dbt var `submission_deadlines` names a date for the period
-- ({"2021-H1": "2021-07-31"}).
{% set deadline_override = var('submission_deadline_day', env_var('ANTQ_SUBMISSION_DEADLINE_DAY', '')) | string | trim %}
{% set deadlines = var('submission_deadlines', {}) %}
with row_counts as (
    select source_file, count(*) as rows_read, count_if(is_counted) as rows_counted
    from (
        select source_file, is_counted from {{ ref('int_village_rows') }}
        union all select source_file, is_counted from {{ ref('int_agency_rows') }}
        union all select source_file, is_counted from {{ ref('int_model_rows') }}
        union all select source_file, is_counted from {{ ref('int_force_support_rows') }}
        union all select source_file, is_counted from {{ ref('int_award_rows') }}
    )
    group by source_file
),

summary_counts as (
    -- a district's "Tổng hợp" rows are read for the cross-check only, never counted
    select source_file, count(*) as summary_rows_read
    from {{ ref('stg_district_summary') }}
    group by source_file
),

deadline_day as (
    select coalesce(
        {% if deadline_override %}cast('{{ deadline_override }}' as integer){% else %}null{% endif %},
        cast(value as integer)
    ) as day
    from {{ ref('settings') }}
    where setting = 'submission_deadline_day'
),

deadlines as (
    select
        p.period_key,
        coalesce(
            {%- if deadlines %}
            case p.period_key
                {%- for period, day in deadlines.items() %}
                when '{{ period }}' then date '{{ day }}'
                {%- endfor %}
            end,
            {%- endif %}
            make_date(year(p.period_end + interval 1 day), month(p.period_end + interval 1 day), (select day from deadline_day))
        ) as deadline
    from {{ ref('int_periods_built') }} as p
)

select
    coalesce(f.period, p.period_key) as period,
    f.source_file,
    f.file_sha256,
    f.size_bytes,
    f.file_status,
    f.reporter_level,
    f.reporter_code,
    f.reporter_name,
    coalesce(s.district_code, u.district_code) as district_code,
    u.province_code,
    f.version,
    f.created_on,
    f.modified_at,
    case when f.file_status = 'rejected' then 'rejected' else s.submission_status end as submission_status,
    f.rejection_check,
    f.rejection_reason,
    s.winner_file,
    cast(coalesce(r.rows_read, 0) as bigint) as rows_read,
    cast(coalesce(r.rows_counted, 0) as bigint) as rows_counted,
    cast(coalesce(r.rows_read, 0) - coalesce(r.rows_counted, 0) as bigint) as rows_excluded,
    cast(coalesce(c.summary_rows_read, 0) as bigint) as summary_rows_read,
    d.deadline,
    f.created_on <= d.deadline as on_time
from {{ ref('stg_files') }} as f
join {{ ref('int_periods_built') }} as p on f.period is null or f.period = p.period_key
join deadlines as d on d.period_key = p.period_key
left join {{ ref('int_submissions') }} as s on s.source_file = f.source_file
left join {{ ref('dim_org_unit') }} as u
    on u.org_unit_code = f.reporter_code and u.org_unit_level = f.reporter_level
   and {{ org_unit_on('u', 'p.period_end') }}
left join row_counts as r on r.source_file = f.source_file
left join summary_counts as c on c.source_file = f.source_file
order by period, f.source_file
