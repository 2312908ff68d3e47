{% test is_half_year_key(model, column_name) %}
-- Period keys must read like 2021-H1 / 2021-H2.
select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null and not regexp_full_match({{ column_name }}, '\d{4}-H[12]')
{% endtest %}
