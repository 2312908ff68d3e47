-- Agencies, enterprises and schools of the register with the province each belongs to.
select
    a.agency_code,
    a.agency_name,
    a.agency_name_key,
    a.agency_kind,
    a.managed_by,
    a.district_code,
    a.valid_from,
    a.valid_to,
    coalesce(d.province_code, p.org_unit_code) as province_code
from {{ ref('stg_register_agencies') }} as a
left join {{ ref('dim_org_unit') }} as d
    on d.org_unit_code = a.district_code
-- A province-managed agency names no district: with one province in the register it is that province's.
left join (
    select org_unit_code from {{ ref('dim_org_unit') }} where org_unit_level = 'province'
    qualify count(*) over () = 1
) as p
    on a.managed_by = 'province'
