-- The register's administrative units with the district and province each rolls up to. A commune's
-- parent may be the province itself (the two-level structure since 1 July 2025): district_code is then NULL.
with units as (
    select * from {{ ref('stg_register_org_units') }}
),

lineage as (
    select
        u.*,
        p1.org_unit_code as p1_code, p1.org_unit_level as p1_level,
        p2.org_unit_code as p2_code, p2.org_unit_level as p2_level,
        p3.org_unit_code as p3_code, p3.org_unit_level as p3_level
    from units as u
    left join units as p1 on p1.org_unit_code = u.parent_code
    left join units as p2 on p2.org_unit_code = p1.parent_code
    left join units as p3 on p3.org_unit_code = p2.parent_code
)

select
    org_unit_code,
    org_unit_name,
    org_unit_name_key,
    org_unit_level,
    parent_code,
    valid_from,
    valid_to,
    case
        when org_unit_level = 'commune' then org_unit_code
        when org_unit_level = 'village' and p1_level = 'commune' then p1_code
    end as commune_code,
    case
        when org_unit_level = 'district' then org_unit_code
        when p1_level = 'district' then p1_code
        when p2_level = 'district' then p2_code
        when p3_level = 'district' then p3_code
    end as district_code,
    case
        when org_unit_level = 'province' then org_unit_code
        when p1_level = 'province' then p1_code
        when p2_level = 'province' then p2_code
        when p3_level = 'province' then p3_code
    end as province_code
from lineage
