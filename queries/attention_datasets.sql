-- The datasets of the scope with the lowest quality index as of the period's end, with their owner.
with

final as (
    select
        dataset_quality.dataset_id,
        if($lang = 'en', datasets.name_en, datasets.name_vi) as dataset_name,
        if($lang = 'en', owners.name_en, owners.name_vi) as owner_name,
        dataset_quality.quality_index,
        dataset_quality.weakest_criterion,
        dataset_quality.weakest_score,
    from dataset_quality($end, $scope_type, $scope_id) as dataset_quality
    join datasets on datasets.dataset_id = dataset_quality.dataset_id
    left join agencies as owners on owners.agency_id = datasets.owner_agency_id
)

select * from final
order by quality_index, dataset_id
limit $limit
