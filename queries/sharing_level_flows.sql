-- Successful calls from each provider level to each consumer level, exchanges in scope and period.
with

flows as (
    select
        provider_level,
        consumer_level,
        sum(calls_ok)::bigint as count_calls_ok,
    from scope_exchange_flows($start, $end, $scope_type, $scope_id)
    where calls_ok > 0
    group by provider_level, consumer_level
),

final as (
    select
        provider_level,
        consumer_level,
        count_calls_ok,
        count_calls_ok::double / sum(count_calls_ok) over () as share_calls_ok,
    from flows
)

select * from final
order by
    list_position(['central', 'provincial', 'commune', 'external'], provider_level),
    list_position(['central', 'provincial', 'commune', 'external'], consumer_level),
    provider_level,
    consumer_level
