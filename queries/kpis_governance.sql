-- Governance KPIs: owners, dictionary, metadata, key databases (metrics.md).
with

scope_datasets as (
    select *
    from datasets
    where dataset_id in (select dataset_id from scope_dataset_ids($scope_type, $scope_id))
),

live_datasets as (
    select * from scope_datasets where lifecycle_stage <> 'retired'
),

live_elements as (
    select data_elements.*
    from data_elements
    where dataset_id in (select dataset_id from live_datasets)
),

ratios as (
    select
        'ownership_coverage' as kpi_id,
        count(*) filter (where owner_agency_id is not null and steward is not null) as numerator,
        count(*) as denominator,
    from live_datasets
    union all
    select 'dictionary_coverage', count(*) filter (where term_id is not null), count(*)
    from live_elements
    union all
    select 'metadata_completeness', count(*) filter (where metadata_complete), count(*)
    from live_datasets
    union all
    select
        'key_databases_operating',
        count(*) filter (where lifecycle_stage = 'operating'),
        count(*),
    from live_datasets
    where is_key_database
),

final as (
    select
        kpi_id,
        numerator::double / nullif(denominator, 0) as value,
        numerator::double as numerator,
        denominator::double as denominator,
    from ratios
)

select * from final
