{% macro valid_on(alias, day) %}
{#- Contract section 2: a register unit counts in a period when it is valid on the period's last day. -#}
({{ alias }}.valid_from is null or {{ alias }}.valid_from <= {{ day }})
and ({{ alias }}.valid_to is null or {{ alias }}.valid_to >= {{ day }})
{%- endmacro %}
