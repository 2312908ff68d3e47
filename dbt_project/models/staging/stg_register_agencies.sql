select
    code as agency_code,
    name as agency_name,
    name_key as agency_name_key,
    kind as agency_kind,
    managed_by,
    nullif(district_code, '') as district_code,
    cast(valid_from as date) as valid_from,
    cast(valid_to as date) as valid_to,
    nullif(province_code, '') as province_code
from {{ source('raw', 'register_agencies') }}
