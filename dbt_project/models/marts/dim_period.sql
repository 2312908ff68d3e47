-- Half-years (the calendar is built in int_half_years).
select * from {{ ref('int_half_years') }}
order by period_year, half
