-- Data-quality findings per period (contract sections 5 and 6): the union of the findings_* models (one per
-- family of checks), with severity from the check catalogue and the district and commune each belongs to,
-- for the auditors' report. It sits in the findings layer, after the models it unions (README.md). The message is rendered
-- from catalog/checks.csv with `params` when the files are written.
--
-- A finding in a workbook belongs to the workbook's reporter (where it must be corrected), even when its
-- code names a unit of another commune or district; a finding without a workbook (MISSING_SUBMISSION) or
-- in a rejected one belongs to the unit it names. A former commune (reform of 1 July 2025) is followed to the
-- commune it is part of in the period.
--
-- At most `findings_per_file_limit` + 1 findings of one check are listed per file (dbt var, default in
-- dbt_project.yml; ANTQ_FINDINGS_PER_FILE_LIMIT overrides it): the first ones in row order, then one that
-- stands for the rest, its params.not_listed saying how many more of that check the file has (the message
-- says so too, reports/published.py). Listed findings + their not_listed = every finding, exactly.
-- A junk workbook of 200,000 bad rows thus makes a few hundred findings, not hundreds of thousands.
--
-- The order is total: after the columns people sort by, every remaining column of the finding breaks ties
-- (reports/published.py orders the same way), so the same inputs always publish the same bytes.
--
-- finding_key names a finding across builds (findings_history; "Mã phát hiện" in the auditors' files and
-- the review workbooks): the first 32 hex digits of the SHA-256 of its period, check, unit, file, sheet,
-- row and value (empty when null, separated by U+001F), then U+001E and its occurrence among identical
-- ones in the published order. Keys already handed out in review workbooks depend on this exact text.
{% set limit = env_var('ANTQ_FINDINGS_PER_FILE_LIMIT', var('findings_per_file_limit') | string) | int %}
{% set published_order -%}
    severity_order, check_code, source_file nulls first, sheet_name nulls first, row_number nulls first,
    org_unit_code nulls last, value_raw nulls first, params nulls first, district_code nulls first,
    commune_code nulls first
{%- endset %}
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
        case when s.reporter_known then s_u.commune_code else u.commune_code end as commune_code,
        pb.period_end
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

placed as (
    -- a finding of a commune that a reform merged or divided belongs to the commune it is part of in the
    -- period (int_commune_moves), whose office follows it up now, and to that commune's district
    select
        f.* exclude (district_code, commune_code, period_end),
        case when m.moved then m_u.district_code else f.district_code end as district_code,
        coalesce(m.commune_code_in_period, f.commune_code) as commune_code
    from findings as f
    left join {{ ref('int_commune_moves') }} as m on m.period = f.period and m.commune_code = f.commune_code
    left join {{ ref('dim_org_unit') }} as m_u
        on m.moved and m_u.org_unit_code = m.commune_code_in_period and {{ org_unit_on('m_u', 'f.period_end') }}
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
    from placed
),

listed as (
    select
        *,
        case when source_file is not null and place_in_file = {{ limit }} + 1
             then in_file - {{ limit }} - 1 else 0 end as not_listed
    from ranked
    -- findings without a file (MISSING_SUBMISSION) are never summarised
    where source_file is null or place_in_file <= {{ limit }} + 1
),

published as (
    select
        period,
        check_code,
        severity,
        severity_order,
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
),

keyed as (
    -- what identifies a finding across builds: its period, check, unit, cell and value (a corrected value is
    -- a new finding); identical ones are told apart by their place in the published order
    select
        *,
        concat_ws(chr(31), {% for c in ['period', 'check_code', 'org_unit_code', 'source_file', 'sheet_name', 'row_number', 'value_raw'] %}coalesce(cast({{ c }} as varchar), ''){{ ', ' if not loop.last }}{% endfor %}) as key_text
    from published
)

select
    left(sha256(key_text || chr(30) || cast(row_number() over (
        partition by key_text
        order by {{ published_order }}
    ) - 1 as varchar)), 32) as finding_key,
    period,
    check_code,
    severity,
    org_unit_code,
    source_file,
    sheet_name,
    row_number,
    value_raw,
    params,
    district_code,
    commune_code
from keyed
order by period, {{ published_order }}
