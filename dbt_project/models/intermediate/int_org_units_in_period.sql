-- Register units that count in each period built: valid on the period's last day. A village whose register
-- commune is no longer valid, or that the crosswalk moves (issue 13), is placed under its commune on the
-- period's boundaries (int_village_moves), with that commune's district and province; with no crosswalk
-- every unit is as the register lists it.
with units as (
    select p.period_key as period, u.*
    from {{ ref('int_periods_built') }} as p
    join {{ ref('int_org_units') }} as u
        on {{ valid_on('u', 'p.period_end') }}
),

moved as (
    -- villages whose commune in the period differs from the register's, when that commune counts in it
    select m.period, m.village_code, c.commune_code, c.district_code, c.province_code
    from {{ ref('int_village_moves') }} as m
    join units as c
        on c.period = m.period and c.org_unit_code = m.commune_code and c.org_unit_level = 'commune'
    where m.commune_code <> m.register_commune_code
)

select
    u.period,
    u.org_unit_code,
    u.org_unit_name,
    u.org_unit_name_key,
    u.org_unit_level,
    coalesce(m.commune_code, u.parent_code) as parent_code,
    u.valid_from,
    u.valid_to,
    coalesce(m.commune_code, u.commune_code) as commune_code,
    case when m.village_code is null then u.district_code else m.district_code end as district_code,
    case when m.village_code is null then u.province_code else m.province_code end as province_code,
    u.is_only_version
from units as u
left join moved as m on m.period = u.period and m.village_code = u.org_unit_code and u.org_unit_level = 'village'
