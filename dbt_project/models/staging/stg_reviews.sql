-- The auditors' review files as read (ingestion/reviews.py): one row per decision, or per problem found in
-- the review folder. A row with `problem` set is not a decision; findings_reviews reports it.
select
    source_file,
    file_sha256,
    cast(modified_at as timestamp) as modified_at,
    sheet_name,
    cast(row_number as integer) as row_number,
    finding_id,
    finding_key,
    period,
    decision_raw,
    decision,
    note as decision_note,
    reviewer as decided_by,
    cast(decided_at as timestamp) as decided_at,
    problem as problem_check,
    problem_reason
from {{ source('raw', 'reviews') }}
