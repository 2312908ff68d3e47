-- Register agencies that count in each period built: valid on the period's last day, and so are the
-- province they belong to and, for a district-managed one, its district (contract section 2). An agency of
-- a province that no longer counts (merged on 1 July 2025, say) counts in no later period.
select
    p.period_key as period,
    a.*
from {{ ref('int_periods_built') }} as p
join {{ ref('int_agencies') }} as a
    on {{ valid_on('a', 'p.period_end') }}
where exists (
        select 1 from {{ ref('int_org_units_in_period') }} as u
        where u.period = p.period_key and u.org_unit_code = a.province_code and u.org_unit_level = 'province'
    )
  and (a.district_code is null or exists (
        select 1 from {{ ref('int_org_units_in_period') }} as u
        where u.period = p.period_key and u.org_unit_code = a.district_code and u.org_unit_level = 'district'
    ))
