-- Register agencies that count in each period built: valid on the period's last day.
select
    p.period_key as period,
    a.*
from {{ ref('int_periods_built') }} as p
join {{ ref('dim_agency') }} as a
    on (a.valid_from is null or a.valid_from <= p.period_end)
   and (a.valid_to is null or a.valid_to >= p.period_end)
