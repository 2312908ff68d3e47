-- Pipeline invariant (blocking): the rows ingested from each file accepted in a period are all read by the
-- import summary (rows_read, counted or excluded, plus the "Tổng hợp" rows). A row here means a row was
-- dropped or duplicated between ingestion and the marts.
{% set listings = ['stg_villages', 'stg_agencies', 'stg_models', 'stg_force_support', 'stg_awards', 'stg_district_summary'] %}
with staged as (
    {%- for model in listings %}
    select source_file from {{ ref(model) }}
    {%- if not loop.last %} union all{% endif %}
    {%- endfor %}
),

staged_counts as (
    select source_file, count(*) as staged_rows from staged group by source_file
)

select m.period, m.source_file, coalesce(s.staged_rows, 0) as staged_rows,
       m.rows_read + m.summary_rows_read as rows_in_summary
from {{ ref('mart_submissions') }} as m
left join staged_counts as s using (source_file)
where m.submission_status <> 'rejected'
  and coalesce(s.staged_rows, 0) <> m.rows_read + m.summary_rows_read
