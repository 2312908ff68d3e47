-- Every data-quality finding of contract section 5, one row each, with the cell it is about.
-- `params` holds the values the check's Vietnamese message (catalog/checks.csv) is filled with.
{% set cover_sheet = 'Thông tin chung' %}
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
                    'reporter', 'danh mục cấp ' || coalesce(reporter_level, '?')) as params
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
       and ((w.reporter_level = 'province' and g.managed_by = 'province')
         or (w.reporter_level = 'district' and g.managed_by = 'district' and g.district_code = w.reporter_code))
),

missing_rows as (
    select e.period, 'MISSING_UNIT_ROW', e.code, e.source_file, cast(null as varchar), cast(null as integer),
        cast(null as varchar),
        json_object('unit_kind', e.unit_kind, 'unit_name', e.unit_name, 'code', e.code, 'reporter', e.reporter_name)
    from expected_rows as e
    where not exists (
        select 1 from {{ ref('int_village_rows') }} as v where v.source_file = e.source_file and v.village_code = e.code
    ) and not exists (
        select 1 from {{ ref('int_agency_rows') }} as a where a.source_file = e.source_file and a.agency_code = e.code
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
        cast(d.achieved as varchar) || coalesce('/' || d.total, ''),
        json_object('item', i.label_vi,
                    'reported', cast(d.achieved as varchar) || coalesce('/' || d.total, ''),
                    'computed', cast(m.achieved as varchar) || case when d.total is not null then coalesce('/' || m.total, '') else '' end)
    from {{ ref('stg_district_summary') }} as d
    join winners as w using (source_file)
    join {{ ref('dim_indicator') }} as i on i.summary_item = d.summary_item
    join {{ ref('mart_indicators') }} as m
        on m.period = w.period and m.org_unit_code = w.reporter_code and m.indicator = i.indicator
    where d.row_valid and w.reporter_level = 'district'
      and (d.achieved <> m.achieved or (d.total is not null and d.total is distinct from m.total))
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
