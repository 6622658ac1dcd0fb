-- Operating shared datasets in scope, with their consumers in the period (bodies other than the owner with
-- calls_ok > 0, as in shared_data_utilization), calls, success rate and p95 latency (API rows, calls-weighted).
with

operating_shared_datasets as (
    select *
    from datasets
    where dataset_id in (select dataset_id from scope_dataset_ids($scope_type, $scope_id))
      and operating_as_of(lifecycle_stage, operating_since, $end)
      and sharing_class in ('shared', 'open')
),

period_exchanges as (
    select *
    from exchanges_daily
    where exchange_date between $start and $end
),

dataset_exchanges as (
    select
        operating_shared_datasets.dataset_id,
        count(distinct period_exchanges.consumer_agency_id) filter (
            where period_exchanges.calls_ok > 0
              and period_exchanges.consumer_agency_id is distinct from operating_shared_datasets.owner_agency_id
        ) as count_consumers,
        coalesce(sum(period_exchanges.calls), 0)::bigint as count_calls,
        coalesce(sum(period_exchanges.calls_ok), 0)::bigint as count_calls_ok,
        sum(period_exchanges.p95_latency_ms * period_exchanges.calls)
            / nullif(sum(period_exchanges.calls) filter (where period_exchanges.p95_latency_ms is not null), 0)
            as p95_latency_ms,
    from operating_shared_datasets
    left join period_exchanges on period_exchanges.dataset_id = operating_shared_datasets.dataset_id
    group by operating_shared_datasets.dataset_id
),

final as (
    select
        operating_shared_datasets.dataset_id,
        if($lang = 'en', operating_shared_datasets.name_en, operating_shared_datasets.name_vi) as dataset_name,
        if($lang = 'en', owners.name_en, owners.name_vi) as owner_name,
        dataset_exchanges.count_consumers,
        dataset_exchanges.count_calls,
        dataset_exchanges.count_calls_ok::double / nullif(dataset_exchanges.count_calls, 0) as success_rate,
        round(dataset_exchanges.p95_latency_ms) as p95_latency_ms,
    from operating_shared_datasets
    join dataset_exchanges on dataset_exchanges.dataset_id = operating_shared_datasets.dataset_id
    left join agencies as owners on owners.agency_id = operating_shared_datasets.owner_agency_id
)

select * from final
order by count_calls desc, dataset_id
