-- connected_agencies_weekly: the bodies with a successful call in each ISO week, as provider or as consumer, from
-- the exchanges_weekly rollup: one row per week and body (connected_agencies, metrics.md).
select week_start, agency_id,
from (
    select week_start, provider_agency_id as agency_id from exchanges_weekly where calls_ok > 0
    union
    select week_start, consumer_agency_id from exchanges_weekly where calls_ok > 0
)
