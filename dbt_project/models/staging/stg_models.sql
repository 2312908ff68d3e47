select
    source_file,
    sheet_name,
    cast(row_number as integer) as row_number,
    model_name,
    cast(model_group as integer) as model_group,
    unit_code,
    unit_code_raw,
    cast(founded_year as integer) as founded_year,
    cast(row_valid as boolean) as row_valid
from {{ source('raw', 'models') }}
