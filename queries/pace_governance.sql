-- Pace: the governance KPIs with a target (metrics.md) for each of the 12 Sundays of a pace series ($week_ends).
-- The contract keeps no history of a dataset's owner, metadata or stage, so each week has today's value.
with

scope_state as (
    select
        count(*) filter (where owner_agency_id is not null and steward is not null) as count_owned,
        count(*) filter (where metadata_complete) as count_documented,
        count(*) filter (where is_key_database and lifecycle_stage = 'operating') as count_key_operating,
        count(*) filter (where is_key_database) as count_key,
        count(*) as count_live,
        (
            select count(*) filter (where data_elements.term_id is not null)
            from data_elements
            where data_elements.dataset_id in (select dataset_id from live_datasets($scope_type, $scope_id))
        ) as count_mapped,
        (
            select count(*)
            from data_elements
            where data_elements.dataset_id in (select dataset_id from live_datasets($scope_type, $scope_id))
        ) as count_elements,
    from live_datasets($scope_type, $scope_id)
),

final as (
    select week_end, 'ownership_coverage' as kpi_id, count_owned::double / nullif(count_live, 0) as value
    from unnest($week_ends::date[]) as weeks(week_end), scope_state
    union all
    select week_end, 'dictionary_coverage', count_mapped::double / nullif(count_elements, 0)
    from unnest($week_ends::date[]) as weeks(week_end), scope_state
    union all
    select week_end, 'metadata_completeness', count_documented::double / nullif(count_live, 0)
    from unnest($week_ends::date[]) as weeks(week_end), scope_state
    union all
    select week_end, 'key_databases_operating', count_key_operating::double / nullif(count_key, 0)
    from unnest($week_ends::date[]) as weeks(week_end), scope_state
)

select * from final
order by kpi_id, week_end
