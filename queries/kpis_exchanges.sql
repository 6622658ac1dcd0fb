-- Sharing KPIs and reuse_breadth: everything computed from the exchanges (metrics.md), whole weeks from the weekly
-- rollups and the partial edge weeks from exchanges_daily: the sums by level from exchange_flows_weekly
-- (scope_exchange_flows), the distinct counts from dataset_consumer_spans and exchange_agencies_weekly.
with

operating_datasets as (
    select * from scope_datasets($scope_type, $scope_id) where operating_as_of(lifecycle_stage, operating_since, $end)
),

dataset_consumers as (
    select dataset_id, count_consumers
    from operating_shared_datasets($start, $end, $scope_type, $scope_id)
),

exchanges_in_scope as (
    select * from scope_exchange_flows($start, $end, $scope_type, $scope_id)
),

ratios as (
    select
        'sharing_coverage' as kpi_id,
        count(*) filter (where sharing_class in ('shared', 'open') and api_enabled) as numerator,
        count(*) as denominator,
    from operating_datasets
    union all
    select
        'shared_data_utilization',
        (select count(*) from dataset_consumers where count_consumers >= 1),
        (select count(*) from dataset_consumers),
    union all
    select 'exchange_success_rate', coalesce(sum(calls_ok), 0), coalesce(sum(calls), 0)
    from exchanges_in_scope
    union all
    select
        'cross_level_share',
        coalesce(sum(calls_ok) filter (where provider_level is distinct from consumer_level), 0),
        coalesce(sum(calls_ok), 0),
    from exchanges_in_scope
    union all
    select
        'connected_agencies',
        count(*) filter (where agency_id in (select agency_id from connected_agency_ids($start, $end))),
        count(*),
    from scope_agency_ids($scope_type, $scope_id)
    union all
    select
        'reuse_breadth',
        (select count(*) from dataset_consumers where count_consumers >= 2),
        (select count(*) from dataset_consumers),
),

counts as (
    select 'records_exchanged' as kpi_id, coalesce(sum(records), 0) as value
    from exchanges_in_scope
),

final as (
    select
        kpi_id,
        numerator::double / nullif(denominator, 0) as value,
        numerator::double as numerator,
        denominator::double as denominator,
    from ratios
    union all
    select kpi_id, value::double, null, null
    from counts
)

select * from final
