-- The bodies serving ($role = 'provider') or using ($role = 'consumer') the most successful calls,
-- exchanges in scope and period.
with

body_exchanges as (
    select
        if($role = 'provider', provider_agency_id, consumer_agency_id) as agency_id,
        if($role = 'provider', consumer_agency_id, provider_agency_id) as partner_agency_id,
        dataset_id,
        calls,
        calls_ok,
    from scope_exchange_weeks($start, $end, $scope_type, $scope_id)
),

bodies as (
    select
        agency_id,
        sum(calls)::bigint as count_calls,
        sum(calls_ok)::bigint as count_calls_ok,
        count(distinct dataset_id) filter (where calls_ok > 0) as count_datasets,
        count(distinct partner_agency_id) filter (where calls_ok > 0) as count_partners,
    from body_exchanges
    group by agency_id
),

final as (
    select
        bodies.agency_id,
        if($lang = 'en', agencies.name_en, agencies.name_vi) as agency_name,
        agencies.level,
        bodies.count_calls_ok,
        bodies.count_calls_ok::double / nullif(bodies.count_calls, 0) as success_rate,
        bodies.count_datasets,
        bodies.count_partners,
    from bodies
    left join agencies on agencies.agency_id = bodies.agency_id
)

select * from final
order by count_calls_ok desc, agency_id
limit $limit
