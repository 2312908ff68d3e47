-- Household figures of each village whose row counts and whose registered ≤ total (contract section 5:
-- otherwise both of the village's household figures are excluded).
select
    period,
    village_code,
    reporter_code as commune_code,
    district_code,
    province_code,
    households_total,
    households_registered,
    source_file,
    sheet_name,
    row_number
from {{ ref('int_village_rows') }}
where households_counted
