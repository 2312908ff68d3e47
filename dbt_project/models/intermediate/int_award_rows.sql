-- "Khen thưởng" rows of the ingested workbooks; only the winning submission's valid rows count.
select
    a.*,
    s.period, s.reporter_level, s.reporter_code, s.submission_status, s.district_code, s.province_code,
    s.submission_status = 'winner' and a.row_valid as is_counted
from {{ ref('stg_awards') }} as a
join {{ ref('int_submissions') }} as s using (source_file)
