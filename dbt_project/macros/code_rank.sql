{% macro code_rank(code, file='r.source_file', row='r.row_number') %}
{#- Contract section 5 (DUPLICATE_UNIT_ROW): within one workbook only the first row of a village or agency
    code counts. code_rank = 1 on that row, > 1 on the later ones; first_row_number = the Excel row of the
    first one. Both NULL when the row has no code. -#}
case when {{ code }} is not null then row_number() over (
    partition by {{ file }}, {{ code }} order by {{ row }}
) end as code_rank,
case when {{ code }} is not null then min({{ row }}) over (
    partition by {{ file }}, {{ code }}
) end as first_row_number
{%- endmacro %}
