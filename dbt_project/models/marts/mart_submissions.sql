-- The import summary per workbook and period: what became of each file of the inbox and how many of its
-- rows count. A file with no readable period is listed in every period built.
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
)

select
    coalesce(f.period, p.period_key) as period,
    f.source_file,
    f.file_sha256,
    f.reporter_level,
    f.reporter_code,
    f.reporter_name,
    coalesce(s.district_code, u.district_code) as district_code,
    f.version,
    f.created_on,
    f.modified_at,
    case when f.file_status = 'rejected' then 'rejected' else s.submission_status end as submission_status,
    f.rejection_check,
    f.rejection_reason,
    s.winner_file,
    coalesce(r.rows_read, 0) as rows_read,
    coalesce(r.rows_counted, 0) as rows_counted,
    coalesce(r.rows_read, 0) - coalesce(r.rows_counted, 0) as rows_excluded
from {{ ref('stg_files') }} as f
join {{ ref('int_periods_built') }} as p on f.period is null or f.period = p.period_key
left join {{ ref('int_submissions') }} as s on s.source_file = f.source_file
left join {{ ref('dim_org_unit') }} as u on u.org_unit_code = f.reporter_code and u.org_unit_level = f.reporter_level
left join row_counts as r on r.source_file = f.source_file
order by period, f.source_file
