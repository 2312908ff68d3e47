-- Pipeline invariant (blocking): every inbox file of a period built, and every file whose cover gave no
-- period, is in the import summary with a status. A row here means antq lost a file.
select f.source_file, f.file_status, f.period, p.period_key
from {{ ref('stg_files') }} as f
join {{ ref('int_periods_built') }} as p on f.period = p.period_key or f.period is null
left join {{ ref('mart_submissions') }} as m on m.period = p.period_key and m.source_file = f.source_file
where m.source_file is null or m.submission_status is null
