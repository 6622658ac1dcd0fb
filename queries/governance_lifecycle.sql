-- Datasets of the scope per lifecycle stage, every stage listed (0 when none). For the pipeline stages
-- (planned -> building -> operating), count_reached is how many have reached at least that stage;
-- archived and retired are outside the pipeline. The stage is as of $end: a dataset at the operating stage whose
-- operating_since is after $end was not operating yet (metrics.md), so it counts as building.
with

datasets_as_of as (
    select
        dataset_id,
        is_key_database,
        if(
            lifecycle_stage = 'operating' and not operating_as_of(lifecycle_stage, operating_since, $end),
            'building',
            lifecycle_stage
        ) as lifecycle_stage,
    from scope_datasets($scope_type, $scope_id)
),

stages as (
    select *
    from (
        values
            ('planned', 1, true),
            ('building', 2, true),
            ('operating', 3, true),
            ('archived', 4, false),
            ('retired', 5, false),
    ) as stages (lifecycle_stage, stage_order, is_pipeline)
),

counted as (
    select
        stages.lifecycle_stage,
        stages.stage_order,
        stages.is_pipeline,
        count(scope_datasets.dataset_id) as count_datasets,
        count(scope_datasets.dataset_id) filter (where scope_datasets.is_key_database) as count_key_databases,
    from stages
    left join datasets_as_of as scope_datasets
        on scope_datasets.lifecycle_stage = stages.lifecycle_stage
    group by all
),

final as (
    select
        *,
        if(
            is_pipeline,
            sum(count_datasets) over (partition by is_pipeline order by stage_order desc)::bigint,
            null
        ) as count_reached,
    from counted
)

select * from final
order by stage_order
