-- What each counted unit and row adds to each indicator of contract section 4, with the district and
-- province it rolls up to. mart_indicators sums these per scope; keeping the rules here keeps them in one
-- place. It reads the intermediate models the facts publish (int_unit_status, the counted rows of
-- int_*_rows), never the facts themselves.
with status as (
    select * from {{ ref('int_unit_status') }}
),

counted_models as (
    select period, province_code, district_code, model_group,
        case when reporter_level = 'commune' then reporter_code end as commune_code
    from {{ ref('int_model_rows') }}
    where is_counted
),

plan_and_safe as (
    select period, province_code, district_code,
        'plan_issued.' || case unit_kind
            when 'province_agency' then 'province_agencies'
            when 'district_agency' then 'district_agencies'
            when 'district_steering_committee' then 'district_steering_committees'
            when 'commune' then 'commune_steering_committees'
            when 'village' then 'village_boards'
        end as indicator,
        cast(plan_issued as bigint) as achieved, 1::bigint as total
    from status
    union all
    select period, province_code, district_code,
        'safe_registered.' || case unit_kind
            when 'province_agency' then 'province_agencies'
            when 'district_agency' then 'district_agencies'
            when 'commune' then 'communes'
            when 'village' then 'villages'
        end,
        cast(safe_registered as bigint), 1::bigint
    from status
    where unit_kind <> 'district_steering_committee'
),

households as (
    select period, province_code, district_code, 'safe_registered.households' as indicator,
        households_registered as achieved, households_total as total
    from {{ ref('int_village_rows') }}
    where households_counted
),

models as (
    select period, province_code, district_code, 'models.total' as indicator, 1::bigint as achieved, null::bigint as total
    from counted_models
    union all
    select period, province_code, district_code, 'models.group_' || model_group, 1::bigint, null::bigint
    from counted_models
),

communes_covered as (
    select c.period, c.province_code, c.district_code, 'models.communes_covered' as indicator,
        cast(exists (
            select 1 from counted_models as m
            where m.period = c.period and m.commune_code = c.unit_code
        ) as bigint) as achieved,
        1::bigint as total
    from status as c
    where c.unit_kind = 'commune'
),

force_support as (
    select period, province_code, district_code,
        case support_type
            when 'visit' then 'force_support.visits'
            when 'hardship_subsidy' then 'force_support.hardship_subsidies'
        end as indicator,
        1::bigint as achieved, null::bigint as total
    from {{ ref('int_force_support_rows') }}
    where is_counted
),

awards as (
    select period, province_code, district_code,
        case
            when award_type = 'medal' and recipient_kind = 'individual' then 'awards.medal_individuals'
            when award_type = 'commendation' and recipient_kind = 'collective' then 'awards.commendation_collectives'
            when award_type = 'commendation' and recipient_kind = 'individual' then 'awards.commendation_individuals'
        end as indicator,
        1::bigint as achieved, null::bigint as total
    from {{ ref('int_award_rows') }}
    where is_counted
)

select * from (
    select * from plan_and_safe
    union all select * from households
    union all select * from models
    union all select * from communes_covered
    union all select * from force_support
    union all select * from awards
)
where indicator is not null
