-- Datasets of the scope, not retired, that lack an owner body, a named steward, or both (what ownership_coverage
-- counts as missing). A dataset with no owner belongs only to the scope "all".
with

missing as (
    select *
    from live_datasets($scope_type, $scope_id)
    where owner_agency_id is null or steward is null
),

final as (
    select
        missing.dataset_id,
        if($lang = 'en', missing.name_en, missing.name_vi) as dataset_name,
        case
            when missing.owner_agency_id is null and missing.steward is null then 'both'
            when missing.owner_agency_id is null then 'owner'
            else 'steward'
        end as missing,
        if($lang = 'en', owners.name_en, owners.name_vi) as owner_name,
        missing.steward,
        missing.lifecycle_stage,
        missing.is_key_database,
    from missing
    left join agencies as owners on owners.agency_id = missing.owner_agency_id
)

select * from final
order by is_key_database desc, missing, dataset_name, dataset_id
