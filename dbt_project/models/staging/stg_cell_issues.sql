select
    source_file,
    sheet_name,
    cast(row_number as integer) as row_number,
    column_header,
    value_raw,
    check_code,
    reason,
    unit_code
from {{ source('raw', 'cell_issues') }}
