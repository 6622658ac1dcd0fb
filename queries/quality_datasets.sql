-- The datasets of the scope with at least one check as of the period's end: their four criterion
-- values, quality index and readiness group (1 ready, 2 to improve, 3 below the amber threshold), worst first.
with

dataset_groups as (
    select
        dataset_id,
        correct,
        sufficient,
        clean,
        live,
        quality_index,
        case
            when correct >= $ready_threshold
                and sufficient >= $ready_threshold
                and clean >= $ready_threshold
                and live >= $ready_threshold
                then 1
            when correct < $not_ready_threshold
                or sufficient < $not_ready_threshold
                or clean < $not_ready_threshold
                or live < $not_ready_threshold
                then 3
            else 2
        end as readiness_group,
    from dataset_quality($end, $scope_type, $scope_id)
),

final as (
    select
        dataset_groups.dataset_id,
        if($lang = 'en', datasets.name_en, datasets.name_vi) as dataset_name,
        if($lang = 'en', owners.name_en, owners.name_vi) as owner_name,
        dataset_groups.correct,
        dataset_groups.sufficient,
        dataset_groups.clean,
        dataset_groups.live,
        dataset_groups.quality_index,
        dataset_groups.readiness_group,
    from dataset_groups
    join datasets on datasets.dataset_id = dataset_groups.dataset_id
    left join agencies as owners on owners.agency_id = datasets.owner_agency_id
)

select * from final
order by readiness_group desc, quality_index, dataset_name, dataset_id
