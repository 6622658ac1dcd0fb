-- Pace: the roadmap KPIs with a target (metrics.md) as of each of the 12 Sundays of a pace series ($week_ends):
-- for each week, every item's latest update on or before its Sunday.
with

week_items as (
    select weeks.week_end, items.*
    from unnest($week_ends::date[]) as weeks(week_end),
        lateral roadmap_item_status(weeks.week_end, $scope_type, $scope_id) as items
),

week_sums as (
    select
        weeks.week_end,
        coalesce(sum(exact_decimal(week_items.weight * week_items.pct_complete)) filter (
            where week_items.is_leaf and week_items.status <> 'cancelled'
        ), 0)::double / 100 as earned,
        coalesce(sum(exact_decimal(week_items.weight * week_items.planned_fraction)) filter (
            where week_items.is_leaf and week_items.status <> 'cancelled'
        ), 0)::double as planned,
        count(*) filter (
            where week_items.is_milestone and week_items.status <> 'cancelled'
              and week_items.planned_due <= weeks.week_end
              and week_items.status = 'done' and week_items.completed_on <= week_items.planned_due
        ) as count_met,
        count(*) filter (
            where week_items.is_milestone and week_items.status <> 'cancelled'
              and week_items.planned_due <= weeks.week_end
        ) as count_due,
    from unnest($week_ends::date[]) as weeks(week_end)
    left join week_items on week_items.week_end = weeks.week_end
    group by weeks.week_end
),

final as (
    select week_end, 'schedule_performance' as kpi_id, earned / nullif(planned, 0) as value
    from week_sums
    union all
    select week_end, 'milestones_on_time', count_met::double / nullif(count_due, 0)
    from week_sums
)

select * from final
order by kpi_id, week_end
