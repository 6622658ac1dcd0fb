-- exchange_agencies_weekly: each body with an exchange row in an ISO week, as provider or as consumer, from the
-- exchanges_weekly rollup: whether one of its calls succeeded (`connected`: calls_ok > 0 on a weekly row means a
-- day of the week had one; connected_agencies, metrics.md) and the last day it exchanged (`last_exchange_date`:
-- the freshness of the exchanges). One row per week and body: far fewer than the exchange rows.
select
    week_start,
    agency_id,
    bool_or(calls_ok > 0) as connected,
    max(last_exchange_date) as last_exchange_date,
from (
    select week_start, provider_agency_id as agency_id, calls_ok, last_exchange_date, from exchanges_weekly
    union all
    select week_start, consumer_agency_id, calls_ok, last_exchange_date, from exchanges_weekly
)
group by week_start, agency_id
