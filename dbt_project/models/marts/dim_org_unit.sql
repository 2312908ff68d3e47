-- The register's administrative units with the commune, district and province each rolls up to
-- (built in int_org_units).
select * from {{ ref('int_org_units') }}
