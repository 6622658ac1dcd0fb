-- Calls, successful calls and success rate per ISO week for one dataset of the scope ($dataset_id), in the period.
with

scope_dataset as (
    select dataset_id
    from datasets
    where dataset_id = $dataset_id
      and dataset_id in (select dataset_id from scope_dataset_ids($scope_type, $scope_id))
),

weekly as (
    select
        date_trunc('week', exchange_date)::date as week_start,
        sum(calls)::bigint as count_calls,
        sum(calls_ok)::bigint as count_calls_ok,
    from exchanges_daily
    where dataset_id in (select dataset_id from scope_dataset)
      and exchange_date between $start and $end
    group by week_start
),

final as (
    select
        week_start,
        count_calls,
        count_calls_ok,
        count_calls_ok::double / nullif(count_calls, 0) as success_rate,
    from weekly
)

select * from final
order by week_start
