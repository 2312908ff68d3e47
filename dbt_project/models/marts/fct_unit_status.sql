-- One row per period and register unit that the plan / registration indicators count, achieved or not,
-- with the row or cover that made it achieved (built in int_unit_status).
select * from {{ ref('int_unit_status') }}
