-- The published figures (contract sections 4 and 6): per period, for each province and each district,
-- one row per indicator, zeros included. Province-only indicators have no district rows; indicators
-- without a denominator have an empty total.
-- Sums are HUGEINT (128-bit): no sum can overflow, whatever the counts (each count cell is also bounded by
-- the catalogue's `max`, catalog/workbook.yaml, so real figures stay far below BIGINT's range).
with scopes as (
    select period, org_unit_code, org_unit_name, org_unit_level, province_code
    from {{ ref('int_org_units_in_period') }}
    where org_unit_level in ('province', 'district')
),

contributions as (
    select * from {{ ref('int_indicator_contributions') }}
),

sums as (
    -- one pass, two groupings: per province and per district. A contribution without a district (the
    -- province's own workbook and agencies, communes directly under the province) only reaches the province.
    select
        period,
        case when grouping(district_code) = 0 then district_code else province_code end as org_unit_code,
        indicator,
        sum(cast(achieved as hugeint)) as achieved,
        sum(cast(total as hugeint)) as total
    from contributions
    group by grouping sets ((period, province_code, indicator), (period, district_code, indicator))
    having case when grouping(district_code) = 0 then district_code else province_code end is not null
)

select
    s.period,
    i.indicator,
    s.org_unit_code,
    s.org_unit_level,
    s.org_unit_name,
    cast(coalesce(x.achieved, 0) as hugeint) as achieved,
    case when i.has_total then cast(coalesce(x.total, 0) as hugeint) end as total,
    i.sort_order,
    i.label_vi,
    s.province_code
from scopes as s
cross join {{ ref('dim_indicator') }} as i
left join sums as x
    on x.period = s.period and x.org_unit_code = s.org_unit_code and x.indicator = i.indicator
where s.org_unit_level = 'province' or not i.province_only
-- a total order: (period, org_unit_code, indicator) is unique
order by s.period, case s.org_unit_level when 'province' then 0 else 1 end, s.org_unit_code, i.sort_order, i.indicator
