-- The name of every register unit and agency as it stands in each built period: a code re-used after the
-- reform of 1 July 2025 has one row per period, the one valid on its last day. Reports name units from here.
select period, org_unit_code as unit_code, org_unit_name as unit_name, org_unit_level as unit_level
from {{ ref('int_org_units_in_period') }}
union all
select period, agency_code, agency_name, 'agency'
from {{ ref('int_agencies_in_period') }}
