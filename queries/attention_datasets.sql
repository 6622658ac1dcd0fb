-- The datasets of the scope with the lowest quality index as of the period's end, with their owner.
with

latest_checks as (
    select * from latest_quality_checks($end, $scope_type, $scope_id)
),

dataset_criteria as (
    select
        dataset_id,
        criterion,
        sum(weight * records_passed) / sum(weight * records_checked) as score,
    from latest_checks
    group by dataset_id, criterion
),

dataset_index as (
    select
        dataset_id,
        avg(score) as quality_index,
        arg_min(criterion, score) as weakest_criterion,
        min(score) as weakest_score,
    from dataset_criteria
    group by dataset_id
),

final as (
    select
        dataset_index.dataset_id,
        if($lang = 'en', datasets.name_en, datasets.name_vi) as dataset_name,
        if($lang = 'en', owners.name_en, owners.name_vi) as owner_name,
        dataset_index.quality_index,
        dataset_index.weakest_criterion,
        dataset_index.weakest_score,
    from dataset_index
    join datasets on datasets.dataset_id = dataset_index.dataset_id
    left join agencies as owners on owners.agency_id = datasets.owner_agency_id
)

select * from final
order by quality_index, dataset_id
limit $limit
