-- Every published indicator of contract section 4, in report order.
select
    indicator,
    sort_order,
    section,
    label_vi,
    unit_vi,
    has_total,
    province_only,
    -- the rows of indicators.csv it is published on
    case when province_only then 'province' else 'province, district' end as published_for_levels,
    nullif(summary_item, '') as summary_item
from {{ ref('indicators') }}
