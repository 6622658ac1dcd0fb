-- Provinces in scope ranked by the share of their bodies connected in the period, lowest first.
with

scope_province_agencies as (
    select agencies.*
    from agencies
    where province_code is not null
      and agency_id in (select agency_id from scope_agency_ids($scope_type, $scope_id))
),

province_agencies as (
    select
        province_code,
        count(*) as count_agencies,
        count(*) filter (
            where agency_id in (select agency_id from connected_agency_ids($start, $end))
        ) as count_connected,
    from scope_province_agencies
    group by province_code
),

province_stats as (
    select
        province_agencies.*,
        coalesce(province_calls.count_calls, 0) as count_calls,
        coalesce(province_calls.count_calls_ok, 0) as count_calls_ok,
    from province_agencies
    left join province_calls($start, $end) as province_calls
        on province_calls.province_code = province_agencies.province_code
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
