-- dictionary_coverage (metrics.md) for each owner body of the scope, over the fields of its datasets that are
-- not retired, lowest first; datasets without an owner form one row with a null owner.
with

per_owner as (
    select
        live_datasets.owner_agency_id,
        count(distinct live_datasets.dataset_id) as count_datasets,
        count(data_elements.element_id) as count_fields,
        count(data_elements.element_id) filter (where data_elements.term_id is not null) as count_fields_mapped,
    from live_datasets($scope_type, $scope_id) as live_datasets
    left join data_elements on data_elements.dataset_id = live_datasets.dataset_id
    group by live_datasets.owner_agency_id
),

final as (
    select
        per_owner.owner_agency_id,
        if($lang = 'en', owners.name_en, owners.name_vi) as owner_name,
        per_owner.count_datasets,
        per_owner.count_fields,
        per_owner.count_fields_mapped,
        per_owner.count_fields_mapped / nullif(per_owner.count_fields, 0) as dictionary_coverage,
    from per_owner
    left join agencies as owners on owners.agency_id = per_owner.owner_agency_id
)

select * from final
order by dictionary_coverage asc nulls last, count_fields desc, owner_name, owner_agency_id
