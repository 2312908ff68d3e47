{% macro valid_on(alias, day) %}
{#- Contract section 2: a register unit counts in a period when it is valid on the period's last day. -#}
({{ alias }}.valid_from is null or {{ alias }}.valid_from <= {{ day }})
and ({{ alias }}.valid_to is null or {{ alias }}.valid_to >= {{ day }})
{%- endmacro %}


{% macro org_unit_on(alias, day) %}
{#- The row of a register unit that stands for it on `day`: its only row, or (a code re-used after the reform
of 1 July 2025, several rows) the one valid on that day. -#}
({{ alias }}.is_only_version or ({{ valid_on(alias, day) }}))
{%- endmacro %}
