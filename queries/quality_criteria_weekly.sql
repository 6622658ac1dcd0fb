-- Each criterion's value as of the end of every week from the trend start to the period's end
-- (the last week ends on the period's end), over the latest check per (dataset, rule) of the scope.
with

week_ends as (
    select least(week_start::date + 6, $end::date) as as_of
    from generate_series(
        date_trunc('week', $trend_start::date),
        date_trunc('week', $end::date),
        interval 7 day
    ) as weeks(week_start)
),

latest_checks as (
    select week_ends.as_of, checks.*
    from week_ends,
        lateral (select * from latest_quality_checks(week_ends.as_of, $scope_type, $scope_id)) as checks
),

final as (
    select
        as_of,
        criterion,
        sum(weight * records_passed) / sum(weight * records_checked) as value,
        count(distinct dataset_id) as count_datasets,
    from latest_checks
    group by as_of, criterion
)

select * from final
order by as_of, criterion
