-- Actual and planned progress per phase, over the active leaf items of the scope as of the period's end.
with

final as (
    select
        phase,
        sum(exact_decimal(weight * pct_complete))::double / 100 / sum(exact_decimal(weight))::double as progress,
        sum(exact_decimal(weight * planned_fraction))::double / sum(exact_decimal(weight))::double as planned,
        count(*) as count_items,
    from active_leaf_items($end, $scope_type, $scope_id)
    group by phase
)

select * from final
order by phase
