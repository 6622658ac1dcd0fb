-- exchange_flows_weekly: the exchanges_weekly rollup summed per ISO week and kind of flow: each end's level and
-- province as the agencies table gives them, and whether the body is in it at all (`*_known`). That is all the scope
-- rules of `all` and of a province need (metrics.md: a row is in scope when its provider or its consumer is a body of
-- the scope, and an external body is in none), and all the sums of calls, successful calls and records by level or
-- province need: a few hundred rows a week instead of a hundred thousand exchange rows. It joins agencies, so it is
-- rebuilt when agencies change (dashboard/data/rollups.py, `dimensions`).
select
    exchanges_weekly.week_start,
    provider.agency_id is not null as provider_known,
    provider.level as provider_level,
    provider.province_code as provider_province,
    consumer.agency_id is not null as consumer_known,
    consumer.level as consumer_level,
    consumer.province_code as consumer_province,
    sum(exchanges_weekly.calls)::bigint as calls,
    sum(exchanges_weekly.calls_ok)::bigint as calls_ok,
    sum(exchanges_weekly.records)::bigint as records,
from exchanges_weekly
left join agencies as provider on provider.agency_id = exchanges_weekly.provider_agency_id
left join agencies as consumer on consumer.agency_id = exchanges_weekly.consumer_agency_id
group by all
