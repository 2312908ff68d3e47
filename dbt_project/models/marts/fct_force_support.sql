-- Support given to the grassroots security force that counts: valid rows of winning workbooks.
select
    period, reporter_level, reporter_code, district_code, province_code,
    support_type, person_name, person_title, amount_vnd,
    source_file, sheet_name, row_number
from {{ ref('int_force_support_rows') }}
where is_counted
