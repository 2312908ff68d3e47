-- Findings about who reports and who is listed: UNKNOWN_ORG_UNIT (a cover, village, agency or model unit
-- code not in the register for the period, or of another reporter), MISSING_SUBMISSION, MISSING_UNIT_ROW
-- and NAME_MISMATCH. `params` holds the values of the check's Vietnamese message (catalog/checks.csv).
with submissions as (
    select * from {{ ref('int_submissions') }}
),

winners as (
    select * from submissions where submission_status = 'winner'
),

unknown_reporters as (
    select
        period,
        'UNKNOWN_ORG_UNIT' as check_code,
        reporter_code as org_unit_code,
        source_file,
        {{ cover_sheet() }} as sheet_name,
        cast(null as integer) as row_number,
        reporter_code_raw as value_raw,
        json_object('unit_kind', 'Đơn vị báo cáo', 'code', reporter_code, 'period', period,
                    'reporter', 'cấp báo cáo ghi trên trang thông tin chung') as params
    from submissions
    -- a former commune's workbook after a reform: REPORTED_UNDER_FORMER_COMMUNE instead (findings_reform)
    where submission_status = 'unknown_unit' and not former_commune_moved
),

unknown_rows as (
    select period, 'UNKNOWN_ORG_UNIT', village_code, source_file, sheet_name, row_number, village_code_raw,
        json_object('unit_kind', 'Thôn, khu phố', 'code', village_code, 'period', period, 'reporter', reporter_name)
    from {{ ref('int_village_rows') }}
    where submission_status = 'winner' and village_code is not null and not unit_known and not reported_under_former
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
    -- the codes each workbook lists, valid or not
    select source_file, 'villages' as layout, village_code as code
    from {{ ref('int_village_rows') }}
    union all
    select source_file, 'agencies', agency_code
    from {{ ref('int_agency_rows') }}
),

missing_rows as (
    select e.period, 'MISSING_UNIT_ROW', e.code, e.source_file, s.sheet_name, cast(null as integer),
        cast(null as varchar),
        json_object('unit_kind', e.unit_kind, 'unit_name', e.unit_name, 'code', e.code, 'reporter', e.reporter_name)
    from expected_rows as e
    left join {{ ref('int_listing_sheets') }} as s on s.source_file = e.source_file and s.layout = e.layout
    where not exists (
        select 1 from listed_rows as l
        where l.source_file = e.source_file and l.layout = e.layout and l.code = e.code
    )
),

name_mismatches as (
    select period, 'NAME_MISMATCH', reporter_code, source_file, {{ cover_sheet() }}, cast(null as integer), reporter_name,
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

select * from unknown_reporters
union all select * from unknown_rows
union all select * from missing_submissions
union all select * from missing_rows
union all select * from name_mismatches
