-- Governance KPIs: owners, dictionary, metadata, key databases (metrics.md), over the live datasets of the scope
-- (live_datasets: the datasets of scope_dataset_ids that are not retired).
with

live as (
    select * from live_datasets($scope_type, $scope_id)
),

live_elements as (
    select data_elements.*
    from data_elements
    where dataset_id in (select dataset_id from live)
),

ratios as (
    select
        'ownership_coverage' as kpi_id,
        count(*) filter (where owner_agency_id is not null and steward is not null) as numerator,
        count(*) as denominator,
    from live
    union all
    select 'dictionary_coverage', count(*) filter (where term_id is not null), count(*)
    from live_elements
    union all
    select 'metadata_completeness', count(*) filter (where metadata_complete), count(*)
    from live
    union all
    select
        'key_databases_operating',
        count(*) filter (where operating_as_of(lifecycle_stage, operating_since, $end)),
        count(*),
    from live
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
