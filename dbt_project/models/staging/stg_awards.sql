select
    source_file,
    sheet_name,
    cast(row_number as integer) as row_number,
    recipient_kind,
    recipient_name,
    recipient_name_key,
    award_type,
    decision_no,
    cast(row_valid as boolean) as row_valid
from {{ source('raw', 'awards') }}
