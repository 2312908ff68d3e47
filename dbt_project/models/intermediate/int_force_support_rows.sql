-- "Lực lượng nòng cốt" rows of the ingested workbooks; only the winning submission's valid rows count.
select
    f.*,
    s.period, s.reporter_level, s.reporter_code, s.submission_status, s.district_code, s.province_code,
    s.submission_status = 'winner' and f.row_valid as is_counted
from {{ ref('stg_force_support') }} as f
join {{ ref('int_submissions') }} as s using (source_file)
