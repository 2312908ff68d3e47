-- Each submitted row and cover as it was read: the text of every cell (`<column>_raw`, '' when blank) as
-- one JSON object, for the auditors' page to show a finding's whole row under the catalogue's headers.
-- Read from the sources themselves: the staged tables carry the typed values the rules and the Great
-- Expectations suites use (and whose rows the published data_docs/batches hold), not the cells' text.
-- A view: only the rows of the files with findings are ever read.
{{ config(materialized='view') }}
{% set listings = ['villages', 'agencies', 'models', 'force_support', 'awards', 'district_summary'] %}
{% for table in listings %}
select
    '{{ table }}' as source_table,
    source_file,
    sheet_name,
    cast(row_number as integer) as row_number,
    cast(null as varchar) as reporter_level,
    to_json(struct_pack(*columns('_raw$'))) as cells
from {{ source('raw', table) }}
union all
{% endfor %}
select
    'files' as source_table,
    source_file,
    cast(null as varchar) as sheet_name,
    cast(null as integer) as row_number,
    level as reporter_level,
    to_json(struct_pack(*columns('_raw$'))) as cells
from {{ source('raw', 'files') }}
