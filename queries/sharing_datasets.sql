-- Operating shared datasets in scope, with their consumers in the period (bodies other than the owner with
-- calls_ok > 0, as in shared_data_utilization), calls, success rate and p95 latency (API rows, calls-weighted).
with

shared as (
    select * from operating_shared_datasets($start, $end, $scope_type, $scope_id)
),

dataset_calls as (
    select
        dataset_id,
        sum(calls)::bigint as count_calls,
        sum(calls_ok)::bigint as count_calls_ok,
        sum(exact_decimal(latency_weighted_sum))::double / nullif(sum(latency_calls), 0) as p95_latency_ms,
    from period_exchange_weeks($start, $end)
    where dataset_id in (select dataset_id from shared)
    group by dataset_id
),

final as (
    select
        shared.dataset_id,
        if($lang = 'en', shared.name_en, shared.name_vi) as dataset_name,
        if($lang = 'en', owners.name_en, owners.name_vi) as owner_name,
        shared.count_consumers,
        coalesce(dataset_calls.count_calls, 0) as count_calls,
        coalesce(dataset_calls.count_calls_ok, 0)::double / nullif(coalesce(dataset_calls.count_calls, 0), 0)
            as success_rate,
        round(dataset_calls.p95_latency_ms) as p95_latency_ms,
    from shared
    left join dataset_calls on dataset_calls.dataset_id = shared.dataset_id
    left join agencies as owners on owners.agency_id = shared.owner_agency_id
)

select * from final
order by count_calls desc, dataset_id
