-- REPORTED_UNDER_FORMER_COMMUNE (issue 13): after a reform of administrative units, a commune workbook whose
-- cover names a former commune (one finding for the file), and each village row reported under its former
-- commune (int_village_rows.reported_under_former), naming the commune the village belongs to now and
-- whether the row counted (once, for that commune) or not. `params` fills the message of catalog/checks.csv.
with crosswalk as (
    select * from {{ ref('stg_register_crosswalk') }} where row_valid
),

names as (
    -- one name per code: its latest row (a code re-used after the reform is on several rows)
    select org_unit_code, org_unit_name from {{ ref('int_org_units') }}
    qualify row_number() over (partition by org_unit_code order by valid_from desc nulls last) = 1
),

destinations as (
    -- per former commune: when it changed and the new communes it went to
    select
        c.former_commune_code,
        strftime(min(c.effective_date), '%d/%m/%Y') as effective_date,
        string_agg(distinct coalesce(n.org_unit_name, '') || ' (mã ' || c.new_commune_code || ')', ', '
            order by coalesce(n.org_unit_name, '') || ' (mã ' || c.new_commune_code || ')') as new_units
    from crosswalk as c
    left join names as n on n.org_unit_code = c.new_commune_code
    where c.village_code is null
    group by c.former_commune_code
),

former_covers as (
    select
        s.period,
        'REPORTED_UNDER_FORMER_COMMUNE' as check_code,
        s.reporter_code as org_unit_code,
        s.source_file,
        {{ cover_sheet() }} as sheet_name,
        cast(null as integer) as row_number,
        s.reporter_code_raw as value_raw,
        json_object(
            'subject', 'Báo cáo này lập',
            'reported_under', 'theo mã xã cũ ' || s.reporter_code || ' (' || coalesce(f.org_unit_name, s.reporter_name, '')
                || '), không còn trong danh mục kỳ ' || s.period,
            'effective_date', d.effective_date,
            'new_units', d.new_units,
            'outcome', 'các dòng thôn, khu phố được tính cho xã mới (mỗi thôn một lần); '
                || 'thông tin chung của xã cũ không được tính'
        ) as params
    from {{ ref('int_submissions') }} as s
    join destinations as d on d.former_commune_code = s.reporter_code
    left join names as f on f.org_unit_code = s.reporter_code
    where s.former_commune_moved
),

village_rows as (
    select
        r.period,
        'REPORTED_UNDER_FORMER_COMMUNE',
        r.village_code,
        r.source_file,
        r.sheet_name,
        r.row_number,
        r.village_code_raw,
        json_object(
            'subject', coalesce(r_name.org_unit_name, r.village_name, '') || ' (mã ' || r.village_code || ')',
            'reported_under', case when r.submission_status = 'winner'
                then 'được liệt kê trong báo cáo của ' || coalesce(r.reporter_name, '') || ' (mã ' || r.reporter_code || ')'
                else 'được liệt kê theo mã xã cũ ' || r.reporter_code end,
            'effective_date', strftime((
                select min(c.effective_date) from crosswalk as c
                where c.village_code = r.village_code
                   or (c.new_commune_code = r.commune_in_period and c.former_commune_code <> c.new_commune_code)
            ), '%d/%m/%Y'),
            'new_units', coalesce(k.org_unit_name, '') || ' (mã ' || r.commune_in_period || ')',
            'outcome', case
                when r.is_counted then 'dòng được tính một lần cho ' || coalesce(k.org_unit_name, r.commune_in_period)
                when not r.row_valid then 'dòng không được tính vì có giá trị không hợp lệ'
                when exists (
                    select 1 from {{ ref('int_village_rows') }} as o
                    where o.period = r.period and o.village_code = r.village_code and o.is_counted
                      and not o.reported_under_former
                ) then 'dòng không được tính vì báo cáo của ' || coalesce(k.org_unit_name, r.commune_in_period)
                    || ' đã có thôn này'
                else 'dòng không được tính vì thôn đã được tính theo một dòng khác'
            end
        )
    from {{ ref('int_village_rows') }} as r
    left join names as r_name on r_name.org_unit_code = r.village_code
    left join names as k on k.org_unit_code = r.commune_in_period
    where r.reported_under_former
)

select * from former_covers
union all select * from village_rows
