-- Operating shared datasets in scope by their number of distinct consumers in the period (bodies other than the
-- owner with calls_ok > 0, as in reuse_breadth); every bucket is listed, empty ones with 0.
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

dataset_consumers as (
    select
        operating_shared_datasets.dataset_id,
        count(distinct period_exchanges.consumer_agency_id) filter (
            where period_exchanges.calls_ok > 0
              and period_exchanges.consumer_agency_id is distinct from operating_shared_datasets.owner_agency_id
        ) as count_consumers,
    from operating_shared_datasets
    left join period_exchanges on period_exchanges.dataset_id = operating_shared_datasets.dataset_id
    group by operating_shared_datasets.dataset_id
),

buckets as (
    select *
    from (
        values
            (1, '0', 0, 0),
            (2, '1', 1, 1),
            (3, '2', 2, 2),
            (4, '3-5', 3, 5),
            (5, '6-10', 6, 10),
            (6, '11-50', 11, 50),
            (7, '51+', 51, null),
    ) as buckets (bucket_order, consumers_bucket, min_consumers, max_consumers)
),

final as (
    select
        buckets.bucket_order,
        buckets.consumers_bucket,
        buckets.min_consumers >= 2 as is_reused,
        count(dataset_consumers.dataset_id) as count_datasets,
    from buckets
    left join dataset_consumers
        on dataset_consumers.count_consumers >= buckets.min_consumers
       and (buckets.max_consumers is null or dataset_consumers.count_consumers <= buckets.max_consumers)
    group by all
)

select * from final
order by bucket_order
