-- dataset_consumers_weekly: the (dataset, consumer) pairs with a successful call in each ISO week, from the
-- exchanges_weekly rollup (calls_ok > 0 on a weekly row means a day of the week had one). One row per week,
-- dataset and consumer, so a week's distinct consumers of a dataset are a count of rows, with no distinct to
-- work out (the 12-week pace series); a period's are a distinct over far fewer rows than the exchanges.
select distinct week_start, dataset_id, consumer_agency_id,
from exchanges_weekly
where calls_ok > 0
