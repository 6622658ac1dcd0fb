-- Sharing KPIs and reuse_breadth: everything computed from exchanges_daily (metrics.md).
with

scope_agencies as (
    select agency_id from scope_agency_ids($scope_type, $scope_id)
),

scope_datasets as (
    select datasets.*
    from datasets
    where dataset_id in (select dataset_id from scope_dataset_ids($scope_type, $scope_id))
),

operating_datasets as (
    select * from scope_datasets where operating_as_of(lifecycle_stage, operating_since, $end)
),

operating_shared_datasets as (
    select * from operating_datasets where sharing_class in ('shared', 'open')
),

period_exchanges as (
    select *
    from exchanges_daily
    where exchange_date between $start and $end
),

exchanges_in_scope as (
    select * from scope_exchanges($start, $end, $scope_type, $scope_id)
),

dataset_consumers as (
    select
        operating_shared_datasets.dataset_id,
        count(distinct period_exchanges.consumer_agency_id) as count_consumers,
    from operating_shared_datasets
    join period_exchanges
        on period_exchanges.dataset_id = operating_shared_datasets.dataset_id
       and period_exchanges.calls_ok > 0
       and period_exchanges.consumer_agency_id is distinct from operating_shared_datasets.owner_agency_id
    group by operating_shared_datasets.dataset_id
),

connected_agencies as (
    select provider_agency_id as agency_id from period_exchanges where calls_ok > 0
    union
    select consumer_agency_id from period_exchanges where calls_ok > 0
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
        (select count(*) from operating_shared_datasets),
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
        count(*) filter (where agency_id in (select agency_id from connected_agencies)),
        count(*),
    from scope_agencies
    union all
    select
        'reuse_breadth',
        (select count(*) from dataset_consumers where count_consumers >= 2),
        (select count(*) from operating_shared_datasets),
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
