-- The register's administrative units with the district and province each rolls up to. A commune's
-- parent may be the province itself (the two-level structure since 1 July 2025): district_code is then NULL.
-- A code may be on several rows whose validity does not overlap (the reform of 1 July 2025 re-used codes):
-- a row's parent is the parent code's row valid during it, the one ingestion/register.py checked.
with units as (
    select * from {{ ref('stg_register_org_units') }}
),

parent_row as (
    -- each row's parent row: the parent code's only row, or the one whose validity overlaps the child's
    select u.org_unit_code, u.valid_from, p.valid_from as parent_valid_from
    from units as u
    join units as p on p.org_unit_code = u.parent_code
    qualify row_number() over (
        partition by u.org_unit_code, u.valid_from
        order by (
            coalesce(p.valid_from, date '0001-01-01') <= coalesce(u.valid_to, date '9999-12-31')
            and coalesce(u.valid_from, date '0001-01-01') <= coalesce(p.valid_to, date '9999-12-31')
        ) desc, p.valid_from desc nulls last
    ) = 1
),

linked as (
    select u.*, r.parent_valid_from
    from units as u
    left join parent_row as r
        on r.org_unit_code = u.org_unit_code and r.valid_from is not distinct from u.valid_from
),

lineage as (
    select
        u.*,
        p1.org_unit_code as p1_code, p1.org_unit_level as p1_level,
        p2.org_unit_code as p2_code, p2.org_unit_level as p2_level,
        p3.org_unit_code as p3_code, p3.org_unit_level as p3_level
    from linked as u
    left join linked as p1
        on p1.org_unit_code = u.parent_code and p1.valid_from is not distinct from u.parent_valid_from
    left join linked as p2
        on p2.org_unit_code = p1.parent_code and p2.valid_from is not distinct from p1.parent_valid_from
    left join linked as p3
        on p3.org_unit_code = p2.parent_code and p3.valid_from is not distinct from p2.parent_valid_from
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
    end as province_code,
    -- false for a code on several rows: join it with org_unit_on(alias, day) to pick the row of a day
    count(*) over (partition by org_unit_code) = 1 as is_only_version
from lineage
