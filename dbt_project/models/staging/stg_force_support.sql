select
    source_file,
    sheet_name,
    cast(row_number as integer) as row_number,
    person_name,
    person_title,
    support_type,
    cast(amount_vnd as bigint) as amount_vnd,
    cast(row_valid as boolean) as row_valid
from {{ source('raw', 'force_support') }}
