-- roadmap_progress and schedule_performance (metrics.md) for each phase and each pillar of the scope,
-- over the active leaf items as of the period's end; group_type says which grouping a row belongs to.
with

grouped as (
    select
        if(grouping(phase) = 0, 'phase', 'pillar') as group_type,
        coalesce(phase, pillar) as group_id,
        sum(exact_decimal(weight * pct_complete))::double / 100 as earned_weight,
        sum(exact_decimal(weight))::double as total_weight,
        sum(exact_decimal(weight * planned_fraction))::double as planned_weight,
        count(*) as count_items,
        count(*) filter (where planned_due < $end::date and status <> 'done') as count_overdue,
    from active_leaf_items($end, $scope_type, $scope_id)
    group by grouping sets ((phase), (pillar))
),

final as (
    select
        group_type,
        group_id,
        earned_weight / nullif(total_weight, 0) as roadmap_progress,
        planned_weight / nullif(total_weight, 0) as planned_progress,
        earned_weight / nullif(planned_weight, 0) as schedule_performance,
        count_items,
        count_overdue,
    from grouped
)

select * from final
order by group_type, group_id
