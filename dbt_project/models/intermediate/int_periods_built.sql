-- The periods figures are computed for: every period named by a submission, plus the one being built.
select distinct p.*
from {{ ref('dim_period') }} as p
where p.period_key in (select period from {{ ref('stg_files') }} where period is not null)
{% if var('period') %}
   or p.period_key = '{{ var("period") }}'
{% endif %}
