-- Agencies, enterprises and schools of the register with the province each belongs to (built in int_agencies).
select * from {{ ref('int_agencies') }}
