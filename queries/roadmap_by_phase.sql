-- Actual and planned progress per phase, over the active leaf items of the scope as of the period's end.
with

final as (
    select
        phase,
        sum(weight * pct_complete / 100) / sum(weight) as progress,
        sum(weight * planned_fraction) / sum(weight) as planned,
        count(*) as count_items,
    from active_leaf_items($end, $scope_type, $scope_id)
    group by phase
)

select * from final
order by phase
