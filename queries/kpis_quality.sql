-- Quality KPIs: the four criteria, the index and datasets_ready (metrics.md).
with

criteria as (
    select unnest(['correct', 'sufficient', 'clean', 'live']) as criterion
),

criterion_scores as (
    select
        criteria.criterion,
        coalesce(sum(weight * records_passed), 0) as numerator,
        coalesce(sum(weight * records_checked), 0) as denominator,
    from criteria
    left join latest_quality_checks($end, $scope_type, $scope_id) as latest_checks
        on latest_checks.criterion = criteria.criterion
    group by criteria.criterion
),

criterion_values as (
    select criterion, numerator, denominator, numerator / nullif(denominator, 0) as value
    from criterion_scores
),

dataset_readiness as (
    select dataset_id, count(*) filter (where score >= $ready_threshold) = 4 as is_ready
    from dataset_criterion_scores($end, $scope_type, $scope_id)
    group by dataset_id
),

final as (
    select 'quality_' || criterion as kpi_id, value, numerator::double as numerator, denominator::double as denominator
    from criterion_values
    union all
    select
        'quality_index',
        sum(value) / nullif(count(value), 0),
        coalesce(sum(value), 0),
        count(value)::double,
    from criterion_values
    union all
    select
        'datasets_ready',
        count(*) filter (where is_ready)::double / nullif(count(*), 0),
        count(*) filter (where is_ready)::double,
        count(*)::double,
    from dataset_readiness
)

select * from final
