-- Roadmap KPIs: progress, schedule performance, milestones, overdue items (metrics.md).
with

scope_items as (
    select * from roadmap_item_status($end, $scope_type, $scope_id)
),

-- The rows of active_leaf_items, taken from the items above.
active_leaves as (
    select * from scope_items where is_leaf and status <> 'cancelled'
),

due_milestones as (
    select *
    from scope_items
    where is_milestone and status <> 'cancelled' and planned_due <= $end
),

-- Exact sums (exact_decimal), the percentages divided by 100 once, after the sum.
ratios as (
    select
        'roadmap_progress' as kpi_id,
        coalesce(sum(exact_decimal(weight * pct_complete)), 0)::double / 100 as numerator,
        coalesce(sum(exact_decimal(weight)), 0)::double as denominator,
    from active_leaves
    union all
    select
        'schedule_performance',
        coalesce(sum(exact_decimal(weight * pct_complete)), 0)::double / 100,
        coalesce(sum(exact_decimal(weight * planned_fraction)), 0)::double,
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
    from overdue_items($end, $scope_type, $scope_id)
    where is_leaf
)

select * from final
