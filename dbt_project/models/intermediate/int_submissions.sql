-- Ingested workbooks of the periods built, matched to the register, with the resubmission winner per
-- (level, code, period): highest Phiên bản, then later Ngày lập, then later file time (contract section 3).
-- A commune workbook whose cover names a former commune (not valid in the period, moved by the register's
-- crosswalk, issue 13) stays unknown_unit, with `former_commune_moved` true and its own rank among the
-- versions of that former commune: its village rows may still count for their new commune (int_village_rows).
with files as (
    select f.*
    from {{ ref('stg_files') }} as f
    where f.file_status = 'ingested'
      and f.period in (select period_key from {{ ref('int_periods_built') }})
),

matched as (
    select
        f.*,
        u.org_unit_code is not null as reporter_known,
        u.district_code,
        u.province_code,
        u.org_unit_name as register_name,
        u.org_unit_name_key as register_name_key
    from files as f
    left join {{ ref('int_org_units_in_period') }} as u
        on u.period = f.period
       and u.org_unit_code = f.reporter_code
       and u.org_unit_level = f.reporter_level
),

with_moves as (
    select
        m.*,
        not m.reporter_known and coalesce(c.moved and c.is_valid_in_period, false) as former_commune_moved
    from matched as m
    left join {{ ref('int_commune_moves') }} as c
        on m.reporter_level = 'commune' and c.period = m.period and c.commune_code = m.reporter_code
),

ranked as (
    select
        *,
        case when reporter_known or former_commune_moved then row_number() over (
            partition by period, reporter_level, reporter_code, reporter_known, former_commune_moved
            -- an unreadable Phiên bản (an INVALID_VALUE finding) ranks as the default version 1
            order by coalesce(version, 1) desc, created_on desc nulls last, modified_at desc, source_file desc
        ) end as submission_rank
    from with_moves
)

select
    r.*,
    case
        when not r.reporter_known then 'unknown_unit'
        when r.submission_rank = 1 then 'winner'
        else 'superseded'
    end as submission_status,
    w.source_file as winner_file
from ranked as r
left join ranked as w
    on w.reporter_known and w.submission_rank = 1
   and w.period = r.period and w.reporter_level = r.reporter_level and w.reporter_code = r.reporter_code
