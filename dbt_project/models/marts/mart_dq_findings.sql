-- Data-quality findings per period (contract sections 5 and 6) with severity from the check catalogue,
-- and the district and commune each belongs to, for the auditors' report. The message is rendered
-- from catalog/checks.csv with `params` when the files are written.
--
-- A finding in a workbook belongs to the workbook's reporter (where it must be corrected), even when its
-- code names a unit of another commune or district; a finding without a workbook (MISSING_SUBMISSION) or
-- in a rejected one belongs to the unit it names.
select
    f.period,
    f.check_code,
    c.severity,
    f.org_unit_code,
    f.source_file,
    f.sheet_name,
    f.row_number,
    f.value_raw,
    cast(f.params as varchar) as params,
    case when s.reporter_known then s.district_code else coalesce(u.district_code, g.district_code) end as district_code,
    case when s.reporter_known then s_u.commune_code else u.commune_code end as commune_code
from {{ ref('int_findings') }} as f
join {{ ref('dim_check') }} as c on c.code = f.check_code
left join {{ ref('dim_org_unit') }} as u on u.org_unit_code = f.org_unit_code
left join {{ ref('dim_agency') }} as g on g.agency_code = f.org_unit_code
left join {{ ref('int_submissions') }} as s on s.source_file = f.source_file
left join {{ ref('dim_org_unit') }} as s_u on s_u.org_unit_code = s.reporter_code and s.reporter_known
order by
    f.period,
    case c.severity when 'error' then 0 when 'warning' then 1 else 2 end,
    f.check_code, f.source_file nulls first, f.sheet_name nulls first, f.row_number nulls first, f.org_unit_code
