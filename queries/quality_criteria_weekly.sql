-- Each criterion's value as of the end of every week from the trend start to the period's end (the last
-- week ends on the period's end): the latest check per (dataset, rule) of the scope on or before that day.
-- Same rule as the latest_quality_checks macro, written as the days each check stays the latest (one pass
-- over the checks instead of one per week).
with

week_ends as (
    select least(week_start::date + 6, $end::date) as as_of
    from generate_series(
        date_trunc('week', $trend_start::date),
        date_trunc('week', $end::date),
        interval 7 day
    ) as weeks(week_start)
),

scope_checks as (
    select
        quality_checks.check_date,
        quality_checks.dataset_id,
        quality_rules.criterion,
        quality_rules.weight,
        quality_checks.records_checked,
        quality_checks.records_passed,
        lead(quality_checks.check_date) over (
            partition by quality_checks.dataset_id, quality_checks.rule_id
            order by quality_checks.check_date
        ) as superseded_on,
    from quality_checks
    join quality_rules on quality_rules.rule_id = quality_checks.rule_id
    where quality_checks.check_date <= $end
      and quality_checks.dataset_id in (select dataset_id from scope_dataset_ids($scope_type, $scope_id))
),

latest_checks as (
    select week_ends.as_of, scope_checks.*
    from week_ends
    join scope_checks
        on scope_checks.check_date <= week_ends.as_of
        and (scope_checks.superseded_on is null or scope_checks.superseded_on > week_ends.as_of)
),

final as (
    select
        as_of,
        criterion,
        sum(weighted_records(weight, records_passed))::double
            / sum(weighted_records(weight, records_checked))::double as value,
        count(distinct dataset_id) as count_datasets,
    from latest_checks
    group by as_of, criterion
)

select * from final
order by as_of, criterion
