-- exchanges_weekly: exchanges_daily summed per ISO week (week_start = the Monday) and provider, consumer,
-- dataset and channel. A weekly p95 cannot be derived from daily p95s, so the rollup keeps what the pages
-- compute: the calls-weighted sum of the daily p95s (latency_weighted_sum) and the calls it weighs
-- (latency_calls: calls on days with a p95), whose ratio over any set of weeks is exactly the calls-weighted
-- mean of the daily p95s; plus the largest daily p95 of the week (p95_latency_ms_max, an upper bound).
-- The weighted sum is added in exact decimals, so the file is the same whatever order the rows are read in.
with

daily as (
    select * from exchanges_daily
),

weekly as (
    select
        date_trunc('week', exchange_date)::date as week_start,
        provider_agency_id,
        consumer_agency_id,
        dataset_id,
        channel,
        sum(calls)::bigint as calls,
        sum(calls_ok)::bigint as calls_ok,
        sum(records)::bigint as records,
        coalesce(sum(calls) filter (where p95_latency_ms is not null), 0)::bigint as latency_calls,
        sum((p95_latency_ms * calls)::decimal(38, 6))::double as latency_weighted_sum,
        max(p95_latency_ms) as p95_latency_ms_max,
        max(exchange_date) as last_exchange_date,
    from daily
    group by all
),

final as (
    select * from weekly
)

select * from final
order by week_start, provider_agency_id, consumer_agency_id, dataset_id, channel
