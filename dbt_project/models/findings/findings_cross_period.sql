-- Findings that compare a period with the previous one: HOUSEHOLDS_CHANGE_OUTLIER (a village's Tổng số hộ
-- moved more than 20 %) and antq's FIGURES_COPIED_FROM_PREVIOUS (a commune's village figures repeat the
-- previous period's exactly). `params` holds the values of the check's Vietnamese message.
with village_figures as (
    -- the counted village rows, the only ones compared
    select * from {{ ref('int_village_rows') }}
    where is_counted
),

household_outliers as (
    select
        cur.period,
        'HOUSEHOLDS_CHANGE_OUTLIER' as check_code,
        cur.village_code as org_unit_code,
        cur.source_file,
        cur.sheet_name,
        cur.row_number,
        cast(cur.households_total as varchar) as value_raw,
        json_object('unit_name', coalesce(cur.register_name, cur.village_name), 'reporter', cur.reporter_name,
                    'change', replace(printf('%+.1f', 100.0 * (cur.households_total - prev.households_total) / prev.households_total), '.', ',') || ' %',
                    'previous_period', prev.period, 'previous_total', prev.households_total, 'total', cur.households_total) as params
    from village_figures as cur
    join {{ ref('dim_period') }} as p on p.period_key = cur.period
    join village_figures as prev
        on prev.period = p.previous_period_key and prev.village_code = cur.village_code
    where cur.households_total is not null and prev.households_total > 0
      and abs(cur.households_total - prev.households_total) > 0.2 * prev.households_total
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
    left join {{ ref('int_listing_sheets') }} as s on s.source_file = c.source_file and s.layout = 'villages'
)

select * from household_outliers
union all select * from figures_copied
