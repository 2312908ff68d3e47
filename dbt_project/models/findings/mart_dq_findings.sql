-- Data-quality findings per period (contract sections 5 and 6): the union of the findings_* models (one per
-- family of checks), with severity from the check catalogue and the district and commune each belongs to,
-- for the auditors' report. It sits in the findings layer, after the models it unions (README.md). The message is rendered
-- from catalog/checks.csv with `params` when the files are written.
--
-- A finding in a workbook belongs to the workbook's reporter (where it must be corrected), even when its
-- code names a unit of another commune or district; a finding without a workbook (MISSING_SUBMISSION) or
-- in a rejected one belongs to the unit it names.
--
-- At most `findings_per_file_limit` + 1 findings of one check are listed per file (dbt var, default in
-- dbt_project.yml; ANTQ_FINDINGS_PER_FILE_LIMIT overrides it): the first ones in row order, then one that
-- stands for the rest, its params.not_listed saying how many more of that check the file has (the message
-- says so too, reports/published.py). Listed findings + their not_listed = every finding, exactly.
-- A junk workbook of 200,000 bad rows thus makes a few hundred findings, not hundreds of thousands.
--
-- The order is total: after the columns people sort by, every remaining column of the finding breaks ties
-- (reports/published.py orders the same way), so the same inputs always publish the same bytes.
{% set limit = env_var('ANTQ_FINDINGS_PER_FILE_LIMIT', var('findings_per_file_limit') | string) | int %}
{% set families = ['findings_files', 'findings_units', 'findings_rows', 'findings_cross_period', 'findings_awards', 'findings_reviews', 'findings_reform'] %}
with all_findings as (
    {%- for family in families %}
    select period, check_code, org_unit_code, source_file, sheet_name, row_number, value_raw, params
    from {{ ref(family) }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

findings as (
    select
        f.period,
        f.check_code,
        c.severity,
        sv.sort_order as severity_order,
        f.org_unit_code,
        f.source_file,
        f.sheet_name,
        f.row_number,
        f.value_raw,
        f.params,
        case when s.reporter_known then s.district_code else coalesce(u.district_code, g.district_code) end as district_code,
        case when s.reporter_known then s_u.commune_code else u.commune_code end as commune_code
    from all_findings as f
    join {{ ref('dim_check') }} as c on c.code = f.check_code
    left join {{ ref('severities') }} as sv on sv.severity = c.severity
    left join {{ ref('int_periods_built') }} as pb on pb.period_key = f.period
    left join {{ ref('dim_org_unit') }} as u
        on u.org_unit_code = f.org_unit_code and {{ org_unit_on('u', 'pb.period_end') }}
    left join {{ ref('dim_agency') }} as g on g.agency_code = f.org_unit_code
    left join {{ ref('int_submissions') }} as s on s.source_file = f.source_file
    left join {{ ref('dim_org_unit') }} as s_u
        on s_u.org_unit_code = s.reporter_code and s.reporter_known and {{ org_unit_on('s_u', 'pb.period_end') }}
),

ranked as (
    -- per (period, file, check): each finding's place in row order, and how many there are
    select
        *,
        row_number() over (
            partition by period, source_file, check_code
            order by sheet_name nulls first, row_number nulls first, org_unit_code nulls last,
                     value_raw nulls first, cast(params as varchar) nulls first
        ) as place_in_file,
        count(*) over (partition by period, source_file, check_code) as in_file
    from findings
),

listed as (
    select
        *,
        case when source_file is not null and place_in_file = {{ limit }} + 1
             then in_file - {{ limit }} - 1 else 0 end as not_listed
    from ranked
    -- findings without a file (MISSING_SUBMISSION) are never summarised
    where source_file is null or place_in_file <= {{ limit }} + 1
)

select
    period,
    check_code,
    severity,
    org_unit_code,
    source_file,
    sheet_name,
    row_number,
    value_raw,
    cast(case when not_listed > 0 then json_merge_patch(params, json_object('not_listed', not_listed))
              else params end as varchar) as params,
    district_code,
    commune_code
from listed
order by
    period, severity_order, check_code, source_file nulls first, sheet_name nulls first, row_number nulls first,
    org_unit_code nulls last, value_raw nulls first, params nulls first, district_code nulls first,
    commune_code nulls first
