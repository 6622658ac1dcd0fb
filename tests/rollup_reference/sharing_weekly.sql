-- Successful calls and success rate per ISO week, exchanges in scope, weeks overlapping the trend window.
with

exchanges_in_scope as (
    select * from scope_exchanges($trend_start, $end, $scope_type, $scope_id)
),

weekly as (
    select
        date_trunc('week', exchange_date)::date as week_start,
        sum(calls)::bigint as count_calls,
        sum(calls_ok)::bigint as count_calls_ok,
    from exchanges_in_scope
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
