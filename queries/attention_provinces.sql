-- Provinces in scope ranked by the share of their bodies connected in the period, lowest first.
with

scope_province_agencies as (
    select agencies.*
    from agencies
    where province_code is not null
      and agency_id in (select agency_id from scope_agency_ids($scope_type, $scope_id))
),

period_exchanges as (
    select * from period_exchange_weeks($start, $end)
),

connected as (
    select provider_agency_id as agency_id from period_exchanges where calls_ok > 0
    union
    select consumer_agency_id from period_exchanges where calls_ok > 0
),

row_provinces as (
    select
        period_exchanges.calls,
        period_exchanges.calls_ok,
        provider.province_code as provider_province,
        consumer.province_code as consumer_province,
    from period_exchanges
    left join agencies as provider on provider.agency_id = period_exchanges.provider_agency_id
    left join agencies as consumer on consumer.agency_id = period_exchanges.consumer_agency_id
),

province_calls as (
    select province_code, sum(calls) as count_calls, sum(calls_ok) as count_calls_ok
    from (
        select provider_province as province_code, calls, calls_ok
        from row_provinces
        where provider_province is not null
        union all
        select consumer_province, calls, calls_ok
        from row_provinces
        where consumer_province is not null and consumer_province is distinct from provider_province
    )
    group by province_code
),

province_agencies as (
    select
        province_code,
        count(*) as count_agencies,
        count(*) filter (where agency_id in (select agency_id from connected)) as count_connected,
    from scope_province_agencies
    group by province_code
),

province_stats as (
    select
        province_agencies.*,
        coalesce(province_calls.count_calls, 0) as count_calls,
        coalesce(province_calls.count_calls_ok, 0) as count_calls_ok,
    from province_agencies
    left join province_calls on province_calls.province_code = province_agencies.province_code
),

committees as (
    select province_code, if($lang = 'en', name_en, name_vi) as committee_name
    from agencies
    where level = 'provincial' and parent_agency_id is null
),

final as (
    select
        province_stats.province_code,
        if($lang = 'en', provinces.name_en, provinces.name_vi) as province_name,
        committees.committee_name,
        province_stats.count_connected::double / province_stats.count_agencies as connected_share,
        province_stats.count_calls_ok::double / nullif(province_stats.count_calls, 0) as success_rate,
        province_stats.count_calls_ok,
    from province_stats
    join provinces on provinces.province_code = province_stats.province_code
    left join committees on committees.province_code = province_stats.province_code
)

select * from final
order by connected_share, count_calls_ok, province_code
limit $limit
