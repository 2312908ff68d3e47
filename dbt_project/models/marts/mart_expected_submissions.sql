-- Who must report in each period built and whether they did: one row per register unit of the province,
-- district or commune level valid in the period (contract section 2), with its winning workbook when one
-- was received. The auditors' completeness and timeliness, the commune list of their page and the
-- report's "x/y đơn vị" all count from here; MISSING_SUBMISSION names the same units (findings_units).
with winners as (
    select * from {{ ref('mart_submissions') }} where submission_status = 'winner'
)

select
    u.period,
    u.org_unit_level,
    u.org_unit_code,
    u.org_unit_name,
    u.district_code,
    u.province_code,
    w.source_file is not null as received,
    w.source_file,
    w.created_on,
    coalesce(w.on_time, false) as on_time
from {{ ref('int_org_units_in_period') }} as u
left join winners as w
    on w.period = u.period and w.reporter_level = u.org_unit_level and w.reporter_code = u.org_unit_code
where u.org_unit_level in ('province', 'district', 'commune')
order by u.period, u.org_unit_code
