-- dataset_consumer_spans: each (dataset, consumer) pair's runs of consecutive ISO weeks with a successful call,
-- from the exchanges_weekly rollup: first_week .. last_week (Mondays), every week between them with one, the week
-- before and the week after without. A period's pairs are the spans that reach into its whole weeks: as many rows
-- as pairs where a pair calls every week (the demo: 118,744 spans for 5.7 million rows of dataset_consumers_weekly
-- at scale 100), so a period's distinct consumers are counted over a row per pair, not a row per pair and week.
with

pair_weeks as (
    select distinct dataset_id, consumer_agency_id, week_start,
    from exchanges_weekly
    where calls_ok > 0
),

numbered as (
    select
        dataset_id,
        consumer_agency_id,
        week_start,
        -- the same date for every week of a run: its weeks are 7 days apart, and so are their numbers' multiples
        week_start - 7 * row_number() over (partition by dataset_id, consumer_agency_id order by week_start)::integer
            as run_key,
    from pair_weeks
)

select dataset_id, consumer_agency_id, min(week_start) as first_week, max(week_start) as last_week,
from numbered
group by dataset_id, consumer_agency_id, run_key
