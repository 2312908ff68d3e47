-- Model rows of the ingested workbooks. A commune's Mã thôn must be one of its villages, the province's
-- Mã đơn vị one of its province-managed agencies; when given and unknown the row contributes nothing.
with rows_ as (
    select m.*, s.period, s.reporter_level, s.reporter_code, s.submission_status, s.district_code, s.province_code
    from {{ ref('stg_models') }} as m
    join {{ ref('int_submissions') }} as s using (source_file)
),

annotated as (
    select
        r.*,
        case
            when r.unit_code is null then true
            when r.reporter_level = 'commune' then exists (
                select 1 from {{ ref('int_org_units_in_period') }} as u
                where u.period = r.period and u.org_unit_code = r.unit_code
                  and u.org_unit_level = 'village' and u.parent_code = r.reporter_code
            )
            when r.reporter_level = 'province' then exists (
                select 1 from {{ ref('int_agencies_in_period') }} as g
                where g.period = r.period and g.agency_code = r.unit_code and g.managed_by = 'province'
                  and g.province_code = r.reporter_code
            )
            else false
        end as unit_known
    from rows_ as r
)

select
    *,
    submission_status = 'winner' and row_valid and unit_known as is_counted
from annotated
