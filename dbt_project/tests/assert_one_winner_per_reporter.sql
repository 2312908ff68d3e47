-- Pipeline invariant (blocking): one winning workbook per reporting unit and period; two would count the
-- unit twice.
select period, reporter_level, reporter_code, count(*) as winners,
       string_agg(source_file, ', ' order by source_file) as files
from {{ ref('mart_submissions') }}
where submission_status = 'winner'
group by all
having count(*) > 1
