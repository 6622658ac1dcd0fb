-- Pace: the sharing KPIs with a target (metrics.md) for each of the 12 weeks of a pace series ($week_ends, their
-- Sundays), each week a period of its own. Whole ISO weeks, so only the weekly rollups are read: exchange_flows_weekly
-- for the calls (scope_exchange_flows), exchange_agencies_weekly and dataset_consumers_weekly (one row per week and
-- body, per week, dataset and consumer) for the distinct counts, which are then counts of rows.
with

-- Operating as of each week's end (metrics.md): a dataset counts from its `operating_since` on.
operating_datasets as (
    select weeks.week_end, dataset_id, owner_agency_id, sharing_class, api_enabled,
    from unnest($week_ends::date[]) as weeks(week_end)
    cross join scope_datasets($scope_type, $scope_id) as d
    where operating_as_of(d.lifecycle_stage, d.operating_since, weeks.week_end)
),

-- The weeks from the first one's Monday to the last one's Sunday are whole weeks: scope_exchange_flows reads them
-- from the rollups alone.
success as (
    select weeks.week_end, sum(flows.calls_ok) as count_calls_ok, sum(flows.calls) as count_calls,
    from unnest($week_ends::date[]) as weeks(week_end)
    join scope_exchange_flows(
        list_min($week_ends::date[]) - 6, list_max($week_ends::date[]), $scope_type, $scope_id
    ) as flows on flows.week_start = weeks.week_end - 6
    group by weeks.week_end
),

connected as (
    select weeks.week_end, count(*) as count_connected,
    from unnest($week_ends::date[]) as weeks(week_end)
    join exchange_agencies_weekly as bodies on bodies.week_start = weeks.week_end - 6
    where bodies.connected
      and bodies.agency_id in (select agency_id from scope_agency_ids($scope_type, $scope_id))
    group by weeks.week_end
),

shared_consumers as (
    select
        operating_datasets.week_end,
        pairs.dataset_id,
        count(*) as count_consumers,
    from operating_datasets
    join dataset_consumers_weekly as pairs
        on pairs.dataset_id = operating_datasets.dataset_id and pairs.week_start = operating_datasets.week_end - 6
    where operating_datasets.sharing_class in ('shared', 'open')
      and pairs.consumer_agency_id is distinct from operating_datasets.owner_agency_id
    group by all
),

week_counts as (
    select
        weeks.week_end,
        success.count_calls_ok,
        success.count_calls,
        coalesce(connected.count_connected, 0) as count_connected,
        (select count(*) from shared_consumers where shared_consumers.week_end = weeks.week_end) as count_used,
        (
            select count(*) from shared_consumers
            where shared_consumers.week_end = weeks.week_end and count_consumers >= 2
        ) as count_reused,
    from unnest($week_ends::date[]) as weeks(week_end)
    left join success on success.week_end = weeks.week_end
    left join connected on connected.week_end = weeks.week_end
),

scope_counts as (
    select
        weeks.week_end,
        (select count(*) from scope_agency_ids($scope_type, $scope_id)) as count_agencies,
        count(o.dataset_id) filter (where o.sharing_class in ('shared', 'open')) as count_operating_shared,
        count(o.dataset_id) filter (where o.sharing_class in ('shared', 'open') and o.api_enabled) as count_api_shared,
        count(o.dataset_id) as count_operating,
    from unnest($week_ends::date[]) as weeks(week_end)
    left join operating_datasets as o on o.week_end = weeks.week_end
    group by weeks.week_end
),

final as (
    select week_end, 'sharing_coverage' as kpi_id, count_api_shared::double / nullif(count_operating, 0) as value
    from week_counts join scope_counts using (week_end)
    union all
    select week_end, 'shared_data_utilization', count_used::double / nullif(count_operating_shared, 0)
    from week_counts join scope_counts using (week_end)
    union all
    select week_end, 'exchange_success_rate', count_calls_ok::double / nullif(count_calls, 0)
    from week_counts
    union all
    select week_end, 'connected_agencies', count_connected::double / nullif(count_agencies, 0)
    from week_counts join scope_counts using (week_end)
    union all
    select week_end, 'reuse_breadth', count_reused::double / nullif(count_operating_shared, 0)
    from week_counts join scope_counts using (week_end)
)

select * from final
order by kpi_id, week_end
