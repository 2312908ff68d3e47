-- antq's findings on the "Khen thưởng" sheet: MEDAL_AWARDED_TWICE (the same person's Kỷ niệm chương
-- listed again, in this period or an earlier one, in the same province) and MEDAL_TO_COLLECTIVE.
-- `params` holds the values of the check's Vietnamese message (catalog/checks.csv).
with medals as (
    select period, province_code, reporter_code, recipient_name, recipient_name_key, source_file, sheet_name, row_number
    from {{ ref('fct_awards') }}
    where award_type = 'medal' and recipient_kind = 'individual' and recipient_name_key <> ''
),

medals_awarded_twice as (
    -- each later listing of a name points at the first one (in this period or an earlier one); periods
    -- order as their keys do ("2020-H2" < "2021-H1"), and within a period by file and row
    select
        m.period,
        'MEDAL_AWARDED_TWICE' as check_code,
        m.reporter_code as org_unit_code,
        m.source_file,
        m.sheet_name,
        m.row_number,
        m.recipient_name as value_raw,
        json_object('name', m.recipient_name, 'first_period', f.period, 'first_file', f.source_file,
                    'first_row', f.row_number) as params
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
)

select * from medals_awarded_twice
union all select * from medals_to_collectives
