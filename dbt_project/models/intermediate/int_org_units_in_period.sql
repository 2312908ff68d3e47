-- Register units that count in each period built: valid on the period's last day.
select
    p.period_key as period,
    u.*
from {{ ref('int_periods_built') }} as p
join {{ ref('int_org_units') }} as u
    on {{ valid_on('u', 'p.period_end') }}
