-- Each register commune, per period built, placed on the period's boundaries (issue 13): itself while it is
-- valid on the period's last day, else followed through the register's crosswalk (whole-commune rows in
-- force on that day; a divided commune goes to its default destination, flagged) to a commune valid then.
-- A code re-mapped twice is followed to its end. With no crosswalk every commune stays where it is.
with recursive periods as (
    select period_key as period, period_end from {{ ref('int_periods_built') }}
),

communes as (
    select distinct org_unit_code as commune_code from {{ ref('int_org_units') }} where org_unit_level = 'commune'
),

valid_communes as (
    select p.period, u.org_unit_code as commune_code
    from periods as p
    join {{ ref('int_org_units') }} as u on {{ valid_on('u', 'p.period_end') }}
    where u.org_unit_level = 'commune'
),

destinations as (
    -- one destination per former commune and date: its only one, or the default of a divided commune
    -- (the lowest code when none is marked)
    select
        former_commune_code,
        effective_date,
        new_commune_code,
        count(*) over (partition by former_commune_code, effective_date) > 1 as is_divided
    from {{ ref('stg_register_crosswalk') }}
    where row_valid and village_code is null
    qualify row_number() over (
        partition by former_commune_code, effective_date
        order by coalesce(is_default_destination, false) desc, new_commune_code
    ) = 1
),

walk as (
    select p.period, c.commune_code, c.commune_code as reached_code, 0 as step, false as via_default_destination
    from periods as p
    cross join communes as c
    union all
    select w.period, w.commune_code, d.new_commune_code, w.step + 1, w.via_default_destination or d.is_divided
    from walk as w
    join periods as p on p.period = w.period
    join destinations as d
        on d.former_commune_code = w.reached_code
       and d.effective_date <= p.period_end
       and d.new_commune_code <> w.reached_code
    where w.step < 10
      and not exists (
          select 1 from valid_communes as v where v.period = w.period and v.commune_code = w.reached_code
      )
),

reached as (
    select
        period,
        commune_code,
        arg_max(reached_code, step) as commune_code_in_period,
        max(step) as steps,
        arg_max(via_default_destination, step) as via_default_destination
    from walk
    group by period, commune_code
)

select
    r.period,
    r.commune_code,
    r.commune_code_in_period,
    r.steps > 0 as moved,
    r.via_default_destination,
    v.commune_code is not null as is_valid_in_period
from reached as r
left join valid_communes as v on v.period = r.period and v.commune_code = r.commune_code_in_period
