select
    source_file,
    sheet_name,
    cast(row_number as integer) as row_number,
    village_code,
    village_code_raw,
    village_name,
    village_name_key,
    cast(plan_issued as boolean) as plan_issued,
    cast(safe_registered as boolean) as safe_registered,
    cast(households_total as bigint) as households_total,
    cast(households_registered as bigint) as households_registered,
    cast(row_valid as boolean) as row_valid
from {{ source('raw', 'villages') }}
