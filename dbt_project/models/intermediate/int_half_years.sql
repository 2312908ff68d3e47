-- Half-years 2000-H1 … 2099-H2: H1 = January–June, H2 = July–December. A register unit counts in a period
-- when it is valid on the period's last day (contract section 2). dim_period publishes this calendar.
with halves as (
    select y as period_year, h as half
    from range(2000, 2100) as years(y), (values (1), (2)) as hs(h)
)

select
    period_year || '-H' || half as period_key,
    period_year,
    half,
    make_date(period_year, case half when 1 then 1 else 7 end, 1) as period_start,
    make_date(period_year, case half when 1 then 6 else 12 end, case half when 1 then 30 else 31 end) as period_end,
    case half when 1 then (period_year - 1) || '-H2' else period_year || '-H1' end as previous_period_key,
    case half when 1 then '6 tháng đầu năm ' else '6 tháng cuối năm ' end || period_year as period_label_vi
from halves
order by period_year, half
