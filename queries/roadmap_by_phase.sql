-- Actual and planned progress per phase, over the active leaf items of the scope as of the period's end.
with

active_leaves as (
    select *
    from roadmap_item_status($end, $scope_type, $scope_id)
    where is_leaf and status <> 'cancelled'
),

final as (
    select
        phase,
        sum(weight * pct_complete / 100) / sum(weight) as progress,
        sum(weight * planned_fraction) / sum(weight) as planned,
        count(*) as count_items,
    from active_leaves
    group by phase
)

select * from final
order by phase
