-- Every finding ever published, with the build that first found it, the last one that found it, how many
-- builds found it and whether the latest build of its period still does (the auditors' "Phát hiện lần đầu",
-- "Số lần phát hiện", and the sheet "Đã khắc phục" of findings resolved since).
--
-- Incremental, never rebuilt (full_refresh=false): the marts are recomputed from the inbox at every build,
-- this table is what they forget. A build of period P selects only P's findings: the ones it finds (new,
-- seen again, or reopened) and the ones of P still open that it no longer finds (closed by this build).
-- delete+insert on finding_key replaces exactly those rows; other periods' rows are left as they are.
--
-- "A build" is a run of this model: antq passes the Dagster run id and the build's local time in
-- ANTQ_RUN_ID and ANTQ_BUILT_AT (a plain `dbt build` uses its invocation id and the database's local time).
-- A build whose inputs are unchanged does not run dbt (orchestration/dbt.py), so it is not counted: it
-- found exactly the same findings, and its auditors' files list them with the same counts.
--
-- A copy is kept beside the warehouse (reports/findings_history.py) and restored into a new or rebuilt
-- warehouse before dbt runs, so this model then finds its table and goes on from it.
{{ config(
    materialized='incremental',
    unique_key='finding_key',
    incremental_strategy='delete+insert',
    full_refresh=false,
    on_schema_change='sync_all_columns'
) }}
{% set period = var('period', none) or env_var('ANTQ_PERIOD', '') %}
{% set run_id = env_var('ANTQ_RUN_ID', '') or invocation_id %}
{% set built_at = env_var('ANTQ_BUILT_AT', '') %}
{#- what the history keeps of a finding as the build found it (params as in mart_dq_findings) -#}
{% set finding_columns = ['finding_key', 'period', 'check_code', 'severity', 'org_unit_code', 'source_file',
                          'sheet_name', 'row_number', 'value_raw'] %}
{#- a table kept before params was recorded (it had the rendered message instead): its rows keep no params.
    (A unit test gives `this` as a fixture, whose columns are the model's own.) -#}
{% set known_columns = adapter.get_columns_in_relation(this) | map(attribute='name') | list if execute and is_incremental() and this is not string else ['params'] %}
with this_build as (
    select
        '{{ run_id }}' as run_id,
        {% if built_at %}cast('{{ built_at }}' as timestamp){% else %}date_trunc('second', current_localtimestamp()){% endif %} as at
),

found as (
    select {{ finding_columns | join(', ') }}, params
    from {{ ref('mart_dq_findings') }}
    where period = '{{ period }}'
),

{% if is_incremental() %}
known as (
    select * from {{ this }} where period = '{{ period }}'
),
{% else %}
known as (
    -- the first build: nothing known yet (same columns as the table)
    select
        cast(null as varchar) as finding_key, cast(null as varchar) as period,
        cast(null as timestamp) as first_seen_at, cast(null as varchar) as first_seen_run,
        cast(null as integer) as times_seen, cast(null as boolean) as is_open
    where false
),
{% endif %}

seen as (
    select
        {% for c in finding_columns %}f.{{ c }}, {% endfor %}
        f.params,
        coalesce(k.first_seen_at, b.at) as first_seen_at,
        coalesce(k.first_seen_run, b.run_id) as first_seen_run,
        b.at as last_seen_at,
        b.run_id as last_seen_run,
        cast(coalesce(k.times_seen, 0) + 1 as integer) as times_seen,
        true as is_open,
        cast(null as timestamp) as closed_at,
        cast(null as varchar) as closed_run
    from found as f
    cross join this_build as b
    left join known as k on k.finding_key = f.finding_key
)

{% if is_incremental() %}
, closed as (
    select
        {% for c in finding_columns %}k.{{ c }}, {% endfor %}
        {{ 'k.params' if 'params' in known_columns else 'cast(null as varchar)' }} as params,
        k.first_seen_at,
        k.first_seen_run,
        k.last_seen_at,
        k.last_seen_run,
        k.times_seen,
        false as is_open,
        b.at as closed_at,
        b.run_id as closed_run
    from known as k
    cross join this_build as b
    where k.is_open and k.finding_key not in (select finding_key from found)
)
{% endif %}

select * from seen
{% if is_incremental() %}
union all
select * from closed
{% endif %}
