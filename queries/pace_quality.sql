-- Pace: the quality KPIs with a target (metrics.md) as of each of the 12 Sundays of a pace series ($week_ends):
-- for each week, each (dataset, rule)'s latest check on or before its Sunday.
with

week_checks as (
    select weeks.week_end, latest_checks.*
    from unnest($week_ends::date[]) as weeks(week_end),
        lateral latest_quality_checks(weeks.week_end, $scope_type, $scope_id) as latest_checks
),

week_criteria as (
    select
        weeks.week_end,
        criteria.criterion,
        coalesce(sum(weighted_records(week_checks.weight, week_checks.records_passed)), 0)::double as numerator,
        coalesce(sum(weighted_records(week_checks.weight, week_checks.records_checked)), 0)::double as denominator,
    from unnest($week_ends::date[]) as weeks(week_end)
    cross join unnest(['correct', 'sufficient', 'clean', 'live']) as criteria(criterion)
    left join week_checks
        on week_checks.week_end = weeks.week_end and week_checks.criterion = criteria.criterion
    group by all
),

week_side_by_side as (
    select
        week_end,
        max(numerator / nullif(denominator, 0)) filter (where criterion = 'correct') as correct,
        max(numerator / nullif(denominator, 0)) filter (where criterion = 'sufficient') as sufficient,
        max(numerator / nullif(denominator, 0)) filter (where criterion = 'clean') as clean,
        max(numerator / nullif(denominator, 0)) filter (where criterion = 'live') as live,
    from week_criteria
    group by week_end
),

week_readiness as (
    select
        weeks.week_end,
        count(ready.dataset_id) filter (where ready.is_ready) as count_ready,
        count(ready.dataset_id) as count_checked,
    from unnest($week_ends::date[]) as weeks(week_end)
    left join lateral (
        select dataset_id, count(*) filter (where score >= $ready_threshold) = 4 as is_ready
        from dataset_criterion_scores(weeks.week_end, $scope_type, $scope_id)
        group by dataset_id
    ) as ready on true
    group by weeks.week_end
),

final as (
    select week_end, 'quality_' || criterion as kpi_id, numerator / nullif(denominator, 0) as value
    from week_criteria
    union all
    select
        week_end,
        'quality_index',
        sum_of_four(correct, sufficient, clean, live) / nullif(count_of_four(correct, sufficient, clean, live), 0),
    from week_side_by_side
    union all
    select week_end, 'datasets_ready', count_ready::double / nullif(count_checked, 0)
    from week_readiness
)

select * from final
order by kpi_id, week_end
