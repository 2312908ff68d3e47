-- Every valid decision of the review folder on a finding, latest first: the history of decisions. It is
-- keyed by the finding, never joined to this build's findings, so a decision on a finding that is no longer
-- found is kept. The latest wins: by its time (the row's "Ngày kết luận", else the file's modified time),
-- then by file name, then by Excel row.
select
    finding_key,
    period,
    finding_id,
    decision,
    decision_note,
    decided_by,
    decided_at,
    source_file as review_file,
    file_sha256 as review_file_sha256,
    sheet_name,
    row_number,
    row_number() over (
        partition by finding_key order by decided_at desc, source_file desc, row_number desc
    ) as decision_rank
from {{ ref('stg_reviews') }}
where problem_check is null and finding_key is not null and decision is not null
