-- The periods figures are computed for: every period named by a submission, plus the one being built.
-- antq passes the period in ANTQ_PERIOD, not as a dbt var: a changed var makes dbt re-parse the whole
-- project (seconds), a changed environment variable only the models that read it.
{% set period = var('period', none) or env_var('ANTQ_PERIOD', '') %}
select distinct p.*
from {{ ref('int_half_years') }} as p
where p.period_key in (select period from {{ ref('stg_files') }} where period is not null)
{% if period %}
   or p.period_key = '{{ period }}'
{% endif %}
