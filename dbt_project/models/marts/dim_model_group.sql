-- The six model groups of contract section 3, labelled from the indicator catalogue.
select
    cast(replace(indicator, 'models.group_', '') as integer) as model_group,
    indicator,
    label_vi
from {{ ref('indicators') }}
where indicator like 'models.group_%'
