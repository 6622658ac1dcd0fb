-- The scope's datasets, plus the datasets its exchanges carry (to name them).
with

scope_exchanges as (
    select dataset_id
    from exchanges_weekly
    where provider_agency_id in (select agency_id from scope_agency_ids($scope_type, $scope_id))
       or consumer_agency_id in (select agency_id from scope_agency_ids($scope_type, $scope_id))
)

select *
from datasets
where dataset_id in (select dataset_id from scope_dataset_ids($scope_type, $scope_id))
   or dataset_id in (select dataset_id from scope_exchanges)
