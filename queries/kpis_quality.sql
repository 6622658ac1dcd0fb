-- Quality KPIs: the four criteria, the index and datasets_ready (metrics.md).
with

criteria as (
    select unnest(['correct', 'sufficient', 'clean', 'live']) as criterion
),

criterion_scores as (
    select
        criteria.criterion,
        coalesce(sum(weighted_records(weight, records_passed)), 0)::double as numerator,
        coalesce(sum(weighted_records(weight, records_checked)), 0)::double as denominator,
    from criteria
    left join latest_quality_checks($end, $scope_type, $scope_id) as latest_checks
        on latest_checks.criterion = criteria.criterion
    group by criteria.criterion
),

criterion_values as (
    select criterion, numerator, denominator, numerator / nullif(denominator, 0) as value
    from criterion_scores
),

-- The four values side by side, so that quality_index adds them in one fixed order (sum_of_four).
criteria_side_by_side as (
    select
        max(value) filter (where criterion = 'correct') as correct,
        max(value) filter (where criterion = 'sufficient') as sufficient,
        max(value) filter (where criterion = 'clean') as clean,
        max(value) filter (where criterion = 'live') as live,
    from criterion_values
),

dataset_readiness as (
    select dataset_id, count(*) filter (where score >= $ready_threshold) = 4 as is_ready
    from dataset_criterion_scores($end, $scope_type, $scope_id)
    group by dataset_id
),

final as (
    select 'quality_' || criterion as kpi_id, value, numerator, denominator
    from criterion_values
    union all
    select
        'quality_index',
        sum_of_four(correct, sufficient, clean, live) / nullif(count_of_four(correct, sufficient, clean, live), 0),
        sum_of_four(correct, sufficient, clean, live),
        count_of_four(correct, sufficient, clean, live)::double,
    from criteria_side_by_side
    union all
    select
        'datasets_ready',
        count(*) filter (where is_ready)::double / nullif(count(*), 0),
        count(*) filter (where is_ready)::double,
        count(*)::double,
    from dataset_readiness
)

select * from final
order by list_position(
    ['quality_correct', 'quality_sufficient', 'quality_clean', 'quality_live', 'quality_index', 'datasets_ready'], kpi_id
)
