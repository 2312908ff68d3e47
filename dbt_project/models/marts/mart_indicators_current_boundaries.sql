-- Figures of earlier periods re-expressed on a later period's boundaries (issue 13), so that a build after a
-- reform of administrative units compares with the periods before it. One row per (boundaries_period, period,
-- unit of boundaries_period: province or commune, indicator) for every pair of built periods with a
-- crosswalk row coming into force between their last days.
-- Village-level figures (catalog/indicators.csv comparable_across_reform) follow each village to its commune
-- on the later boundaries (int_village_moves) and sum exactly; a model without a village goes with its
-- commune, a province's own with its province. Other indicators (a former commune's steering committee, …)
-- have no meaning across a merger: comparable is false and the figures are NULL, never 0.
with built as (
    select period_key as period, period_end from {{ ref('int_periods_built') }}
),

pairs as (
    select b.period as boundaries_period, p.period, min(c.effective_date) as boundaries_since
    from built as b
    join built as p on p.period_end < b.period_end
    join {{ ref('stg_register_crosswalk') }} as c
        on c.row_valid and c.effective_date > p.period_end and c.effective_date <= b.period_end
    group by b.period, p.period
),

scopes as (
    select x.boundaries_period, x.period, x.boundaries_since, u.org_unit_code, u.org_unit_name, u.org_unit_level,
        u.province_code
    from pairs as x
    join {{ ref('int_org_units_in_period') }} as u on u.period = x.boundaries_period
    where u.org_unit_level in ('province', 'commune')
),

village_to as (
    -- each village's commune on the later boundaries, with that commune's province then
    select m.period as boundaries_period, m.village_code, m.commune_code, m.via_default_destination,
        c.province_code
    from {{ ref('int_village_moves') }} as m
    join {{ ref('int_org_units_in_period') }} as c
        on c.period = m.period and c.org_unit_code = m.commune_code and c.org_unit_level = 'commune'
),

commune_to as (
    select m.period as boundaries_period, m.commune_code, m.commune_code_in_period, m.via_default_destination,
        c.province_code
    from {{ ref('int_commune_moves') }} as m
    join {{ ref('int_org_units_in_period') }} as c
        on c.period = m.period and c.org_unit_code = m.commune_code_in_period and c.org_unit_level = 'commune'
),

province_to as (
    -- a former province goes where most of its communes went (in 2025 whole provinces merged)
    select x.boundaries_period, x.period, u.province_code,
        mode(t.province_code order by t.province_code) as province_code_then
    from pairs as x
    join {{ ref('int_org_units_in_period') }} as u on u.period = x.period and u.org_unit_level = 'commune'
    join commune_to as t on t.boundaries_period = x.boundaries_period and t.commune_code = u.org_unit_code
    group by x.boundaries_period, x.period, u.province_code
),

by_village as (
    -- (period, village, indicator, achieved, total): plans and registrations of every register village of
    -- the period, households of the counted rows
    select period, unit_code as village_code, 'plan_issued.village_boards' as indicator,
        cast(plan_issued as bigint) as achieved, 1::bigint as total
    from {{ ref('int_unit_status') }}
    where unit_kind = 'village'
    union all
    select period, unit_code, 'safe_registered.villages', cast(safe_registered as bigint), 1::bigint
    from {{ ref('int_unit_status') }}
    where unit_kind = 'village'
    union all
    select period, village_code, 'safe_registered.households', households_registered, households_total
    from {{ ref('int_village_rows') }}
    where households_counted
),

models as (
    select period, reporter_level, reporter_code, province_code, unit_code, model_group
    from {{ ref('int_model_rows') }}
    where is_counted
),

model_rows as (
    select period, 'models.total' as indicator, reporter_level, reporter_code, province_code, unit_code
    from models
    union all
    select period, 'models.group_' || model_group, reporter_level, reporter_code, province_code, unit_code
    from models
),

moved as (
    -- every contribution with the commune (NULL: the province only) and province it belongs to on the later
    -- boundaries
    select x.boundaries_period, v.period, v.indicator, t.commune_code, t.province_code,
        t.via_default_destination, v.achieved, v.total
    from by_village as v
    join pairs as x on x.period = v.period
    join village_to as t on t.boundaries_period = x.boundaries_period and t.village_code = v.village_code
    union all
    select x.boundaries_period, m.period, m.indicator,
        coalesce(tv.commune_code, tc.commune_code_in_period),
        coalesce(tv.province_code, tc.province_code, tp.province_code_then),
        coalesce(tv.via_default_destination, tc.via_default_destination, false),
        1::bigint, null::bigint
    from model_rows as m
    join pairs as x on x.period = m.period
    left join village_to as tv
        on m.reporter_level = 'commune' and tv.boundaries_period = x.boundaries_period and tv.village_code = m.unit_code
    left join commune_to as tc
        on m.reporter_level = 'commune' and m.unit_code is null
       and tc.boundaries_period = x.boundaries_period and tc.commune_code = m.reporter_code
    left join province_to as tp
        on m.reporter_level <> 'commune' and tp.boundaries_period = x.boundaries_period and tp.period = m.period
       and tp.province_code = m.province_code
),

sums as (
    select
        boundaries_period, period,
        case when grouping(commune_code) = 0 then commune_code else province_code end as org_unit_code,
        indicator,
        sum(cast(achieved as hugeint)) as achieved,
        sum(cast(total as hugeint)) as total,
        bool_or(via_default_destination) as via_default_destination
    from moved
    group by grouping sets ((boundaries_period, period, province_code, indicator),
                            (boundaries_period, period, commune_code, indicator))
    having case when grouping(commune_code) = 0 then commune_code else province_code end is not null
)

select
    s.boundaries_period,
    s.period,
    s.boundaries_since,
    i.indicator,
    s.org_unit_code,
    s.org_unit_level,
    s.org_unit_name,
    s.province_code,
    i.comparable_across_reform as comparable,
    case when i.comparable_across_reform then cast(coalesce(x.achieved, 0) as hugeint) end as achieved,
    case when i.comparable_across_reform and i.has_total then cast(coalesce(x.total, 0) as hugeint) end as total,
    i.comparable_across_reform and coalesce(x.via_default_destination, false) as via_default_destination,
    i.sort_order,
    i.label_vi
from scopes as s
cross join {{ ref('dim_indicator') }} as i
left join sums as x
    on x.boundaries_period = s.boundaries_period and x.period = s.period
   and x.org_unit_code = s.org_unit_code and x.indicator = i.indicator
where s.org_unit_level = 'province' or not i.province_only
-- a total order: (boundaries_period, period, org_unit_code, indicator) is unique
order by s.boundaries_period, s.period, case s.org_unit_level when 'province' then 0 else 1 end, s.org_unit_code,
    i.sort_order, i.indicator
