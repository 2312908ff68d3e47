-- Agencies, enterprises and schools of the register with the province each belongs to: the register's
-- province_code (contract section 2; ingestion/register.py fills it in when the optional column is blank
-- or absent: the agency's district's province, else the register's only province).
select
    a.agency_code,
    a.agency_name,
    a.agency_name_key,
    a.agency_kind,
    a.managed_by,
    a.district_code,
    a.valid_from,
    a.valid_to,
    coalesce(a.province_code, d.province_code) as province_code
from {{ ref('stg_register_agencies') }} as a
left join {{ ref('int_org_units') }} as d
    on d.org_unit_code = a.district_code
   -- a district code re-used after the reform: its row valid during the agency's validity
   and (d.is_only_version or (
       coalesce(d.valid_from, date '0001-01-01') <= coalesce(a.valid_to, date '9999-12-31')
       and coalesce(a.valid_from, date '0001-01-01') <= coalesce(d.valid_to, date '9999-12-31')
   ))
