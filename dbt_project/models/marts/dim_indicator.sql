-- Every published indicator of contract section 4, in report order.
select
    indicator,
    sort_order,
    section,
    label_vi,
    unit_vi,
    has_total,
    province_only,
    nullif(summary_item, '') as summary_item
from {{ ref('indicators') }}
