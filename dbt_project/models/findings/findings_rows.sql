-- Findings about cells and rows of the winning workbooks: the cell issues raised while parsing
-- (INVALID_VALUE, MISSING_VALUE, SHEET_HEADER_NOT_FOUND, ...), DUPLICATE_UNIT_ROW,
-- HOUSEHOLDS_REGISTERED_EXCEED_TOTAL, DISTRICT_SUMMARY_MISMATCH (a "Tổng hợp" row against the published
-- figure), and antq's AGENCY_KIND_MISMATCH and MODEL_FOUNDED_AFTER_PERIOD.
-- `params` holds the values of the check's Vietnamese message (catalog/checks.csv).
{#- The workbook words of the register kinds (catalog/workbook.yaml vocab.agency_kind, contract section 3);
    tests/test_dq_units.py keeps the two equal. -#}
{% set agency_kind_vi = {'co_quan': 'Cơ quan', 'doanh_nghiep': 'Doanh nghiệp', 'nha_truong': 'Nhà trường'} %}
with winners as (
    select * from {{ ref('int_submissions') }} where submission_status = 'winner'
),

cell_issues as (
    select
        w.period,
        c.check_code,
        coalesce(c.unit_code, w.reporter_code) as org_unit_code,
        c.source_file,
        c.sheet_name,
        c.row_number,
        c.value_raw,
        json_object('column', c.column_header, 'value', c.value_raw, 'reason', c.reason) as params
    from {{ ref('stg_cell_issues') }} as c
    join winners as w using (source_file)
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

models_founded_late as (
    select m.period, 'MODEL_FOUNDED_AFTER_PERIOD', coalesce(m.unit_code, m.reporter_code), m.source_file,
        m.sheet_name, m.row_number, cast(m.founded_year as varchar),
        json_object('model_name', m.model_name, 'founded_year', m.founded_year, 'period', m.period)
    from {{ ref('int_model_rows') }} as m
    join {{ ref('dim_period') }} as p on p.period_key = m.period
    where m.is_counted and m.founded_year > p.period_year
)

select * from cell_issues
union all select * from duplicates
union all select * from households_exceed
union all select * from summary_mismatch
union all select * from agency_kind_mismatches
union all select * from models_founded_late
