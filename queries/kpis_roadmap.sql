-- Roadmap KPIs: progress, schedule performance, milestones, overdue items (metrics.md).
with

latest_updates as (
    select item_id, pct_complete, status, completed_on
    from roadmap_updates
    where week_start <= $end
    qualify row_number() over (partition by item_id order by week_start desc) = 1
),

scope_items as (
    select
        roadmap_items.*,
        coalesce(latest_updates.pct_complete, 0) as pct_complete,
        coalesce(latest_updates.status, 'not_started') as status,
        latest_updates.completed_on,
        roadmap_items.item_id not in (
            select parent_item_id from roadmap_items where parent_item_id is not null
        ) as is_leaf,
    from roadmap_items
    left join latest_updates on latest_updates.item_id = roadmap_items.item_id
    where roadmap_items.owner_agency_id in (select agency_id from scope_agency_ids($scope_type, $scope_id))
),

active_leaves as (
    select
        *,
        case
            when $end >= planned_due then 1.0
            when $end <= planned_start then 0.0
            else date_diff('day', planned_start, $end::date)::double
                / date_diff('day', planned_start, planned_due)
        end as planned_fraction,
    from scope_items
    where is_leaf and status <> 'cancelled'
),

due_milestones as (
    select *
    from scope_items
    where is_milestone and status <> 'cancelled' and planned_due <= $end
),

ratios as (
    select
        'roadmap_progress' as kpi_id,
        coalesce(sum(weight * pct_complete / 100), 0) as numerator,
        coalesce(sum(weight), 0) as denominator,
    from active_leaves
    union all
    select
        'schedule_performance',
        coalesce(sum(weight * pct_complete / 100), 0),
        coalesce(sum(weight * planned_fraction), 0),
    from active_leaves
    union all
    select
        'milestones_on_time',
        count(*) filter (where status = 'done' and completed_on <= planned_due),
        count(*),
    from due_milestones
),

final as (
    select
        kpi_id,
        numerator::double / nullif(denominator, 0) as value,
        numerator::double as numerator,
        denominator::double as denominator,
    from ratios
    union all
    select 'items_overdue', count(*)::double, null, null
    from active_leaves
    where planned_due < $end and status <> 'done'
)

select * from final
