-- Agency rows of the ingested district and province workbooks, with why each does or does not count:
-- a province workbook lists its own province's province-managed agencies, a district workbook its own
-- district-managed ones.
with rows_ as (
    select a.*, s.period, s.reporter_level, s.reporter_code, s.reporter_name, s.submission_status,
           s.district_code as reporter_district_code, s.province_code
    from {{ ref('stg_agencies') }} as a
    join {{ ref('int_submissions') }} as s using (source_file)
),

annotated as (
    select
        r.*,
        g.agency_code is not null as unit_known,
        g.agency_name as register_name,
        g.agency_name_key as register_name_key,
        g.managed_by,
        {{ code_rank('r.agency_code') }}
    from rows_ as r
    left join {{ ref('int_agencies_in_period') }} as g
        on g.period = r.period
       and g.agency_code = r.agency_code
       and (
            (r.reporter_level = 'province' and g.managed_by = 'province' and g.province_code = r.reporter_code)
         or (r.reporter_level = 'district' and g.managed_by = 'district' and g.district_code = r.reporter_code)
       )
)

select
    *,
    submission_status = 'winner' and row_valid and unit_known and code_rank = 1 as is_counted
from annotated
