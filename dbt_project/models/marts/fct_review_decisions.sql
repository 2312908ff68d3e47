-- The decision in force on each finding ever decided (int_review_decisions): the latest decision and note,
-- with who, when and which file first wrote them. A copy of kiem_tra_du_lieu.xlsx restates the decisions it
-- shows; restating one unchanged does not make its re-saver the one who decided it.
with ranked as (
    select *, count(*) over (partition by finding_key) as decisions
    from {{ ref('int_review_decisions') }}
),

latest as (
    select finding_key, decision, decision_note from ranked where decision_rank = 1
),

first_different as (
    -- the newest decision on the finding that says something else than the one in force
    select r.finding_key, min(r.decision_rank) as decision_rank
    from ranked as r
    join latest as l using (finding_key)
    where r.decision is distinct from l.decision or r.decision_note is distinct from l.decision_note
    group by r.finding_key
)

select
    r.finding_key,
    r.period,
    r.finding_id,
    r.decision,
    r.decision_note,
    r.decided_by,
    r.decided_at,
    r.review_file,
    r.review_file_sha256,
    r.sheet_name,
    r.row_number,
    r.decisions
from ranked as r
left join first_different as d using (finding_key)
where r.decision_rank = coalesce(d.decision_rank, r.decisions + 1) - 1
order by r.finding_key
