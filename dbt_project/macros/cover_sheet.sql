{% macro cover_sheet() -%}
{#- The cover sheet's name as a SQL literal (catalog/workbook.yaml, contract section 3). A finding about a
    whole cover names this sheet without a row: raw.files keeps the cover's values, not their rows. -#}
'Thông tin chung'
{%- endmacro %}
