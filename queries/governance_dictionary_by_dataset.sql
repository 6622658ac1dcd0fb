-- dictionary_coverage (metrics.md) for each dataset of the scope that is not retired: its fields mapped to a
-- dictionary term out of all its fields, lowest first; a dataset with no field listed has no value (last).
with

fields as (
    select
        dataset_id,
        count(*) as count_fields,
        count(*) filter (where term_id is not null) as count_fields_mapped,
    from data_elements
    group by dataset_id
),

final as (
    select
        live_datasets.dataset_id,
        if($lang = 'en', live_datasets.name_en, live_datasets.name_vi) as dataset_name,
        if($lang = 'en', owners.name_en, owners.name_vi) as owner_name,
        coalesce(fields.count_fields, 0) as count_fields,
        coalesce(fields.count_fields_mapped, 0) as count_fields_mapped,
        fields.count_fields_mapped / nullif(fields.count_fields, 0) as dictionary_coverage,
    from live_datasets($scope_type, $scope_id) as live_datasets
    left join fields on fields.dataset_id = live_datasets.dataset_id
    left join agencies as owners on owners.agency_id = live_datasets.owner_agency_id
)

select * from final
order by dictionary_coverage asc nulls last, count_fields desc, dataset_name, dataset_id
