{% test unique_combination_of_columns(model, combination_of_columns) %}
-- Rows sharing the same values in all the given columns (no dbt_utils here: its hub is out of reach).
select {{ combination_of_columns | join(', ') }}, count(*) as n
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1
{% endtest %}
