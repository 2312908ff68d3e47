-- The data-quality checks of contract section 5 (and ours), from the check catalogue.
select * from {{ ref('checks') }}
