-- "Tự phòng, tự quản" models that count: valid rows of winning commune and province workbooks.
select
    period,
    reporter_level,
    reporter_code,
    case when reporter_level = 'commune' then reporter_code end as commune_code,
    district_code,
    province_code,
    model_group,
    model_name,
    unit_code,
    founded_year,
    source_file,
    sheet_name,
    row_number
from {{ ref('int_model_rows') }}
where is_counted
