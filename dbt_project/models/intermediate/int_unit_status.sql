-- One row per period and register unit that the plan / registration indicators count: province- and
-- district-managed agencies, district and commune steering committees (from the covers) and villages.
-- A unit is in the total whether or not it reported; it is achieved only through a counted row or the
-- cover of its winning submission (contract section 4). fct_unit_status publishes it.
with winners as (
    select * from {{ ref('int_submissions') }} where submission_status = 'winner'
),

agencies as (
    select
        g.period,
        case g.managed_by when 'province' then 'province_agency' else 'district_agency' end as unit_kind,
        g.agency_code as unit_code,
        g.agency_name as unit_name,
        g.district_code,
        g.province_code,
        coalesce(r.plan_issued, false) as plan_issued,
        coalesce(r.safe_registered, false) as safe_registered,
        r.source_file, r.sheet_name, r.row_number
    from {{ ref('int_agencies_in_period') }} as g
    left join {{ ref('int_agency_rows') }} as r
        on r.is_counted and r.period = g.period and r.agency_code = g.agency_code
),

covers as (
    -- district and commune steering committees: what the cover of the unit's own winning workbook says
    -- (a district's cover has no "safe" field)
    select
        u.period,
        case u.org_unit_level when 'district' then 'district_steering_committee' else 'commune' end as unit_kind,
        u.org_unit_code as unit_code,
        u.org_unit_name as unit_name, u.district_code, u.province_code,
        coalesce(case u.org_unit_level when 'district' then w.district_steering_plan
                                       else w.commune_steering_plan end, false) as plan_issued,
        case when u.org_unit_level = 'commune' then coalesce(w.commune_safe, false) end as safe_registered,
        w.source_file, cast(null as varchar) as sheet_name, cast(null as integer) as row_number
    from {{ ref('int_org_units_in_period') }} as u
    left join winners as w
        on w.period = u.period and w.reporter_level = u.org_unit_level and w.reporter_code = u.org_unit_code
    where u.org_unit_level in ('district', 'commune')
),

villages as (
    select
        u.period, 'village' as unit_kind, u.org_unit_code as unit_code,
        u.org_unit_name as unit_name, u.district_code, u.province_code,
        coalesce(r.plan_issued, false) as plan_issued,
        coalesce(r.safe_registered, false) as safe_registered,
        r.source_file, r.sheet_name, r.row_number
    from {{ ref('int_org_units_in_period') }} as u
    left join {{ ref('int_village_rows') }} as r
        on r.is_counted and r.period = u.period and r.village_code = u.org_unit_code
    where u.org_unit_level = 'village'
)

select * from agencies
union all select * from covers
union all select * from villages
