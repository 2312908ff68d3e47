-- Every data-quality finding (contract section 5 and antq's own checks), one row each, with the cell it is about.
-- `params` holds the values the check's Vietnamese message (catalog/checks.csv) is filled with.
-- The first sections are contract section 5; the last ones are antq's own checks (catalogue rows after
-- SHEET_HEADER_NOT_FOUND). A finding about a whole cover names the cover sheet without a row: raw.files
-- keeps the cover's values, not their rows.
{% set cover_sheet = 'Thông tin chung' %}
{#- The workbook words of the register kinds (catalog/workbook.yaml vocab.agency_kind, contract section 3);
    tests/test_dq_units.py keeps the two equal. -#}
{% set agency_kind_vi = {'co_quan': 'Cơ quan', 'doanh_nghiep': 'Doanh nghiệp', 'nha_truong': 'Nhà trường'} %}
with periods as (
    select * from {{ ref('int_periods_built') }}
),

submissions as (
    select * from {{ ref('int_submissions') }}
),

winners as (
    select * from submissions where submission_status = 'winner'
),

-- A file with no readable period is reported in every period built while it stays in the inbox.
rejected as (
    select
        coalesce(f.period, p.period_key) as period,
        f.rejection_check as check_code,
        f.reporter_code as org_unit_code,
        f.source_file,
        case when f.rejection_check = 'INVALID_COVER' then '{{ cover_sheet }}' end as sheet_name,
        cast(null as integer) as row_number,
        cast(null as varchar) as value_raw,
        json_object('reason', f.rejection_reason) as params
    from {{ ref('stg_files') }} as f
    join periods as p on f.period is null or f.period = p.period_key
    where f.file_status = 'rejected'
),

cell_issues as (
    select
        w.period, c.check_code, coalesce(c.unit_code, w.reporter_code) as org_unit_code,
        c.source_file, c.sheet_name, c.row_number, c.value_raw,
        json_object('column', c.column_header, 'value', c.value_raw, 'reason', c.reason) as params
    from {{ ref('stg_cell_issues') }} as c
    join winners as w using (source_file)
),

unknown_reporters as (
    select
        period, 'UNKNOWN_ORG_UNIT' as check_code, reporter_code as org_unit_code, source_file,
        '{{ cover_sheet }}' as sheet_name, cast(null as integer) as row_number, reporter_code_raw as value_raw,
        json_object('unit_kind', 'Đơn vị báo cáo', 'code', reporter_code, 'period', period,
                    'reporter', 'cấp báo cáo ghi trên trang thông tin chung') as params
    from submissions
    where submission_status = 'unknown_unit'
),

unknown_rows as (
    select period, 'UNKNOWN_ORG_UNIT', village_code, source_file, sheet_name, row_number, village_code_raw,
        json_object('unit_kind', 'Thôn, khu phố', 'code', village_code, 'period', period, 'reporter', reporter_name)
    from {{ ref('int_village_rows') }}
    where submission_status = 'winner' and village_code is not null and not unit_known
    union all
    select period, 'UNKNOWN_ORG_UNIT', agency_code, source_file, sheet_name, row_number, agency_code_raw,
        json_object('unit_kind', 'Cơ quan, doanh nghiệp, nhà trường', 'code', agency_code, 'period', period,
                    'reporter', reporter_name)
    from {{ ref('int_agency_rows') }}
    where submission_status = 'winner' and agency_code is not null and not unit_known
    union all
    select m.period, 'UNKNOWN_ORG_UNIT', m.unit_code, m.source_file, m.sheet_name, m.row_number, m.unit_code_raw,
        json_object('unit_kind', case m.reporter_level when 'commune' then 'Thôn, khu phố' else 'Cơ quan, doanh nghiệp, nhà trường' end,
                    'code', m.unit_code, 'period', m.period, 'reporter', w.reporter_name)
    from {{ ref('int_model_rows') }} as m
    join winners as w using (source_file)
    where m.submission_status = 'winner' and not m.unit_known
),

missing_submissions as (
    select
        u.period, 'MISSING_SUBMISSION', u.org_unit_code, cast(null as varchar), cast(null as varchar),
        cast(null as integer), cast(null as varchar),
        json_object('unit_name', u.org_unit_name, 'code', u.org_unit_code, 'period', u.period)
    from {{ ref('int_org_units_in_period') }} as u
    left join winners as w
        on w.period = u.period and w.reporter_code = u.org_unit_code and w.reporter_level = u.org_unit_level
    where u.org_unit_level in ('province', 'district', 'commune') and w.source_file is null
),

expected_rows as (
    -- the villages and agencies each winning workbook must list
    select w.period, w.source_file, w.reporter_name, 'villages' as layout, u.org_unit_code as code,
        u.org_unit_name as unit_name, 'Thôn, khu phố' as unit_kind
    from winners as w
    join {{ ref('int_org_units_in_period') }} as u
        on u.period = w.period and u.parent_code = w.reporter_code and u.org_unit_level = 'village'
    where w.reporter_level = 'commune'
    union all
    select w.period, w.source_file, w.reporter_name, 'agencies', g.agency_code, g.agency_name,
        'Cơ quan, doanh nghiệp, nhà trường'
    from winners as w
    join {{ ref('int_agencies_in_period') }} as g
        on g.period = w.period
       and ((w.reporter_level = 'province' and g.managed_by = 'province' and g.province_code = w.reporter_code)
         or (w.reporter_level = 'district' and g.managed_by = 'district' and g.district_code = w.reporter_code))
),

listed_rows as (
    -- the codes each workbook lists, valid or not, with the sheet (as written) they are listed on
    select source_file, 'villages' as layout, village_code as code, sheet_name
    from {{ ref('int_village_rows') }}
    union all
    select source_file, 'agencies', agency_code, sheet_name
    from {{ ref('int_agency_rows') }}
),

listing_sheets as (
    select source_file, layout, min(sheet_name) as sheet_name
    from listed_rows
    group by all
),

missing_rows as (
    select e.period, 'MISSING_UNIT_ROW', e.code, e.source_file, s.sheet_name, cast(null as integer),
        cast(null as varchar),
        json_object('unit_kind', e.unit_kind, 'unit_name', e.unit_name, 'code', e.code, 'reporter', e.reporter_name)
    from expected_rows as e
    left join listing_sheets as s on s.source_file = e.source_file and s.layout = e.layout
    where not exists (
        select 1 from listed_rows as l
        where l.source_file = e.source_file and l.layout = e.layout and l.code = e.code
    )
),

duplicates as (
    select period, 'DUPLICATE_UNIT_ROW', village_code, source_file, sheet_name, row_number, village_code_raw,
        json_object('code', village_code, 'first_row', first_row_number)
    from {{ ref('int_village_rows') }}
    where submission_status = 'winner' and code_rank > 1
    union all
    select period, 'DUPLICATE_UNIT_ROW', agency_code, source_file, sheet_name, row_number, agency_code_raw,
        json_object('code', agency_code, 'first_row', first_row_number)
    from {{ ref('int_agency_rows') }}
    where submission_status = 'winner' and code_rank > 1
),

households_exceed as (
    select period, 'HOUSEHOLDS_REGISTERED_EXCEED_TOTAL', village_code, source_file, sheet_name, row_number,
        cast(households_registered as varchar),
        json_object('registered', households_registered, 'total', households_total,
                    'unit_name', coalesce(register_name, village_name), 'reporter', reporter_name)
    from {{ ref('int_village_rows') }}
    where is_counted and households_registered > households_total
),

superseded as (
    select period, 'SUPERSEDED_SUBMISSION', reporter_code, source_file, cast(null as varchar), cast(null as integer),
        cast(version as varchar),
        json_object('version', version, 'created_on', strftime(created_on, '%d/%m/%Y'), 'winner_file', winner_file)
    from submissions
    where submission_status = 'superseded'
),

summary_mismatch as (
    select w.period, 'DISTRICT_SUMMARY_MISMATCH', w.reporter_code, d.source_file, d.sheet_name, d.row_number,
        cast(d.achieved as varchar) || case when i.has_total then coalesce('/' || d.total, '') else '' end,
        json_object('item', i.label_vi,
                    'reported', cast(d.achieved as varchar) || case when i.has_total then coalesce('/' || d.total, '') else '' end,
                    'computed', cast(m.achieved as varchar) || case when i.has_total and d.total is not null then coalesce('/' || m.total, '') else '' end)
    from {{ ref('stg_district_summary') }} as d
    join winners as w using (source_file)
    join {{ ref('dim_indicator') }} as i on i.summary_item = d.summary_item
    join {{ ref('mart_indicators') }} as m
        on m.period = w.period and m.org_unit_code = w.reporter_code and m.indicator = i.indicator
    where d.row_valid and w.reporter_level = 'district'
      -- a figure without a denominator (models) has no computed total to differ from
      and (d.achieved <> m.achieved or (i.has_total and d.total is not null and d.total is distinct from m.total))
),

household_outliers as (
    select cur.period, 'HOUSEHOLDS_CHANGE_OUTLIER', cur.village_code, cur.source_file, cur.sheet_name, cur.row_number,
        cast(cur.households_total as varchar),
        json_object('unit_name', coalesce(cur.register_name, cur.village_name), 'reporter', cur.reporter_name,
                    'change', replace(printf('%+.1f', 100.0 * (cur.households_total - prev.households_total) / prev.households_total), '.', ',') || ' %',
                    'previous_period', prev.period, 'previous_total', prev.households_total, 'total', cur.households_total)
    from {{ ref('int_village_rows') }} as cur
    join {{ ref('dim_period') }} as p on p.period_key = cur.period
    join {{ ref('int_village_rows') }} as prev
        on prev.period = p.previous_period_key and prev.village_code = cur.village_code and prev.is_counted
    where cur.is_counted and cur.households_total is not null and prev.households_total > 0
      and abs(cur.households_total - prev.households_total) > 0.2 * prev.households_total
),

name_mismatches as (
    select period, 'NAME_MISMATCH', reporter_code, source_file, '{{ cover_sheet }}', cast(null as integer), reporter_name,
        json_object('written', reporter_name, 'register_name', register_name, 'code', reporter_code)
    from winners
    where reporter_name_key is not null and reporter_name_key <> '' and reporter_name_key <> register_name_key
    union all
    select period, 'NAME_MISMATCH', village_code, source_file, sheet_name, row_number, village_name,
        json_object('written', village_name, 'register_name', register_name, 'code', village_code)
    from {{ ref('int_village_rows') }}
    where is_counted and village_name_key <> '' and village_name_key <> register_name_key
    union all
    select period, 'NAME_MISMATCH', agency_code, source_file, sheet_name, row_number, agency_name,
        json_object('written', agency_name, 'register_name', register_name, 'code', agency_code)
    from {{ ref('int_agency_rows') }}
    where is_counted and agency_name_key <> '' and agency_name_key <> register_name_key
),

-- antq's own checks ------------------------------------------------------------------------------

late_submissions as (
    -- the workbook the figures come from was prepared after the deadline (mart_submissions.deadline)
    select w.period, 'LATE_SUBMISSION', w.reporter_code, w.source_file, '{{ cover_sheet }}', cast(null as integer),
        strftime(w.created_on, '%d/%m/%Y'),
        json_object('unit_name', coalesce(w.register_name, w.reporter_name),
                    'created_on', strftime(w.created_on, '%d/%m/%Y'), 'deadline', strftime(m.deadline, '%d/%m/%Y'),
                    'days_late', date_diff('day', m.deadline, w.created_on))
    from winners as w
    join {{ ref('mart_submissions') }} as m on m.period = w.period and m.source_file = w.source_file
    where not m.on_time
),

agency_kinds as (
    select * from (values
        {%- for key, label in agency_kind_vi.items() %}
        ('{{ key }}', '{{ label }}'){{ ',' if not loop.last }}
        {%- endfor %}
    ) as k(kind, label)
),

agency_kind_mismatches as (
    select a.period, 'AGENCY_KIND_MISMATCH', a.agency_code, a.source_file, a.sheet_name, a.row_number,
        coalesce(written.label, a.agency_kind),
        json_object('written', coalesce(written.label, a.agency_kind),
                    'register_kind', coalesce(registered.label, g.agency_kind),
                    'unit_name', a.register_name, 'code', a.agency_code)
    from {{ ref('int_agency_rows') }} as a
    join {{ ref('dim_agency') }} as g on g.agency_code = a.agency_code
    left join agency_kinds as written on written.kind = a.agency_kind
    left join agency_kinds as registered on registered.kind = g.agency_kind
    where a.is_counted and a.agency_kind is distinct from g.agency_kind
),

commune_safety as (
    -- communes whose cover says "safe" with fewer than half of their register villages registered
    select c.period, c.unit_code, c.unit_name, c.source_file,
        count(*) as villages, count_if(v.safe_registered) as villages_safe
    from {{ ref('fct_unit_status') }} as c
    join {{ ref('int_org_units_in_period') }} as u
        on u.period = c.period and u.parent_code = c.unit_code and u.org_unit_level = 'village'
    join {{ ref('fct_unit_status') }} as v
        on v.period = c.period and v.unit_kind = 'village' and v.unit_code = u.org_unit_code
    where c.unit_kind = 'commune' and c.safe_registered
    group by all
    having 2 * count_if(v.safe_registered) < count(*)
),

commune_safe_villages_not as (
    select period, 'COMMUNE_SAFE_VILLAGES_NOT', unit_code, source_file, '{{ cover_sheet }}', cast(null as integer),
        cast(villages_safe as varchar) || '/' || villages,
        json_object('unit_name', unit_name, 'villages_safe', villages_safe, 'villages', villages)
    from commune_safety
),

medals as (
    select period, province_code, reporter_code, recipient_name, recipient_name_key, source_file, sheet_name, row_number
    from {{ ref('fct_awards') }}
    where award_type = 'medal' and recipient_kind = 'individual' and recipient_name_key <> ''
),

medals_awarded_twice as (
    -- each later listing of a name points at the first one (in this period or an earlier one); periods
    -- order as their keys do ("2020-H2" < "2021-H1"), and within a period by file and row
    select m.period, 'MEDAL_AWARDED_TWICE', m.reporter_code, m.source_file, m.sheet_name, m.row_number,
        m.recipient_name,
        json_object('name', m.recipient_name, 'first_period', f.period, 'first_file', f.source_file,
                    'first_row', f.row_number)
    from medals as m
    join medals as f
        on f.province_code is not distinct from m.province_code
       and f.recipient_name_key = m.recipient_name_key
       and (f.period < m.period
         or (f.period = m.period and (f.source_file < m.source_file
                                   or (f.source_file = m.source_file and f.row_number < m.row_number))))
    qualify row_number() over (
        partition by m.source_file, m.row_number order by f.period, f.source_file, f.row_number
    ) = 1
),

medals_to_collectives as (
    select a.period, 'MEDAL_TO_COLLECTIVE', a.reporter_code, a.source_file, a.sheet_name, a.row_number,
        a.recipient_name,
        json_object('name', a.recipient_name)
    from {{ ref('int_award_rows') }} as a
    where a.is_counted and a.award_type = 'medal' and a.recipient_kind = 'collective'
),

models_founded_late as (
    select m.period, 'MODEL_FOUNDED_AFTER_PERIOD', coalesce(m.unit_code, m.reporter_code), m.source_file,
        m.sheet_name, m.row_number, cast(m.founded_year as varchar),
        json_object('model_name', m.model_name, 'founded_year', m.founded_year, 'period', m.period)
    from {{ ref('int_model_rows') }} as m
    join {{ ref('dim_period') }} as p on p.period_key = m.period
    where m.is_counted and m.founded_year > p.period_year
),

village_figures as (
    select period, reporter_code, source_file, village_code, households_total, households_registered
    from {{ ref('int_village_rows') }}
    where is_counted
),

village_counts as (
    select period, reporter_code, source_file, count(*) as villages
    from village_figures
    group by all
),

repeated_rows as (
    -- per winning commune workbook, how many of its rows repeat the previous period's row exactly
    select cur.source_file, prev.source_file as previous_file, prev.period as previous_period, count(*) as repeated
    from village_figures as cur
    join {{ ref('dim_period') }} as p on p.period_key = cur.period
    join village_figures as prev
        on prev.period = p.previous_period_key and prev.reporter_code = cur.reporter_code
       and prev.village_code = cur.village_code
       and prev.households_total = cur.households_total
       and prev.households_registered = cur.households_registered
    group by all
),

copied_from_previous as (
    -- the same villages with the same figures as the previous period, two villages or more
    select c.period, c.reporter_code, c.source_file, r.previous_file, r.previous_period, c.villages
    from village_counts as c
    join repeated_rows as r on r.source_file = c.source_file
    join village_counts as pc on pc.source_file = r.previous_file
    where c.villages >= 2 and r.repeated = c.villages and pc.villages = c.villages
),

figures_copied as (
    select c.period, 'FIGURES_COPIED_FROM_PREVIOUS', c.reporter_code, c.source_file, s.sheet_name,
        cast(null as integer), cast(null as varchar),
        json_object('villages', c.villages, 'previous_period', c.previous_period, 'previous_file', c.previous_file)
    from copied_from_previous as c
    left join listing_sheets as s on s.source_file = c.source_file and s.layout = 'villages'
)

select * from rejected
union all select * from cell_issues
union all select * from unknown_reporters
union all select * from unknown_rows
union all select * from missing_submissions
union all select * from missing_rows
union all select * from duplicates
union all select * from households_exceed
union all select * from superseded
union all select * from summary_mismatch
union all select * from household_outliers
union all select * from name_mismatches

union all select * from late_submissions
union all select * from agency_kind_mismatches
union all select * from commune_safe_villages_not
union all select * from medals_awarded_twice
union all select * from medals_to_collectives
union all select * from models_founded_late
union all select * from figures_copied
