select
    line_number,
    former_code as former_commune_code,
    former_name as former_commune_name,
    new_code as new_commune_code,
    new_name as new_commune_name,
    cast(effective_date as date) as effective_date,
    effective_date_raw,
    cast(divided as boolean) as is_divided,
    cast(default_destination as boolean) as is_default_destination,
    nullif(village_code, '') as village_code,
    cast(row_valid as boolean) as row_valid,
    severity,
    reason
from {{ source('raw', 'register_crosswalk') }}
