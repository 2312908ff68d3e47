-- Additive figures: the districts' rows never exceed the province row (the province also counts its own
-- workbook and province-managed agencies, and communes directly under the province).
with d as (
    select m.period, u.province_code, m.indicator, sum(m.achieved) as achieved, sum(m.total) as total
    from {{ ref('mart_indicators') }} as m
    join {{ ref('int_org_units_in_period') }} as u on u.period = m.period and u.org_unit_code = m.org_unit_code
    where m.org_unit_level = 'district'
    group by all
)
select d.*, p.achieved as province_achieved, p.total as province_total
from d
join {{ ref('mart_indicators') }} as p
    on p.period = d.period and p.org_unit_code = d.province_code and p.indicator = d.indicator
where d.achieved > p.achieved or d.total > p.total
