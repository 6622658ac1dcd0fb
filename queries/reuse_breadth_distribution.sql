-- Operating shared datasets in scope by their number of distinct consumers in the period (bodies other than the
-- owner with calls_ok > 0, as in reuse_breadth); every bucket is listed, empty ones with 0.
with

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
    left join operating_shared_datasets($start, $end, $scope_type, $scope_id) as dataset_consumers
        on dataset_consumers.count_consumers >= buckets.min_consumers
       and (buckets.max_consumers is null or dataset_consumers.count_consumers <= buckets.max_consumers)
    group by all
)

select * from final
order by bucket_order
