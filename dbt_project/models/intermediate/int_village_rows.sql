-- Village rows of the ingested commune workbooks, with why each does or does not count:
-- the village must belong to the reporting commune in the register for the period, the row must be
-- valid, and only the first row of a code counts (contract section 5).
-- After a reform (issue 13) a village may come under its former commune: in the workbook of a former commune
-- (int_submissions.former_commune_moved, its latest version), or listed by its former commune's code or by
-- another destination of its former commune. Such a row (`reported_under_former`) counts once, for the
-- village under its commune in the period, when no row of that commune's own workbook counts for it (the
-- first such row by file and row); findings_reform names the new commune.
with rows_ as (
    select v.*, s.period, s.reporter_code, s.reporter_name, s.submission_status, s.district_code, s.province_code,
        s.former_commune_moved and s.submission_rank = 1 as latest_former_workbook
    from {{ ref('stg_villages') }} as v
    join {{ ref('int_submissions') }} as s using (source_file)
),

annotated as (
    select
        r.*,
        u.org_unit_code is not null as unit_known,
        u.org_unit_name as register_name,
        u.org_unit_name_key as register_name_key,
        {{ code_rank('r.village_code') }},
        -- the village wherever it belongs in the period
        v.commune_code as commune_in_period,
        v.district_code as village_district_code,
        v.province_code as village_province_code
    from rows_ as r
    left join {{ ref('int_org_units_in_period') }} as u
        on u.period = r.period
       and u.org_unit_code = r.village_code
       and u.org_unit_level = 'village'
       and u.parent_code = r.reporter_code
    left join {{ ref('int_org_units_in_period') }} as v
        on v.period = r.period and v.org_unit_code = r.village_code and v.org_unit_level = 'village'
),

flagged as (
    select
        a.*,
        coalesce(
            not a.unit_known and a.commune_in_period is not null and a.reporter_code <> a.commune_in_period
            and (a.submission_status = 'winner' or a.latest_former_workbook)
            and (
                -- the reporter was the village's commune (a register row of the village under it) ...
                exists (
                    select 1 from {{ ref('int_org_units') }} as g
                    where g.org_unit_code = a.village_code and g.org_unit_level = 'village'
                      and g.commune_code = a.reporter_code
                )
                -- ... or took a part of the village's former commune ...
                or exists (
                    select 1 from {{ ref('int_org_units') }} as g
                    join {{ ref('stg_register_crosswalk') }} as c
                        on c.row_valid and c.former_commune_code = g.commune_code and c.new_commune_code = a.reporter_code
                    where g.org_unit_code = a.village_code and g.org_unit_level = 'village'
                )
                -- ... or is a former commune that went (in part) to the village's commune now
                or (a.latest_former_workbook and exists (
                    select 1 from {{ ref('stg_register_crosswalk') }} as c
                    where c.row_valid and c.former_commune_code = a.reporter_code
                      and c.new_commune_code = a.commune_in_period
                ))
            ),
            false
        ) as reported_under_former,
        a.submission_status = 'winner' and a.row_valid and a.unit_known and a.code_rank = 1 as counted_as_listed
    from annotated as a
),

ranked as (
    select
        *,
        bool_or(counted_as_listed) over (partition by period, village_code) as counted_elsewhere,
        case when reported_under_former and row_valid and code_rank = 1 then row_number() over (
            partition by period, village_code, reported_under_former and row_valid and code_rank = 1
            order by submission_status = 'winner' desc, source_file, row_number
        ) end as former_rank
    from flagged
),

counted as (
    select
        * replace (
            -- a row counted for its new commune rolls up where that commune does
            case when reported_under_former then village_district_code else district_code end as district_code,
            case when reported_under_former then village_province_code else province_code end as province_code
        ),
        -- NULL stays NULL for a row without a code, as before (counted_as_listed)
        counted_as_listed or coalesce(former_rank = 1 and not counted_elsewhere, false) as is_counted
    from ranked
)

select
    * exclude (counted_as_listed, counted_elsewhere, former_rank, latest_former_workbook),
    is_counted
        and households_total is not null and households_registered is not null
        and households_registered <= households_total as households_counted
from counted
