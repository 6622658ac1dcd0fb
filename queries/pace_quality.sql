-- Pace: the quality KPIs with a target (metrics.md) as of each of the 12 Sundays of a pace series ($week_ends):
-- for each week, each (dataset, rule)'s latest check on or before its Sunday (an ASOF join: one pass over the
-- checks for all 12 weeks).
with

scope_checks as (
    select check_date, dataset_id, rule_id, records_checked, records_passed,
    from quality_checks
    where dataset_id in (select dataset_id from scope_dataset_ids($scope_type, $scope_id))
),

week_pairs as (
    select weeks.week_end, pairs.dataset_id, pairs.rule_id
    from unnest($week_ends::date[]) as weeks(week_end)
    cross join (select distinct dataset_id, rule_id from scope_checks) as pairs
),

week_checks as materialized (
    select
        week_pairs.week_end,
        scope_checks.dataset_id,
        quality_rules.criterion,
        quality_rules.weight,
        scope_checks.records_checked,
        scope_checks.records_passed,
    from week_pairs
    asof join scope_checks
        on scope_checks.dataset_id = week_pairs.dataset_id
       and scope_checks.rule_id = week_pairs.rule_id
       and week_pairs.week_end >= scope_checks.check_date
    join quality_rules on quality_rules.rule_id = scope_checks.rule_id
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

week_dataset_scores as (
    select
        week_end,
        dataset_id,
        criterion,
        sum(weighted_records(weight, records_passed))::double
            / sum(weighted_records(weight, records_checked))::double as score,
    from week_checks
    group by week_end, dataset_id, criterion
),

week_readiness as (
    select
        weeks.week_end,
        count(ready.dataset_id) filter (where ready.is_ready) as count_ready,
        count(ready.dataset_id) as count_checked,
    from unnest($week_ends::date[]) as weeks(week_end)
    left join (
        select week_end, dataset_id, count(*) filter (where score >= $ready_threshold) = 4 as is_ready
        from week_dataset_scores
        group by week_end, dataset_id
    ) as ready on ready.week_end = weeks.week_end
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
