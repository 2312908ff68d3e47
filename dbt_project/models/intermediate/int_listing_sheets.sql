-- The sheet (as written in the workbook) on which each workbook lists its villages or its agencies, for
-- the findings about a listing as a whole (MISSING_UNIT_ROW, FIGURES_COPIED_FROM_PREVIOUS).
select source_file, layout, min(sheet_name) as sheet_name
from (
    select source_file, 'villages' as layout, sheet_name from {{ ref('int_village_rows') }}
    union all
    select source_file, 'agencies', sheet_name from {{ ref('int_agency_rows') }}
)
group by all
