select
    source_file,
    sheet_name,
    cast(row_number as integer) as row_number,
    agency_code,
    agency_code_raw,
    agency_name,
    agency_name_key,
    agency_kind,
    cast(plan_issued as boolean) as plan_issued,
    cast(safe_registered as boolean) as safe_registered,
    cast(row_valid as boolean) as row_valid
from {{ source('raw', 'agencies') }}
