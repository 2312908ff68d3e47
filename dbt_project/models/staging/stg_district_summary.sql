select
    source_file,
    sheet_name,
    cast(row_number as integer) as row_number,
    summary_item,
    summary_item_raw,
    cast(achieved as bigint) as achieved,
    cast(total as bigint) as total,
    cast(row_valid as boolean) as row_valid
from {{ source('raw', 'district_summary') }}
