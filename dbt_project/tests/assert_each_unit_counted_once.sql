-- Pipeline invariant (blocking): one status per register unit and period among the units the plan and
-- registration figures count; two would count the unit twice in the published totals.
select period, unit_kind, unit_code, count(*) as times, string_agg(distinct source_file, ', ') as files
from {{ ref('fct_unit_status') }}
group by all
having count(*) > 1
