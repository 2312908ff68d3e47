select
    code as org_unit_code,
    name as org_unit_name,
    name_key as org_unit_name_key,
    level as org_unit_level,
    nullif(parent_code, '') as parent_code,
    cast(valid_from as date) as valid_from,
    cast(valid_to as date) as valid_to
from {{ source('raw', 'register_org_units') }}
