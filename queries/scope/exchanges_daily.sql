-- An exchange belongs to a scope when its provider or consumer is in scope, or the scope owns its dataset.
select *
from exchanges_daily
where provider_agency_id in (select agency_id from scope_agency_ids($scope_type, $scope_id))
   or consumer_agency_id in (select agency_id from scope_agency_ids($scope_type, $scope_id))
   or dataset_id in (select dataset_id from scope_dataset_ids($scope_type, $scope_id))
