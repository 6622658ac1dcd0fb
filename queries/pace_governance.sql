-- Pace: the governance KPIs with a target (metrics.md) for each of the 12 Sundays of a pace series ($week_ends).
-- The contract keeps no history of a dataset's owner or metadata, so those weeks have today's value; a key database
-- counts as operating from its `operating_since` on (operating as of each week's end, as kpis_governance.sql).
with

scope_state as (
    select
        count(*) filter (where owner_agency_id is not null and steward is not null) as count_owned,
        count(*) filter (where metadata_complete) as count_documented,
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

key_weekly as (
    select
        weeks.week_end,
        count(*) filter (where operating_as_of(live.lifecycle_stage, live.operating_since, weeks.week_end))
            as count_key_operating,
    from unnest($week_ends::date[]) as weeks(week_end)
    cross join (select * from live_datasets($scope_type, $scope_id) where is_key_database) as live
    group by weeks.week_end
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
    select weeks.week_end, 'key_databases_operating', coalesce(count_key_operating, 0)::double / nullif(count_key, 0)
    from unnest($week_ends::date[]) as weeks(week_end)
    cross join scope_state
    left join key_weekly on key_weekly.week_end = weeks.week_end
)

select * from final
order by kpi_id, week_end
