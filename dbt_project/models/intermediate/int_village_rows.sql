-- Village rows of the ingested commune workbooks, with why each does or does not count:
-- the village must belong to the reporting commune in the register for the period, the row must be
-- valid, and only the first row of a code counts (contract section 5).
with rows_ as (
    select v.*, s.period, s.reporter_code, s.reporter_name, s.submission_status, s.district_code, s.province_code
    from {{ ref('stg_villages') }} as v
    join {{ ref('int_submissions') }} as s using (source_file)
),

annotated as (
    select
        r.*,
        u.org_unit_code is not null as unit_known,
        u.org_unit_name as register_name,
        u.org_unit_name_key as register_name_key,
        {{ code_rank('r.village_code') }}
    from rows_ as r
    left join {{ ref('int_org_units_in_period') }} as u
        on u.period = r.period
       and u.org_unit_code = r.village_code
       and u.org_unit_level = 'village'
       and u.parent_code = r.reporter_code
)

select
    *,
    submission_status = 'winner' and row_valid and unit_known and code_rank = 1 as is_counted,
    submission_status = 'winner' and row_valid and unit_known and code_rank = 1
        and households_total is not null and households_registered is not null
        and households_registered <= households_total as households_counted
from annotated
