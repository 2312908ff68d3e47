-- Register agencies that count in each period built: valid on the period's last day.
select
    p.period_key as period,
    a.*
from {{ ref('int_periods_built') }} as p
join {{ ref('dim_agency') }} as a
    on {{ valid_on('a', 'p.period_end') }}
