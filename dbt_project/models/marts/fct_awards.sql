-- Awards that count: valid rows of winning workbooks.
select
    period, reporter_level, reporter_code, district_code, province_code,
    award_type, recipient_kind, recipient_name, recipient_name_key, decision_no,
    source_file, sheet_name, row_number
from {{ ref('int_award_rows') }}
where is_counted
