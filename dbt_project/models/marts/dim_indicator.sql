-- Every published indicator of contract section 4, in report order.
select
    indicator,
    sort_order,
    section,
    label_vi,
    unit_vi,
    has_total,
    province_only,
    -- counts the district level itself (not applicable where the period has no district level)
    district_level,
    -- re-expressed exactly on today's boundaries across a reform (village-level figures, followed village by
    -- village to their new commune); false: a unit-level figure with no meaning across a merger
    comparable_across_reform,
    -- the rows of indicators.csv it is published on
    case when province_only then 'province' else 'province, district' end as published_for_levels,
    nullif(summary_item, '') as summary_item
from {{ ref('indicators') }}
