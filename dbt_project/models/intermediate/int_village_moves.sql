-- Each register village, per period built, placed under its commune on the period's boundaries (issue 13):
-- its register commune (of its row of that day) while that commune is valid on the period's last day; else
-- the crosswalk's row for the village when one is in force then (that commune, followed on if it was
-- re-mapped again); else where its register commune went (int_commune_moves; a divided commune without
-- village rows: its default destination, flagged). With no crosswalk every village stays where it is.
with periods as (
    select period_key as period, period_end from {{ ref('int_periods_built') }}
),

villages as (
    -- per period, the village's register row valid on its last day, else its latest row (a code re-used
    -- after the reform is on several rows)
    select p.period, u.org_unit_code as village_code, u.commune_code as register_commune_code
    from periods as p
    join {{ ref('int_org_units') }} as u on u.org_unit_level = 'village'
    qualify row_number() over (
        partition by p.period, u.org_unit_code
        order by ({{ valid_on('u', 'p.period_end') }}) desc, u.valid_from desc nulls last
    ) = 1
),

village_rows as (
    -- the latest village row in force in each period
    select p.period, c.village_code, c.new_commune_code, c.effective_date
    from periods as p
    join {{ ref('stg_register_crosswalk') }} as c
        on c.row_valid and c.village_code is not null and c.effective_date <= p.period_end
    qualify row_number() over (
        partition by p.period, c.village_code order by c.effective_date desc, c.line_number
    ) = 1
),

commune_moves as (
    select * from {{ ref('int_commune_moves') }}
)

select
    p.period,
    v.village_code,
    v.register_commune_code,
    case
        when cm.is_valid_in_period and not cm.moved then v.register_commune_code
        when r.village_code is not null then coalesce(rm.commune_code_in_period, r.new_commune_code)
        else coalesce(cm.commune_code_in_period, v.register_commune_code)
    end as commune_code,
    case
        when cm.is_valid_in_period and not cm.moved then 'register'
        when r.village_code is not null then 'village_row'
        when cm.moved then 'commune_row'
        else 'register'
    end as placed_by,
    not coalesce(cm.is_valid_in_period and not cm.moved, false) and r.village_code is null
        and coalesce(cm.via_default_destination, false) as via_default_destination,
    r.effective_date as village_row_effective_date
from periods as p
join villages as v on v.period = p.period
left join village_rows as r on r.period = p.period and r.village_code = v.village_code
left join commune_moves as rm on rm.period = p.period and rm.commune_code = r.new_commune_code
left join commune_moves as cm on cm.period = p.period and cm.commune_code = v.register_commune_code
